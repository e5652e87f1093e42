// The cart of the sale being rung up: a pure reducer with named actions. The checkout screen,
// `till simulate sales` and the tests all drive it the same way. Prices, discounts and tenders
// go through core/sale.ts (priceLines, computeTotals, settleTenders) — nothing is priced twice.
//
// A refused action leaves the cart as it was and says why (`Refusal`), so the screen can show a
// message or ask for a supervisor and dispatch the action again with `approvedBy`.
import { LIMITS, textProblem } from './limits.js';
import { percentOfFen } from './money.js';
import { computeTotals, lineGrossFen, linesNetFen, priceLines, settleTenders, type LineDraft, type SaleDraft, type TenderDraft, type Totals } from './sale.js';
import type { Payment, SaleLine, TenderMethod } from './types.js';

export type Discount = { kind: 'amount'; fen: number } | { kind: 'percent'; bp: number };

/** What a scan (or a search pick) puts in the cart. */
export interface NewLine {
  productId: number | null;
  barcode: string | null;
  name: string;
  unitPriceFen: number;
  /** Grams for a weighed line (price per kg in unitPriceFen). */
  qtyGrams?: number | null;
  /** Price printed on an in-store label: the line costs exactly this. */
  fixedPriceFen?: number;
}

export interface CartLine {
  /** Stable identity within the cart (list keys, selection). */
  key: number;
  productId: number | null;
  barcode: string | null;
  name: string;
  qty: number;
  qtyGrams: number | null;
  unitPriceFen: number;
  fixedPriceFen?: number;
  discount: Discount | null;
}

export interface CartState {
  lines: CartLine[];
  orderDiscount: Discount | null;
  tenders: TenderDraft[];
  nextKey: number;
}

export const EMPTY_CART: CartState = { lines: [], orderDiscount: null, tenders: [], nextKey: 1 };

/** Largest quantity on one line (a typo such as 3000* is refused rather than sold). */
export const MAX_QTY = 999;

export interface CartPolicy {
  /**
   * A sale whose whole discount (its lines' and its own) is above this share of its gross needs
   * a supervisor (basis points: 10% = 1000): 10% on a line plus 10% on the sale is 19% off.
   */
  discountLimitBp: number;
}

export type CartAction =
  | { type: 'addLine'; line: NewLine; qty?: number; approvedBy?: string }
  | { type: 'setQty'; index: number; qty: number; approvedBy?: string }
  | { type: 'removeLine'; index: number; approvedBy?: string }
  | { type: 'setLineDiscount'; index: number; discount: Discount | null; approvedBy?: string }
  | { type: 'setOrderDiscount'; discount: Discount | null; approvedBy?: string }
  | { type: 'addTender'; tender: TenderDraft }
  | { type: 'removeLastTender'; approvedBy?: string }
  | { type: 'clear'; approvedBy?: string }
  | { type: 'restore'; cart: CartState };

export type RefusalCode =
  | 'no-line'
  | 'bad-qty'
  | 'qty-weighed'
  | 'discount-too-big'
  | 'needs-approval'
  | 'below-paid'
  | 'already-paid'
  | 'tender-over-due'
  | 'bad-amount'
  | 'no-tender'
  | 'cart-not-empty'
  /** The sale already has LIMITS.saleLines lines (HQ accepts no more). */
  | 'too-many-lines'
  /** The sale already has LIMITS.saleTenders payments. */
  | 'too-many-tenders'
  /** A payment reference too long (LIMITS.paymentReference) or holding a control character. */
  | 'bad-reference'
  /** A product name or code HQ would refuse (empty, too long, a control character). */
  | 'bad-line';

export interface Refusal {
  code: RefusalCode;
  /** For 'needs-approval': why a supervisor must approve. */
  reason?: 'discount-over-limit' | 'after-payment';
  /** Amounts for the message, in fen. */
  fen?: number;
  /** A count for the message (the limit that was reached). */
  n?: number;
}

export type CartResult = { ok: true; state: CartState } | { ok: false; refusal: Refusal };

