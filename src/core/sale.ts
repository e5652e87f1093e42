// Pure pricing of a finished basket: line totals, discounts, tenders and change. The checkout's
// cart, `till simulate sales` and the sale writer all go through these functions.
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

export interface Totals {
  subtotalFen: number;
  orderDiscountFen: number;
  discountFen: number;
  totalFen: number;
  itemCount: number;
}

export function computeTotals(lines: SaleLine[], orderDiscountFen = 0): Totals {
  const subtotalFen = lines.reduce((s, l) => s + l.lineTotalFen, 0);
  if (!Number.isSafeInteger(orderDiscountFen) || orderDiscountFen < 0 || orderDiscountFen > subtotalFen) {
    throw new SaleError('the order discount must be between 0 and the subtotal');
  }
  return {
    subtotalFen,
    orderDiscountFen,
    discountFen: orderDiscountFen + lines.reduce((s, l) => s + l.discountFen, 0),
    totalFen: subtotalFen - orderDiscountFen,
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

export function buildSale(draft: SaleDraft, ctx: SaleContext): Sale {
  if (draft.lines.length === 0) throw new SaleError('a sale needs at least one line');
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
