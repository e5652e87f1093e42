// Rings up random but realistic baskets the way the checkout screen does: each item is a scanned
// code routed by resolveScan, each step a cart action through reduceCart, each tender a code or
// an amount, and the paid cart is committed by commitCart. Not a shortcut into the tables: a
// sale the simulator makes is a sale the screen could have made (demo data, load for sync tests).
import { withCheckDigit } from '../core/barcode.js';
import { EMPTY_CART, cartTotals, reduceCart, type CartAction, type CartPolicy, type CartState } from '../core/cart.js';
import type { Product, Sale, TenderMethod } from '../core/types.js';
import { rng } from '../demo/catalog.js';
import type { DB } from '../db/open.js';
import { countProducts, getProduct, listProducts } from '../db/products.js';
import { currentShift, openShift, requireOpenShift } from '../db/shifts.js';
import { commitCart, resolveScan, type Cashier } from './service.js';

export interface SimulateOptions {
  count: number;
  seed: number;
  cashier: Cashier;
  policy: CartPolicy;
  /** Ring up training sales (练习): never uploaded, listed or exported by default. */
  training?: boolean;
  /** Called after each committed sale (progress). */
  onSale?: (sale: Sale, index: number) => void;
}

export interface SimulateSummary {
  sales: number;
  items: number;
  totalFen: number;
  byMethod: Record<TenderMethod, number>;
  firstReceipt: string | null;
  lastReceipt: string | null;
  /** The shift the sales were rung up in, and whether the simulator opened it (zero float). */
  shiftId: number | null; // null for training sales (they belong to no shift)
  openedShift: boolean;
}

export class SimulationError extends Error {}

/** A WeChat (13…, 18 digits) or Alipay (28…, 18 digits) payment code as a phone would show. */
function paymentCode(method: 'wechat' | 'alipay', rand: () => number): string {
  let digits = '';
  for (let i = 0; i < 16; i++) digits += Math.floor(rand() * 10);
  return (method === 'wechat' ? '13' : '28') + digits;
}

/** A scale label: 22 + 5-digit item code + 5-digit grams + check digit (DEFAULT_IN_STORE_RULES). */
function scaleLabel(plu: string, grams: number): string {
  return withCheckDigit(`22${plu}${String(grams).padStart(5, '0')}`);
}

