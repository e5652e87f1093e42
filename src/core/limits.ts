// What HQ accepts (DESIGN.md, "What the till commits, HQ accepts"): one set of limits, used by
// the wire schemas in sync/protocol.ts (which re-exports them) and checked where data enters
// the till — the cart, the payment input, the product writers and both imports — so that no
// sale is quarantined for breaking a limit the till could have checked. Pure: core imports
// nothing from the network, so the numbers live here and the protocol reads them.

export const LIMITS = {
  /** Lines of one sale. */
  saleLines: 500,
  /** Tenders (payments) of one sale. */
  saleTenders: 20,
  /** A card reference or a WeChat/Alipay payment code. */
  paymentReference: 64,
  cashierId: 16,
  cashierName: 64,
  storeCode: 16,
  tillCode: 16,
  receiptNo: 64,
  productName: 200,
  /** One barcode (a sale line's code, a product's code). */
  barcode: 64,
  /** Barcodes of one product. */
  productBarcodes: 20,
  unit: 16,
  category: 64,
  /** A reason typed for a return, a pay-in/out or an approval (db/returns.ts REASON_MAX). */
  reason: 200,
  /** An approval's description in words. */
  eventDetail: 10_000,
} as const;

// C0 controls, DEL and C1 controls: printer commands on a receipt, a NUL that PostgreSQL's text
// refuses (HQ quarantines any sale holding one), line breaks that split a CSV row.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

export function hasControlChar(s: string): boolean {
  return CONTROL.test(s);
}

/** Where a control character sits, for a message a person can act on ("U+0000 at 12"). */
export function describeControlChar(s: string): string {
  const i = s.search(CONTROL);
  return `U+${s.charCodeAt(i).toString(16).toUpperCase().padStart(4, '0')} at character ${i + 1}`;
}

/**
 * Why a text field breaks the limits (too long, or a control character), or null when it fits.
 * Lengths count UTF-16 code units, as the wire schema (zod `max`) does.
 */
export function textProblem(s: string, max: number): string | null {
  if (s.length > max) return `is longer than ${max} characters`;
  if (hasControlChar(s)) return `holds a control character (${describeControlChar(s)})`;
  return null;
}

/**
 * The first text field of a product that breaks the catalog's limits (the product writers at
 * the till and at HQ, both imports), as "<field> <problem>", or null. `name` is as stored
 * (trimmed by the caller).
 */
export function productTextProblem(p: { name: string; unit?: string | null; category?: string | null }): string | null {
  const fields: Array<[string, string | null | undefined, number]> = [
    ['the name', p.name, LIMITS.productName],
    ['the unit', p.unit, LIMITS.unit],
    ['the category', p.category, LIMITS.category],
  ];
  for (const [what, value, max] of fields) {
    const problem = value == null ? null : textProblem(value, max);
    if (problem) return `${what} ${problem}`;
  }
  return null;
}
