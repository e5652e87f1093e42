// Refunds of a return, pure: which lines come back, what each refunds, and which tenders the
// money goes to. The till's writer (db/returns.ts) runs this inside the return's transaction
// with what was already returned of the sale, so two returns of one line cannot both pass.
//
// What a line refunds is what the customer actually paid for it: its total after its own
// discount, less its share of the sale discount (core/sale.ts saleDiscountByLine, stored at sale
// time). A part of a line refunds the paid amount in proportion, counted on the cumulative
// quantity returned (floor of paid × returned ÷ sold, less what the line already refunded), so
// the parts of a line always add up to exactly what was paid for it, and a whole-sale return
// refunds exactly the sale's total.
//
// Where the money goes (--refund original): back to the sale's own tenders, each up to what it
// paid less what it has already refunded; card, WeChat and Alipay first, in the order they were
// paid, cash last. Money goes back to the account it came from as far as it can, and the drawer
// gives out cash only for what was paid in cash. --refund cash pays it all out of the drawer.
import { formatFen } from './money.js';
import type { TenderMethod } from './types.js';

export type RefundMode = 'original' | 'cash';
export const REFUND_MODES: RefundMode[] = ['original', 'cash'];

export interface RefundableLine {
  lineNo: number;
  name: string;
  /** Units sold (1 for a weighed line). */
  qty: number;
  /** Grams of a weighed line, else null: a weighed line comes back whole or not at all. */
  qtyGrams: number | null;
  /** The line's total after its own discount. */
  lineTotalFen: number;
  /** The line's share of the sale discount. */
  saleDiscountFen: number;
}

export interface RefundablePayment {
  /** payments.idx: 1-based position of the tender in the sale. */
  idx: number;
  method: TenderMethod;
  /** What the tender paid toward the sale (after change). */
  amountFen: number;
}

export interface RefundableSale {
  totalFen: number;
  lines: RefundableLine[];
  payments: RefundablePayment[];
}

/** What earlier returns of the sale took back. */
export interface PriorReturn {
  lines: Array<{ lineNo: number; qty: number; refundFen: number }>;
  tenders: Array<{ paymentIdx: number | null; amountFen: number }>;
}

export interface RefundRequest {
  /** The lines to return; a line without qty comes back whole (what is left of it). Omitted: every line left. */
  lines?: Array<{ lineNo: number; qty?: number }>;
  mode: RefundMode;
}

export interface RefundLine {
  lineNo: number;
  qty: number;
  qtyGrams: number | null;
  refundFen: number;
}

export interface RefundTender {
  /** The sale's payment refunded to, or null for cash given instead. */
  paymentIdx: number | null;
  method: TenderMethod;
  amountFen: number;
}

export interface RefundPlan {
  lines: RefundLine[];
  tenders: RefundTender[];
  refundFen: number;
  /** Every line of the sale is back in full after this return. */
  completesSale: boolean;
}

export class RefundError extends Error {
  constructor(
    message: string,
    readonly code: 'E_NOT_ON_SALE' | 'E_ALREADY_RETURNED' | 'E_BEYOND_SOLD' | 'E_WEIGHED_PARTIAL' | 'E_BAD_QTY' | 'E_BEYOND_PAID',
  ) {
    super(message);
    this.name = 'RefundError';
  }
}

/** What the customer paid for a line: its total after its own discount and its sale-discount share. */
export function linePaidFen(l: Pick<RefundableLine, 'lineTotalFen' | 'saleDiscountFen'>): number {
  return l.lineTotalFen - l.saleDiscountFen;
}

/** Units of each line already returned and what they refunded. */
export function returnedByLine(prior: PriorReturn[]): Map<number, { qty: number; refundFen: number }> {
  const m = new Map<number, { qty: number; refundFen: number }>();
  for (const r of prior)
    for (const l of r.lines) {
      const seen = m.get(l.lineNo) ?? { qty: 0, refundFen: 0 };
      m.set(l.lineNo, { qty: seen.qty + l.qty, refundFen: seen.refundFen + l.refundFen });
    }
  return m;
}

/** floor(paid × returned ÷ sold) without leaving the safe integers on the way. */
function cumulativeRefund(paidFen: number, returnedQty: number, soldQty: number): number {
  return Number((BigInt(paidFen) * BigInt(returnedQty)) / BigInt(soldQty));
}

