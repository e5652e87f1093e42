// What HQ accepts as a sale (pure; no database): the wire schema, the till it came from, and
// totals that add up. A sale failing here is quarantined, never silently dropped or "fixed".
import { saleSchema, type WireSale } from '../sync/protocol.js';

export interface TillIdentity {
  storeCode: string;
  tillCode: string;
}

export type Verdict = { ok: true; sale: WireSale } | { ok: false; reason: string };

export function checkSale(raw: unknown, seq: number, till: TillIdentity): Verdict {
  const parsed = saleSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length ? issue.path.join('.') : 'sale';
    return { ok: false, reason: `not a valid sale: ${where}: ${issue.message}` };
  }
  const s = parsed.data;
  if (s.seq !== seq) return { ok: false, reason: `the sale says seq ${s.seq} but was uploaded as seq ${seq}` };
  if (s.storeCode !== till.storeCode || s.tillCode !== till.tillCode) {
    return { ok: false, reason: `the sale belongs to store ${s.storeCode} till ${s.tillCode}, but was uploaded by ${till.storeCode}/${till.tillCode}` };
  }
  if (hasNul(s)) return { ok: false, reason: 'the sale contains a NUL character in a text field' };
  const totals = totalsProblem(s);
  if (totals) return { ok: false, reason: `inconsistent totals: ${totals}` };
  return { ok: true, sale: s };
}

/** The first way the sale's amounts disagree with each other, or null. */
export function totalsProblem(s: WireSale): string | null {
  const seen = new Set<number>();
  for (const l of s.lines) {
    if (seen.has(l.lineNo)) return `line number ${l.lineNo} appears twice`;
    seen.add(l.lineNo);
  }
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const lineTotals = sum(s.lines.map((l) => l.lineTotalFen));
  if (s.subtotalFen !== lineTotals) return `subtotalFen ${s.subtotalFen} != sum of line totals ${lineTotals}`;
  if (s.orderDiscountFen > s.subtotalFen) return `orderDiscountFen ${s.orderDiscountFen} exceeds subtotalFen ${s.subtotalFen}`;
  if (s.totalFen !== s.subtotalFen - s.orderDiscountFen) return `totalFen ${s.totalFen} != subtotalFen ${s.subtotalFen} - orderDiscountFen ${s.orderDiscountFen}`;
  const discounts = s.orderDiscountFen + sum(s.lines.map((l) => l.discountFen));
  if (s.discountFen !== discounts) return `discountFen ${s.discountFen} != order discount + line discounts ${discounts}`;
  for (const [i, p] of s.payments.entries()) {
    if (p.tenderedFen !== p.amountFen + p.changeFen) return `payment ${i + 1}: tenderedFen ${p.tenderedFen} != amountFen ${p.amountFen} + changeFen ${p.changeFen}`;
  }
  const paid = sum(s.payments.map((p) => p.amountFen));
  if (s.paidFen !== paid) return `paidFen ${s.paidFen} != sum of payments ${paid}`;
  const change = sum(s.payments.map((p) => p.changeFen));
  if (s.changeFen !== change) return `changeFen ${s.changeFen} != sum of change ${change}`;
  if (s.status === 'completed' && s.paidFen !== s.totalFen) return `a completed sale must be paid in full: paidFen ${s.paidFen}, totalFen ${s.totalFen}`;
  return null;
}

function hasNul(v: unknown): boolean {
  if (typeof v === 'string') return v.includes('\u0000');
  if (Array.isArray(v)) return v.some(hasNul);
  if (v && typeof v === 'object') return Object.values(v).some(hasNul);
  return false;
}

/**
 * The sale's business day, YYYY-MM-DD. The receipt number carries the till's local day
 * (`<store>-<till>-<yyyymmdd>-<n>`, DESIGN.md); failing that, the UTC day of createdAt.
 */
export function businessDay(s: Pick<WireSale, 'receiptNo' | 'createdAt'>): string {
  const m = /-(\d{4})(\d{2})(\d{2})-\d+$/.exec(s.receiptNo);
  if (m && Number(m[2]) >= 1 && Number(m[2]) <= 12 && Number(m[3]) >= 1 && Number(m[3]) <= 31) return `${m[1]}-${m[2]}-${m[3]}`;
  return s.createdAt.slice(0, 10);
}