const refuse = (code: RefusalCode, extra: Omit<Refusal, 'code'> = {}): CartResult => ({ ok: false, refusal: { code, ...extra } });
const ok = (state: CartState): CartResult => ({ ok: true, state });

// ---- derived figures ----------------------------------------------------------------------

export function isWeighed(l: Pick<CartLine, 'qtyGrams' | 'fixedPriceFen'>): boolean {
  return l.qtyGrams !== null || l.fixedPriceFen !== undefined;
}

function lineDraft(l: CartLine): LineDraft {
  const draft: LineDraft = {
    productId: l.productId,
    barcode: l.barcode,
    name: l.name,
    qty: l.qty,
    qtyGrams: l.qtyGrams,
    unitPriceFen: l.unitPriceFen,
    ...(l.fixedPriceFen !== undefined ? { fixedPriceFen: l.fixedPriceFen } : {}),
  };
  return { ...draft, discountFen: discountFen(l.discount, lineGrossFen(draft)) };
}

/** One line's total after its discount (without pricing the whole cart). */
export function lineTotalFen(l: CartLine): number {
  const gross = lineGrossFen(l);
  return gross - discountFen(l.discount, gross);
}

/** The cart's figures without the priced lines: what the screen shows on every frame. */
export type CartSummary = Omit<CartTotals, 'lines'>;

const summaries = new WeakMap<CartState, CartSummary>();

/**
 * The same figures as cartTotals (same pricing functions, a test holds them equal) in one pass
 * that allocates nothing per line, remembered per cart state: a frame over a 1,000-line cart
 * costs microseconds, not milliseconds.
 */
export function cartSummary(cart: CartState): CartSummary {
  const known = summaries.get(cart);
  if (known) return known;
  let subtotalFen = 0;
  let lineDiscounts = 0;
  let items = 0;
  for (const l of cart.lines) {
    const gross = lineGrossFen(l);
    subtotalFen += gross;
    lineDiscounts += discountFen(l.discount, gross);
    items += isWeighed(l) ? 1 : l.qty;
  }
  const linesNet = subtotalFen - lineDiscounts;
  const orderDiscountFen = discountFen(cart.orderDiscount, linesNet);
  const totalFen = linesNet - orderDiscountFen;
  const { paidFen, changeFen } = applyTenders(totalFen, cart.tenders);
  const summary = {
    subtotalFen,
    orderDiscountFen,
    discountFen: orderDiscountFen + lineDiscounts,
    totalFen,
    itemCount: items,
    linesNetFen: linesNet,
    paidFen,
    changeFen,
    dueFen: Math.max(0, totalFen - paidFen),
  };
  summaries.set(cart, summary);
  return summary;
}

/** A discount in fen against the price it applies to (percentages round half-up). */
export function discountFen(d: Discount | null, baseFen: number): number {
  if (!d) return 0;
  return d.kind === 'amount' ? d.fen : percentOfFen(baseFen, d.bp);
}

export interface CartTotals extends Totals {
  lines: SaleLine[];
  /** What the lines cost after their own discounts: the base a sale discount applies to. */
  linesNetFen: number;
  /** What the tenders so far pay toward the total. */
  paidFen: number;
  /** Still to pay (0 when paid). */
  dueFen: number;
  changeFen: number;
}

/** Prices every line and the order through core/sale.ts. */
export function cartTotals(cart: CartState): CartTotals {
  const lines = priceLines(cart.lines.map(lineDraft));
  const linesNet = linesNetFen(lines);
  const totals = computeTotals(lines, discountFen(cart.orderDiscount, linesNet));
  const { paidFen, changeFen } = applyTenders(totals.totalFen, cart.tenders);
  return { ...totals, lines, linesNetFen: linesNet, paidFen, changeFen, dueFen: Math.max(0, totals.totalFen - paidFen) };
}