/** Plans a return; throws RefundError (with a message a cashier can act on) when it cannot be. */
export function planRefund(sale: RefundableSale, prior: PriorReturn[], req: RefundRequest): RefundPlan {
  const done = returnedByLine(prior);
  const byNo = new Map(sale.lines.map((l) => [l.lineNo, l]));
  const wanted: Array<{ lineNo: number; qty?: number }> = req.lines ?? sale.lines.filter((l) => (done.get(l.lineNo)?.qty ?? 0) < l.qty).map((l) => ({ lineNo: l.lineNo }));
  if (wanted.length === 0) throw new RefundError('Everything on this sale has already been returned.', 'E_ALREADY_RETURNED');

  const seen = new Set<number>();
  const lines: RefundLine[] = [];
  for (const w of wanted) {
    const l = byNo.get(w.lineNo);
    if (!l) throw new RefundError(`Line ${w.lineNo} is not on this sale (it has lines 1 to ${sale.lines.length}).`, 'E_NOT_ON_SALE');
    if (seen.has(w.lineNo)) throw new RefundError(`Line ${w.lineNo} is named twice; give each line once with the quantity to return.`, 'E_BAD_QTY');
    seen.add(w.lineNo);
    const before = done.get(l.lineNo) ?? { qty: 0, refundFen: 0 };
    const left = l.qty - before.qty;
    if (left <= 0) throw new RefundError(`Line ${l.lineNo} (${l.name}) has already been returned in full.`, 'E_ALREADY_RETURNED');
    if (w.qty !== undefined && (!Number.isSafeInteger(w.qty) || w.qty <= 0)) throw new RefundError(`Line ${l.lineNo}: the quantity to return must be a whole number above 0.`, 'E_BAD_QTY');
    if (l.qtyGrams !== null && w.qty !== undefined && w.qty !== l.qty) {
      throw new RefundError(`Line ${l.lineNo} (${l.name}) was weighed: it is returned whole or not at all (leave --qty out).`, 'E_WEIGHED_PARTIAL');
    }
    const qty = w.qty ?? left;
    if (qty > left) {
      throw new RefundError(`Line ${l.lineNo} (${l.name}): only ${left} of the ${l.qty} sold can still be returned, not ${qty}.`, 'E_BEYOND_SOLD');
    }
    const paid = linePaidFen(l);
    const refundFen = Math.max(0, cumulativeRefund(paid, before.qty + qty, l.qty) - before.refundFen);
    lines.push({ lineNo: l.lineNo, qty, qtyGrams: l.qtyGrams, refundFen });
  }
  lines.sort((a, b) => a.lineNo - b.lineNo);

  const refundFen = lines.reduce((s, l) => s + l.refundFen, 0);
  const refundedBefore = prior.reduce((s, r) => s + r.lines.reduce((t, l) => t + l.refundFen, 0), 0);
  if (refundedBefore + refundFen > sale.totalFen) {
    throw new RefundError(`This return would bring the sale's refunds to ¥${formatFen(refundedBefore + refundFen)}, more than its total of ¥${formatFen(sale.totalFen)}.`, 'E_BEYOND_PAID');
  }
  const completesSale = sale.lines.every((l) => (done.get(l.lineNo)?.qty ?? 0) + (lines.find((x) => x.lineNo === l.lineNo)?.qty ?? 0) >= l.qty);
  return { lines, tenders: refundTenders(sale.payments, prior, refundFen, req.mode), refundFen, completesSale };
}

/** Splits a refund over the tenders (see the head of this file for the order). */
export function refundTenders(payments: RefundablePayment[], prior: PriorReturn[], refundFen: number, mode: RefundMode): RefundTender[] {
  if (refundFen === 0) return [];
  if (mode === 'cash') return [{ paymentIdx: null, method: 'cash', amountFen: refundFen }];
  const used = new Map<number, number>();
  for (const r of prior) for (const t of r.tenders) if (t.paymentIdx !== null) used.set(t.paymentIdx, (used.get(t.paymentIdx) ?? 0) + t.amountFen);
  const order = [...payments.filter((p) => p.method !== 'cash'), ...payments.filter((p) => p.method === 'cash')];
  const out: RefundTender[] = [];
  let left = refundFen;
  for (const p of order) {
    if (left === 0) break;
    const room = Math.max(0, p.amountFen - (used.get(p.idx) ?? 0));
    const take = Math.min(room, left);
    if (take > 0) out.push({ paymentIdx: p.idx, method: p.method, amountFen: take });
    left -= take;
  }
  // Not reachable while the payments sum to the total (the tenders' room is at least what is left
  // to refund); kept so that a refund is never short of where it went.
  if (left > 0) out.push({ paymentIdx: null, method: 'cash', amountFen: left });
  return out;
}
