// What HQ accepts as a sale (pure; no database): the wire schema, the till it came from, and
// totals that add up. A sale failing here is quarantined, never silently dropped or "fixed".
import { createHash } from 'node:crypto';
import { parseDay } from '../core/dates.js';
import { canonicalJson, saleSchema, type WireSale } from '../sync/protocol.js';

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export interface TillIdentity {
  storeCode: string;
  tillCode: string;
}

/**
 * A sale as HQ received it: its text as stored (a valid sale in the schema's key order with
 * unknown keys dropped — the same content always gives the same text, whatever key order the
 * till sent; anything else as canonical JSON), the sha256 of that text, and the parsed sale.
 */
export interface Examined {
  text: string;
  hash: string;
  sale?: WireSale;
  schemaError?: string;
}

export function examineSale(raw: unknown): Examined {
  const parsed = saleSchema.safeParse(raw);
  if (parsed.success) {
    const text = JSON.stringify(parsed.data);
    return { text, hash: sha256(text), sale: parsed.data };
  }
  const issue = parsed.error.issues[0];
  const where = issue.path.length ? issue.path.join('.') : 'sale';
  const text = canonicalJson(raw);
  return { text, hash: sha256(text), schemaError: `not a valid sale: ${where}: ${issue.message}` };
}

/** Why HQ must not take this sale as seq `seq` of `till`, or null when it may. */
export function ruleBroken(e: Examined, seq: number, till: TillIdentity): string | null {
  if (!e.sale) return e.schemaError ?? 'not a valid sale';
  const s = e.sale;
  if (s.seq !== seq) return `the sale says seq ${s.seq} but was uploaded as seq ${seq}`;
  if (s.storeCode !== till.storeCode || s.tillCode !== till.tillCode) {
    return `the sale belongs to store ${s.storeCode} till ${s.tillCode}, but was uploaded by ${till.storeCode}/${till.tillCode}`;
  }
  // A NUL in any text field shows in the JSON as an unescaped \u0000 (PostgreSQL text refuses it).
  if (NUL_IN_JSON.test(e.text)) return 'the sale contains a NUL character in a text field';
  const totals = totalsProblem(s);
  return totals ? `inconsistent totals: ${totals}` : null;
}

/** `\u0000` preceded by an even number of backslashes (an odd number escapes the first one). */
const NUL_IN_JSON = /(?:^|[^\\])(?:\\\\)*\\u0000/;

export function checkSale(raw: unknown, seq: number, till: TillIdentity): { ok: true; sale: WireSale } | { ok: false; reason: string } {
  const e = examineSale(raw);
  const reason = ruleBroken(e, seq, till);
  return reason === null ? { ok: true, sale: e.sale! } : { ok: false, reason };
}

/** The first way the sale's amounts disagree with each other, or null. */
export function totalsProblem(s: WireSale): string | null {
  const seen = new Set<number>();
  for (const l of s.lines) {
    if (seen.has(l.lineNo)) return `line number ${l.lineNo} appears twice`;
    seen.add(l.lineNo);
  }
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  // subtotal = Σ gross (line total + line discount), total = subtotal − discount (DESIGN.md).
  // Tills from before that definition sent the lines' net as subtotalFen: still accepted.
  const lineTotals = sum(s.lines.map((l) => l.lineTotalFen));
  const gross = lineTotals + sum(s.lines.map((l) => l.discountFen));
  if (s.subtotalFen !== gross && s.subtotalFen !== lineTotals) return `subtotalFen ${s.subtotalFen} != sum of line amounts before discounts ${gross}`;
  if (s.orderDiscountFen > lineTotals) return `orderDiscountFen ${s.orderDiscountFen} exceeds the line totals ${lineTotals}`;
  if (s.totalFen !== lineTotals - s.orderDiscountFen) return `totalFen ${s.totalFen} != subtotalFen ${gross} - discountFen ${s.discountFen}`;
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

/**
 * The sale's business day, YYYY-MM-DD: the one the till computed and sent (protocol 2). A
 * protocol 1 sale has none: its receipt number carries the till's local day
 * (`<store>-<till>-<yyyymmdd>-<n>`, DESIGN.md); failing that, the UTC day of createdAt.
 */
export function businessDay(s: Pick<WireSale, 'receiptNo' | 'createdAt'> & { businessDate?: string }): string {
  if (s.businessDate !== undefined && parseDay(s.businessDate)) return s.businessDate;
  const m = /-(\d{4})(\d{2})(\d{2})-\d+$/.exec(s.receiptNo);
  if (m && Number(m[2]) >= 1 && Number(m[2]) <= 12 && Number(m[3]) >= 1 && Number(m[3]) <= 31) return `${m[1]}-${m[2]}-${m[3]}`;
  return s.createdAt.slice(0, 10);
}