function applyTenders(totalFen: number, tenders: TenderDraft[]): { paidFen: number; changeFen: number; payments: Payment[] } {
  let due = totalFen;
  const payments: Payment[] = [];
  for (const t of tenders) {
    const amountFen = Math.min(t.tenderedFen, Math.max(due, 0));
    payments.push({ method: t.method, amountFen, tenderedFen: t.tenderedFen, changeFen: t.tenderedFen - amountFen, reference: t.reference ?? null });
    due -= amountFen;
  }
  return { paidFen: payments.reduce((s, p) => s + p.amountFen, 0), changeFen: payments.reduce((s, p) => s + p.changeFen, 0), payments };
}

/** The tenders cover the total: the sale can be committed. */
export function isPaid(cart: CartState): boolean {
  if (cart.lines.length === 0) return false;
  const t = cartTotals(cart);
  return t.paidFen >= t.totalFen;
}

export function itemCount(cart: CartState): number {
  return cart.lines.reduce((s, l) => s + (isWeighed(l) ? 1 : l.qty), 0);
}

/** The draft `recordSale` commits. Throws SaleError (core/sale.ts) if the tenders do not settle. */
export function draftFromCart(cart: CartState, cashier: { id: string; name: string }): SaleDraft {
  const lines = cart.lines.map(lineDraft);
  const draft: SaleDraft = {
    cashierId: cashier.id,
    cashierName: cashier.name,
    lines,
    orderDiscountFen: discountFen(cart.orderDiscount, linesNetFen(priceLines(lines))),
    tenders: cart.tenders,
  };
  // Fail here, before any write, if the tenders do not settle the total.
  const totals = computeTotals(priceLines(lines), draft.orderDiscountFen);
  if (totals.totalFen > 0 || cart.tenders.length > 0) settleTenders(totals.totalFen, cart.tenders);
  return draft;
}

// ---- the reducer --------------------------------------------------------------------------

/**
 * Would this discount need a supervisor? Above the limit share of the price it is measured
 * against, the limit in fen rounded as a percentage discount is (so 10% off never exceeds a 10%
 * limit by rounding alone).
 */
export function discountOverLimit(fen: number, baseFen: number, policy: CartPolicy): boolean {
  return fen > percentOfFen(baseFen, policy.discountLimitBp);
}

/** The sale's whole discount (lines and sale) against its gross is above the limit. */
export function saleDiscountOverLimit(cart: CartState, policy: CartPolicy): boolean {
  const s = cartSummary(cart);
  return discountOverLimit(s.discountFen, s.subtotalFen, policy);
}

/**
 * A change that leaves the sale's discount above the limit and raises it — its share of the
 * gross (a second discount stacked on a first, a full-price line removed under an amount off) or
 * its amount (more goods under an approved 50% off: the supervisor approved ¥4.25, not ¥3,000) —
 * needs a supervisor. A change that lowers both, on a sale already approved, does not.
 */
function needsDiscountApproval(cart: CartState, next: CartState, policy: CartPolicy, approvedBy: string | undefined): boolean {
  if (approvedBy || !saleDiscountOverLimit(next, policy)) return false;
  const before = cartSummary(cart);
  const after = cartSummary(next);
  return after.discountFen > before.discountFen || after.discountFen * before.subtotalFen > before.discountFen * after.subtotalFen || before.subtotalFen === 0;
}

/** Why this line's text would make HQ refuse the sale (core/limits.ts), or null. */
function lineTextProblem(n: NewLine): string | null {
  if (n.name.trim() === '') return 'empty name';
  return textProblem(n.name, LIMITS.productName) ?? (n.barcode === null ? null : textProblem(n.barcode, LIMITS.barcode));
}

function sameGoods(l: CartLine, n: NewLine): boolean {
  return (
    l.productId !== null &&
    l.productId === n.productId &&
    l.barcode === n.barcode &&
    l.unitPriceFen === n.unitPriceFen &&
    !isWeighed(l) &&
    (n.qtyGrams ?? null) === null &&
    n.fixedPriceFen === undefined &&
    l.discount === null
  );
}