export function simulateSales(db: DB, o: SimulateOptions): SimulateSummary {
  const rand = rng(o.seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const products = countProducts(db);
  if (products === 0) throw new SimulationError('The catalog is empty: add products first (`till products add` or `till demo`).');
  const weighed = listProducts(db, { limit: 500 }).filter((p) => p.weighed && p.plu);

  const pick = (): Product | undefined => {
    for (let tries = 0; tries < 50; tries++) {
      const p = getProduct(db, int(1, products + 10));
      if (p && p.active && !p.weighed && p.barcodes.length > 0) return p;
    }
    return undefined;
  };

  const apply = (cart: CartState, action: CartAction): CartState => {
    const r = reduceCart(cart, action, o.policy);
    if (!r.ok) throw new SimulationError(`the cart refused ${action.type}: ${r.refusal.code}`);
    return r.state;
  };

  /** One code through the same routing as a scan at the till. */
  const scan = (cart: CartState, code: string, qty: number): CartState => {
    const outcome = resolveScan(db, code);
    if (outcome.kind !== 'line') return cart; // e.g. a product that went inactive: the cashier would be told
    return apply(cart, { type: 'addLine', line: outcome.line, qty: outcome.line.qtyGrams || outcome.line.fixedPriceFen !== undefined ? 1 : qty });
  };

  // Selling needs an open shift: the cashier's own, or one opened here with a zero float (the
  // command says so). Another cashier's open shift is theirs: no simulated sale goes into it.
  // Training sales never touch a shift or its cash: they need none.
  const openedShift = !o.training && currentShift(db) === undefined;
  const shiftId = o.training ? null : openedShift ? openShift(db, { cashierId: o.cashier.id, floatFen: 0 }).id : requireOpenShift(db, o.cashier.id).id;
  const summary: SimulateSummary = { sales: 0, items: 0, totalFen: 0, byMethod: { cash: 0, card: 0, wechat: 0, alipay: 0 }, firstReceipt: null, lastReceipt: null, shiftId, openedShift };
  for (let n = 0; n < o.count; n++) {
    let cart = EMPTY_CART;
    // Basket size: mostly small (convenience store), now and then a bigger shop.
    const size = rand() < 0.8 ? int(1, 4) : int(5, 15);
    for (let i = 0; i < size; i++) {
      if (weighed.length > 0 && rand() < 0.08) {
        const w = weighed[int(0, weighed.length - 1)];
        cart = scan(cart, scaleLabel(w.plu!, int(150, 2500)), 1);
        continue;
      }
      const p = pick();
      if (p) cart = scan(cart, p.barcodes[0], rand() < 0.1 ? int(2, 6) : 1);
    }
    if (cart.lines.length === 0) {
      const p = pick();
      if (!p) throw new SimulationError('Could not find a product with a barcode to sell; check the catalog.');
      cart = scan(cart, p.barcodes[0], 1);
    }
    // A few customers get a small discount (within the limit: no supervisor needed).
    if (rand() < 0.05) {
      const bp = Math.min(500, o.policy.discountLimitBp);
      if (bp > 0) cart = apply(cart, { type: 'setOrderDiscount', discount: { kind: 'percent', bp } });
    }
    cart = pay(cart, rand, int, apply, (code) => resolveScan(db, code));
    if (!o.training) requireOpenShift(db, o.cashier.id); // the checkout's commit will ask the same (src/checkout/service.ts)
    const sale = commitCart(db, cart, o.training ? { ...o.cashier, training: true } : o.cashier);
    summary.sales++;
    summary.items += sale.itemCount;
    summary.totalFen += sale.totalFen;
    for (const p of sale.payments) summary.byMethod[p.method] += p.amountFen;
    summary.firstReceipt ??= sale.receiptNo;
    summary.lastReceipt = sale.receiptNo;
    o.onSale?.(sale, n);
  }
  return summary;
}

function pay(
  cart: CartState,
  rand: () => number,
  int: (lo: number, hi: number) => number,
  apply: (c: CartState, a: CartAction) => CartState,
  route: (code: string) => ReturnType<typeof resolveScan>,
): CartState {
  const due = () => cartTotals(cart).dueFen;
  if (due() === 0) return cart;
  const r = rand();
  const tender = (method: TenderMethod, fen: number, reference: string | null = null) => {
    cart = apply(cart, { type: 'addTender', tender: { method, tenderedFen: fen, reference } });
  };
  if (r < 0.05 && due() > 200) {
    // Split: part by card, the rest in cash.
    tender('card', Math.floor(due() / 2), String(int(100000, 999999)));
  }
  const method: TenderMethod = r < 0.05 ? 'cash' : r < 0.5 ? 'cash' : r < 0.72 ? 'wechat' : r < 0.88 ? 'alipay' : 'card';
  if (method === 'cash') {
    // Exact, or the next note up (¥10/¥20/¥50/¥100).
    const d = due();
    const note = [1000, 2000, 5000, 10000][int(0, 3)];
    tender('cash', rand() < 0.35 ? d : Math.ceil(d / note) * note);
  } else if (method === 'card') {
    tender('card', due(), rand() < 0.5 ? String(int(100000, 999999)) : null);
  } else {
    // The customer's code is routed like a scan at the till: the code says WeChat or Alipay.
    const code = paymentCode(method, rand);
    const routed = route(code);
    if (routed.kind !== 'payment') throw new SimulationError(`payment code ${code} was not recognised`);
    tender(routed.method, due(), code);
  }
  return cart;
}
