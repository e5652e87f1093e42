// Pure pricing of a finished basket: line totals, discounts, tenders and change. The checkout's
// cart, `till simulate sales` and the sale writer all go through these functions.
import { LIMITS, textProblem } from './limits.js';
import { weighedLineFen } from './money.js';
import type { Payment, Sale, SaleLine, TenderMethod } from './types.js';

export interface LineDraft {
  productId: number | null;
  barcode: string | null;
  name: string;
  qty: number;
  qtyGrams: number | null;
  unitPriceFen: number;
  discountFen?: number;
  /** A price fixed by an in-store label (price-embedded code): overrides qty × unit price. */
  fixedPriceFen?: number;
}

export interface TenderDraft {
  method: TenderMethod;
  /** Amount handed over; for cash it may exceed what is due (change is given). */
  tenderedFen: number;
  reference?: string | null;
}

export interface SaleDraft {
  cashierId: string;
  cashierName: string;
  lines: LineDraft[];
  orderDiscountFen?: number;
  tenders: TenderDraft[];
}

export class SaleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SaleError';
  }
}

/** Price of a line before its discount. */
export function lineGrossFen(l: LineDraft): number {
  if (l.fixedPriceFen !== undefined) return l.fixedPriceFen;
  if (l.qtyGrams !== null) return weighedLineFen(l.unitPriceFen, l.qtyGrams);
  return l.unitPriceFen * l.qty;
}

export function priceLines(drafts: LineDraft[]): SaleLine[] {
  return drafts.map((l, i) => {
    const gross = lineGrossFen(l);
    const discountFen = l.discountFen ?? 0;
    if (!Number.isSafeInteger(discountFen) || discountFen < 0 || discountFen > gross) {
      throw new SaleError(`line ${i + 1} (${l.name}): the discount must be between 0 and the line's price`);
    }
    if (l.qtyGrams === null && (!Number.isSafeInteger(l.qty) || l.qty <= 0)) {
      throw new SaleError(`line ${i + 1} (${l.name}): quantity must be a whole number above 0`);
    }
    return {
      lineNo: i + 1,
      productId: l.productId,
      barcode: l.barcode,
      name: l.name,
      qty: l.qtyGrams !== null ? 1 : l.qty,
      qtyGrams: l.qtyGrams,
      unitPriceFen: l.unitPriceFen,
      discountFen,
      lineTotalFen: gross - discountFen,
    };
  });
}

/**
 * A sale's figures, one definition everywhere (DESIGN.md): the screen's bar, the receipt, the
 * sale's JSON, the exports and HQ read these and nothing else.
 */
export interface Totals {
  /** Σ qty × unit price: every line's gross amount, before any discount. */
  subtotalFen: number;
  /** The discount on the whole sale alone (applied to what the lines cost after their own discounts). */
  orderDiscountFen: number;
  /** Σ line discounts + the sale discount. */
  discountFen: number;
  /** subtotal − discount. */
  totalFen: number;
  itemCount: number;
}

/** What the lines cost after their own discounts: the base of a sale discount. */
export function linesNetFen(lines: Pick<SaleLine, 'lineTotalFen'>[]): number {
  return lines.reduce((s, l) => s + l.lineTotalFen, 0);
}

export function computeTotals(lines: SaleLine[], orderDiscountFen = 0): Totals {
  let subtotalFen = 0;
  let lineDiscountFen = 0;
  for (const l of lines) {
    subtotalFen += l.lineTotalFen + l.discountFen;
    lineDiscountFen += l.discountFen;
  }
  const net = subtotalFen - lineDiscountFen;
  if (!Number.isSafeInteger(orderDiscountFen) || orderDiscountFen < 0 || orderDiscountFen > net) {
    throw new SaleError('the order discount must be between 0 and what the lines cost after their discounts');
  }
  const discountFen = lineDiscountFen + orderDiscountFen;
  return {
    subtotalFen,
    orderDiscountFen,
    discountFen,
    totalFen: subtotalFen - discountFen,
    itemCount: lines.reduce((s, l) => s + (l.qtyGrams !== null ? 1 : l.qty), 0),
  };
}

/**
 * Applies tenders in order to what is due. Only cash may exceed what is left (change is given);
 * card and QR tenders must not overpay. Throws unless the tenders cover the total.
 */
export function settleTenders(totalFen: number, tenders: TenderDraft[]): { payments: Payment[]; paidFen: number; changeFen: number } {
  let due = totalFen;
  const payments: Payment[] = [];
  for (const t of tenders) {
    if (!Number.isSafeInteger(t.tenderedFen) || t.tenderedFen <= 0) throw new SaleError('a tender must be a positive amount');
    if (due <= 0) throw new SaleError('the sale is already paid; remove the extra tender');
    if (t.method !== 'cash' && t.tenderedFen > due) throw new SaleError(`${t.method} cannot pay more than is due (${due} fen)`);
    const amountFen = Math.min(t.tenderedFen, due);
    const changeFen = t.tenderedFen - amountFen;
    due -= amountFen;
    payments.push({ method: t.method, amountFen, tenderedFen: t.tenderedFen, changeFen, reference: t.reference ?? null });
  }
  if (due > 0) throw new SaleError(`the tenders leave ${due} fen unpaid`);
  const paidFen = payments.reduce((s, p) => s + p.amountFen, 0);
  const changeFen = payments.reduce((s, p) => s + p.changeFen, 0);
  return { payments, paidFen, changeFen };
}