/** After a payment, anything that lowers the total needs a supervisor and may not go below what is paid. */
function guardLowering(cart: CartState, next: CartState, approvedBy: string | undefined): CartResult {
  if (cart.tenders.length === 0) return ok(next);
  const before = cartTotals(cart);
  const after = cartTotals(next);
  if (after.totalFen >= before.totalFen) return ok(next);
  if (!approvedBy) return refuse('needs-approval', { reason: 'after-payment' });
  if (after.totalFen < before.paidFen) return refuse('below-paid', { fen: before.paidFen });
  return ok(next);
}

function withLine(cart: CartState, index: number, line: CartLine): CartState {
  const lines = cart.lines.slice();
  lines[index] = line;
  return { ...cart, lines };
}

/** Checks that every discount still fits its price (after a quantity change, say). */
function discountsFit(cart: CartState): boolean {
  for (const l of cart.lines) {
    const d = lineDraft(l);
    if ((d.discountFen ?? 0) > lineGrossFen(d)) return false;
  }
  const subtotal = priceLines(cart.lines.map(lineDraft)).reduce((s, l) => s + l.lineTotalFen, 0);
  return discountFen(cart.orderDiscount, subtotal) <= subtotal;
}

export function reduceCart(cart: CartState, action: CartAction, policy: CartPolicy): CartResult {
  switch (action.type) {
    case 'addLine': {
      const qty = action.qty ?? 1;
      const n = action.line;
      const weighed = (n.qtyGrams ?? null) !== null || n.fixedPriceFen !== undefined;
      if (weighed && qty !== 1) return refuse('qty-weighed');
      if (!Number.isSafeInteger(qty) || qty < 1 || qty > MAX_QTY) return refuse('bad-qty');
      if (lineTextProblem(n)) return refuse('bad-line');
      const same = cart.lines.findIndex((l) => sameGoods(l, n));
      if (same >= 0) {
        const l = cart.lines[same];
        if (l.qty + qty > MAX_QTY) return refuse('bad-qty');
        const more = withLine(cart, same, { ...l, qty: l.qty + qty });
        if (needsDiscountApproval(cart, more, policy, action.approvedBy)) return refuse('needs-approval', { reason: 'discount-over-limit' });
        return ok(more);
      }
      if (cart.lines.length >= LIMITS.saleLines) return refuse('too-many-lines', { n: LIMITS.saleLines });
      const line: CartLine = {
        key: cart.nextKey,
        productId: n.productId,
        barcode: n.barcode,
        name: n.name,
        qty,
        qtyGrams: n.qtyGrams ?? null,
        unitPriceFen: n.unitPriceFen,
        ...(n.fixedPriceFen !== undefined ? { fixedPriceFen: n.fixedPriceFen } : {}),
        discount: null,
      };
      const added = { ...cart, lines: [...cart.lines, line], nextKey: cart.nextKey + 1 };
      if (needsDiscountApproval(cart, added, policy, action.approvedBy)) return refuse('needs-approval', { reason: 'discount-over-limit' });
      return ok(added);
    }
    case 'setQty': {
      const l = cart.lines[action.index];
      if (!l) return refuse('no-line');
      if (isWeighed(l)) return refuse('qty-weighed');
      if (!Number.isSafeInteger(action.qty) || action.qty < 1 || action.qty > MAX_QTY) return refuse('bad-qty');
      const next = withLine(cart, action.index, { ...l, qty: action.qty });
      if (!discountsFit(next)) return refuse('discount-too-big');
      if (needsDiscountApproval(cart, next, policy, action.approvedBy)) return refuse('needs-approval', { reason: 'discount-over-limit' });
      return guardLowering(cart, next, action.approvedBy);
    }
    case 'removeLine': {
      if (!cart.lines[action.index]) return refuse('no-line');
      if (cart.tenders.length > 0 && !action.approvedBy) return refuse('needs-approval', { reason: 'after-payment' });
      const next = { ...cart, lines: cart.lines.filter((_, i) => i !== action.index) };
      if (!discountsFit(next)) return refuse('discount-too-big');
      if (next.lines.length > 0 && needsDiscountApproval(cart, next, policy, action.approvedBy)) return refuse('needs-approval', { reason: 'discount-over-limit' });
      if (cart.tenders.length > 0 && cartTotals(next).totalFen < cartTotals(cart).paidFen) return refuse('below-paid', { fen: cartTotals(cart).paidFen });
      return ok(next);
    }
    case 'setLineDiscount': {
      const l = cart.lines[action.index];
      if (!l) return refuse('no-line');
      const gross = lineGrossFen(lineDraft({ ...l, discount: null }));
      const fen = discountFen(action.discount, gross);
      if (!validDiscount(action.discount) || fen > gross) return refuse('discount-too-big', { fen: gross });
      const next = withLine(cart, action.index, { ...l, discount: action.discount && fen > 0 ? action.discount : null });
      if (!discountsFit(next)) return refuse('discount-too-big', { fen: gross });
      // Over the limit on its own price, or stacked with the others over the sale's gross.
      const over = discountOverLimit(fen, gross, policy) && !action.approvedBy;
      if (over || needsDiscountApproval(cart, next, policy, action.approvedBy)) return refuse('needs-approval', { reason: 'discount-over-limit' });
      return guardLowering(cart, next, action.approvedBy);
    }
    case 'setOrderDiscount': {
      // A sale discount applies to what the lines cost after their own discounts.
      const base = cartSummary({ ...cart, orderDiscount: null, tenders: [] }).linesNetFen;
      const fen = discountFen(action.discount, base);
      if (!validDiscount(action.discount) || fen > base) return refuse('discount-too-big', { fen: base });
      const next = { ...cart, orderDiscount: action.discount && fen > 0 ? action.discount : null };
      const over = discountOverLimit(fen, base, policy) && !action.approvedBy;
      if (over || needsDiscountApproval(cart, next, policy, action.approvedBy)) return refuse('needs-approval', { reason: 'discount-over-limit' });
      return guardLowering(cart, next, action.approvedBy);
    }
    case 'addTender': {
      const t = action.tender;
      if (!Number.isSafeInteger(t.tenderedFen) || t.tenderedFen <= 0) return refuse('bad-amount');
      if (t.reference != null && textProblem(t.reference, LIMITS.paymentReference)) return refuse('bad-reference', { n: LIMITS.paymentReference });
      if (cart.tenders.length >= LIMITS.saleTenders) return refuse('too-many-tenders', { n: LIMITS.saleTenders });
      const totals = cartTotals(cart);
      if (totals.dueFen <= 0) return refuse('already-paid');
      if (t.method !== 'cash' && t.tenderedFen > totals.dueFen) return refuse('tender-over-due', { fen: totals.dueFen });
      return ok({ ...cart, tenders: [...cart.tenders, { method: t.method, tenderedFen: t.tenderedFen, reference: t.reference ?? null }] });
    }
    case 'removeLastTender': {
      if (cart.tenders.length === 0) return refuse('no-tender');
      if (!action.approvedBy) return refuse('needs-approval', { reason: 'after-payment' });
      return ok({ ...cart, tenders: cart.tenders.slice(0, -1) });
    }
    case 'clear': {
      if (cart.tenders.length > 0 && !action.approvedBy) return refuse('needs-approval', { reason: 'after-payment' });
      return ok({ ...EMPTY_CART, nextKey: cart.nextKey });
    }
    case 'restore': {
      if (cart.lines.length > 0 || cart.tenders.length > 0) return refuse('cart-not-empty');
      return ok(action.cart);
    }
  }
}

function validDiscount(d: Discount | null): boolean {
  if (!d) return true;
  if (d.kind === 'amount') return Number.isSafeInteger(d.fen) && d.fen >= 0;
  return Number.isSafeInteger(d.bp) && d.bp >= 0 && d.bp <= 10000;
}

// Stored carts (suspended sales, the open cart kept across a crash): core/cart-store.ts.
export { parseCart, serializeCart } from './cart-store.js';

export type { TenderDraft, TenderMethod };
