// Carts as stored: a suspended sale (挂单, never with tenders) and the open cart kept across a
// crash. Read back with every field checked, and priced once, so a damaged row is refused.
import { cartTotals, type CartLine, type CartState, type Discount } from './cart.js';
import type { TenderDraft } from './sale.js';
import { TENDER_METHODS, type TenderMethod } from './types.js';

const CART_FORMAT = 1;

/** The cart as stored in suspended_sales.cart (never with tenders) and open_cart. */
export function serializeCart(cart: CartState): string {
  const o: Record<string, unknown> = { v: CART_FORMAT, lines: cart.lines, orderDiscount: cart.orderDiscount };
  if (cart.tenders.length > 0) o.tenders = cart.tenders;
  return JSON.stringify(o);
}

function parseTender(raw: Record<string, unknown>): TenderDraft {
  if (!TENDER_METHODS.includes(raw.method as TenderMethod) || !isInt(raw.tenderedFen) || raw.tenderedFen < 0) throw new Error('bad tender');
  const reference = typeof raw.reference === 'string' ? raw.reference : null;
  return { method: raw.method as TenderMethod, tenderedFen: raw.tenderedFen, reference };
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

function parseDiscount(d: unknown): Discount | null {
  if (d === null || d === undefined) return null;
  const o = d as Record<string, unknown>;
  if (o.kind === 'amount' && isInt(o.fen) && o.fen >= 0) return { kind: 'amount', fen: o.fen };
  if (o.kind === 'percent' && isInt(o.bp) && o.bp >= 0 && o.bp <= 10000) return { kind: 'percent', bp: o.bp };
  throw new Error('bad discount');
}

/** Reads a stored cart back; throws if the stored text is not one (damaged row). */
export function parseCart(json: string): CartState {
  const o = JSON.parse(json) as { v?: unknown; lines?: unknown; orderDiscount?: unknown; tenders?: unknown };
  if (o.v !== CART_FORMAT || !Array.isArray(o.lines)) throw new Error('not a suspended cart');
  let key = 1;
  const lines: CartLine[] = o.lines.map((raw: Record<string, unknown>) => {
    if (typeof raw.name !== 'string' || !isInt(raw.qty) || !isInt(raw.unitPriceFen)) throw new Error('bad line');
    const fixed = raw.fixedPriceFen;
    return {
      key: key++,
      productId: isInt(raw.productId) ? raw.productId : null,
      barcode: typeof raw.barcode === 'string' ? raw.barcode : null,
      name: raw.name,
      qty: raw.qty,
      qtyGrams: isInt(raw.qtyGrams) ? raw.qtyGrams : null,
      unitPriceFen: raw.unitPriceFen,
      ...(isInt(fixed) ? { fixedPriceFen: fixed } : {}),
      discount: parseDiscount(raw.discount),
    };
  });
  const tenders = Array.isArray(o.tenders) ? o.tenders.map(parseTender) : [];
  const cart: CartState = { lines, orderDiscount: parseDiscount(o.orderDiscount), tenders, nextKey: key };
  cartTotals(cart); // throws if the prices no longer add up
  return cart;
}