export interface SaleContext {
  id: string;
  receiptNo: string;
  storeCode: string;
  tillCode: string;
  seq: number;
  createdAt: string;
}

/**
 * The first way a sale would break a limit HQ holds it to (core/limits.ts), or null. The cart
 * refuses these as they happen; this is the last check before a sale is written, so that what
 * the till commits HQ accepts.
 */
export function saleLimitProblem(draft: SaleDraft, ctx: Pick<SaleContext, 'receiptNo' | 'storeCode' | 'tillCode'>): string | null {
  if (draft.lines.length > LIMITS.saleLines) return `a sale may have at most ${LIMITS.saleLines} lines (this one has ${draft.lines.length})`;
  if (draft.tenders.length > LIMITS.saleTenders) return `a sale may have at most ${LIMITS.saleTenders} payments (this one has ${draft.tenders.length})`;
  const texts: Array<[string, string, number, boolean]> = [
    ['the cashier id', draft.cashierId, LIMITS.cashierId, true],
    ['the cashier name', draft.cashierName, LIMITS.cashierName, false],
    ['the receipt number', ctx.receiptNo, LIMITS.receiptNo, true],
    ['the store code', ctx.storeCode, LIMITS.storeCode, true],
    ['the till code', ctx.tillCode, LIMITS.tillCode, true],
  ];
  draft.lines.forEach((l, i) => {
    texts.push([`line ${i + 1}'s name`, l.name, LIMITS.productName, true]);
    if (l.barcode !== null) texts.push([`line ${i + 1}'s barcode`, l.barcode, LIMITS.barcode, false]);
  });
  draft.tenders.forEach((t, i) => {
    if (t.reference != null) texts.push([`payment ${i + 1}'s reference`, t.reference, LIMITS.paymentReference, false]);
  });
  for (const [what, value, max, required] of texts) {
    if (required && value.length === 0) return `${what} is empty`;
    const problem = textProblem(value, max);
    if (problem) return `${what} ${problem}`;
  }
  for (const [i, l] of draft.lines.entries()) {
    if (l.qtyGrams !== null && (!Number.isSafeInteger(l.qtyGrams) || l.qtyGrams <= 0)) return `line ${i + 1}: a weight must be a whole number of grams above 0`;
    if (!Number.isSafeInteger(l.unitPriceFen) || l.unitPriceFen < 0) return `line ${i + 1}: the unit price must be 0 or more fen`;
  }
  return null;
}

export function buildSale(draft: SaleDraft, ctx: SaleContext): Sale {
  if (draft.lines.length === 0) throw new SaleError('a sale needs at least one line');
  const limit = saleLimitProblem(draft, ctx);
  if (limit) throw new SaleError(limit);
  const lines = priceLines(draft.lines);
  const totals = computeTotals(lines, draft.orderDiscountFen ?? 0);
  const settled = totals.totalFen === 0 && draft.tenders.length === 0 ? { payments: [], paidFen: 0, changeFen: 0 } : settleTenders(totals.totalFen, draft.tenders);
  return {
    ...ctx,
    cashierId: draft.cashierId,
    cashierName: draft.cashierName,
    status: 'completed',
    ...totals,
    paidFen: settled.paidFen,
    changeFen: settled.changeFen,
    lines,
    payments: settled.payments,
  };
}

/**
 * Splits `amountFen` (a sale discount) over lines in proportion to `weightsFen` (what each line
 * costs after its own discount) by largest remainder: each line gets the floor of its exact
 * share, and the fen left over go one each to the lines with the largest remainders (the
 * earlier line first on a tie). The shares sum to exactly `amountFen` and none exceeds its
 * weight. Returns and the store's day need it to refund a line's true price.
 */
export function allocateByLargestRemainder(amountFen: number, weightsFen: number[]): number[] {
  if (!Number.isSafeInteger(amountFen) || amountFen < 0) throw new SaleError('the amount to allocate must be 0 or more fen');
  if (weightsFen.some((w) => !Number.isSafeInteger(w) || w < 0)) throw new SaleError('the weights must be 0 or more fen');
  const total = weightsFen.reduce((s, w) => s + BigInt(w), 0n);
  if (BigInt(amountFen) > total) throw new SaleError(`cannot allocate ${amountFen} fen over lines worth ${total} fen`);
  if (amountFen === 0 || total === 0n) return weightsFen.map(() => 0);
  const amount = BigInt(amountFen);
  const shares = weightsFen.map((w) => Number((amount * BigInt(w)) / total));
  const remainders = weightsFen.map((w, i) => ({ i, r: (amount * BigInt(w)) % total }));
  remainders.sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  let left = amountFen - shares.reduce((s, x) => s + x, 0);
  for (const { i } of remainders) {
    if (left === 0) break;
    shares[i] += 1;
    left -= 1;
  }
  return shares;
}

/** The sale discount's share of each line (by what the line costs after its own discount). */
export function saleDiscountByLine(sale: { orderDiscountFen: number; lines: Pick<SaleLine, 'lineTotalFen'>[] }): number[] {
  return allocateByLargestRemainder(sale.orderDiscountFen, sale.lines.map((l) => l.lineTotalFen));
}
