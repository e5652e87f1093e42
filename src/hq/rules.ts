// What HQ accepts as a sale (pure; no database): the wire schema, the till it came from, and
// totals that add up. A sale failing here is quarantined, never silently dropped or "fixed".
import { createHash } from 'node:crypto';
import { parseDay } from '../core/dates.js';
import { canonicalJson, saleSchema, type WireEvent, type WireSale } from '../sync/protocol.js';

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
  /** An event other than a sale (protocol 3; src/hq/events.ts examineEvent). */
  event?: WireEvent;
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

/** What HQ finds plausible; beyond it a sale is quarantined for a person to check. */
export interface SaleLimits {
  /** Largest sale in fen (gross, before discounts): default ¥100,000. 0 = no cap. */
  maxSaleFen?: number;
}

export const DEFAULT_MAX_SALE_FEN = 10_000_000;

/** Why HQ must not take this sale as seq `seq` of `till`, or null when it may. */
export function ruleBroken(e: Examined, seq: number, till: TillIdentity, limits: SaleLimits = {}): string | null {
  const who = identityProblem(e, seq, till);
  if (who !== null) return who;
  const totals = totalsProblem(e.sale!);
  if (totals) return `inconsistent totals: ${totals}`;
  return plausibilityProblem(e.sale!, limits);
}

/**
 * Why this upload cannot be stored as seq `seq` of `till` at all, whatever its figures: not a
 * sale, another seq or till, text PostgreSQL cannot hold. An admin may accept a sale whose
 * figures were refused (`till hq quarantine accept`), never one that fails here.
 */
export function identityProblem(e: Examined, seq: number, till: TillIdentity): string | null {
  if (!e.sale) return e.schemaError ?? 'not a valid sale';
  const s = e.sale;
  if (s.seq !== seq) return `the sale says seq ${s.seq} but was uploaded as seq ${seq}`;
  if (s.storeCode !== till.storeCode || s.tillCode !== till.tillCode) {
    return `the sale belongs to store ${s.storeCode} till ${s.tillCode}, but was uploaded by ${till.storeCode}/${till.tillCode}`;
  }
  // A NUL in any text field shows in the JSON as an unescaped \u0000 (PostgreSQL text refuses it).
  if (NUL_IN_JSON.test(e.text)) return 'the sale contains a NUL character in a text field';
  return null;
}

/** `\u0000` preceded by an even number of backslashes (an odd number escapes the first one). */
const NUL_IN_JSON = /(?:^|[^\\])(?:\\\\)*\\u0000/;

export function checkSale(raw: unknown, seq: number, till: TillIdentity, limits: SaleLimits = {}): { ok: true; sale: WireSale } | { ok: false; reason: string } {
  const e = examineSale(raw);
  const reason = ruleBroken(e, seq, till, limits);
  return reason === null ? { ok: true, sale: e.sale! } : { ok: false, reason };
}

/**
 * A line's price before its discount, as the till computes it (src/core/sale.ts): qty × unit
 * price, or for a weighed line price per kg × grams / 1000 rounded half-up. BigInt: a forged
 * line must not round its way into agreement.
 */
export function lineGross(l: Pick<WireSale['lines'][number], 'qty' | 'qtyGrams' | 'unitPriceFen'>): bigint {
  if (l.qtyGrams === null) return BigInt(l.qty) * BigInt(l.unitPriceFen);
  return (BigInt(l.unitPriceFen) * BigInt(l.qtyGrams) * 2n + 1000n) / 2000n;
}

/** The first way the sale's amounts disagree with each other, or null. */
export function totalsProblem(s: WireSale): string | null {
  const seen = new Set<number>();
  let items = 0;
  for (const l of s.lines) {
    if (seen.has(l.lineNo)) return `line number ${l.lineNo} appears twice`;
    seen.add(l.lineNo);
    const at = `line ${l.lineNo}`;
    if (l.qtyGrams !== null && l.qty !== 1) return `${at}: a weighed line has qty 1, got ${l.qty}`;
    const g = lineGross(l);
    if (BigInt(l.discountFen) > g) return `${at}: discountFen ${l.discountFen} exceeds the line's price ${g}`;
    const how = l.qtyGrams === null ? `${l.qty} × ${l.unitPriceFen}` : `${l.qtyGrams} g × ${l.unitPriceFen}/kg`;
    if (BigInt(l.lineTotalFen) !== g - BigInt(l.discountFen)) return `${at}: lineTotalFen ${l.lineTotalFen} != ${how} - discountFen ${l.discountFen}`;
    items += l.qtyGrams === null ? l.qty : 1;
  }
  if (s.itemCount !== items) return `itemCount ${s.itemCount} != ${items} items in the lines`;
  // BigInt sums: amounts near 2^53 must not round into agreement.
  const sum = (xs: number[]) => xs.reduce((a, b) => a + BigInt(b), 0n);
  const n = BigInt;
  // subtotal = Σ gross (line total + line discount), total = subtotal − discount (DESIGN.md).
  // Tills from before that definition sent the lines' net as subtotalFen: still accepted.
  const lineTotals = sum(s.lines.map((l) => l.lineTotalFen));
  const gross = lineTotals + sum(s.lines.map((l) => l.discountFen));
  if (n(s.subtotalFen) !== gross && n(s.subtotalFen) !== lineTotals) return `subtotalFen ${s.subtotalFen} != sum of line amounts before discounts ${gross}`;
  if (n(s.orderDiscountFen) > lineTotals) return `orderDiscountFen ${s.orderDiscountFen} exceeds the line totals ${lineTotals}`;
  if (n(s.totalFen) !== lineTotals - n(s.orderDiscountFen)) return `totalFen ${s.totalFen} != subtotalFen ${gross} - discountFen ${s.discountFen}`;
  const discounts = n(s.orderDiscountFen) + sum(s.lines.map((l) => l.discountFen));
  if (n(s.discountFen) !== discounts) return `discountFen ${s.discountFen} != order discount + line discounts ${discounts}`;
  for (const [i, p] of s.payments.entries()) {
    if (n(p.tenderedFen) !== n(p.amountFen) + n(p.changeFen)) return `payment ${i + 1}: tenderedFen ${p.tenderedFen} != amountFen ${p.amountFen} + changeFen ${p.changeFen}`;
    if (p.changeFen > 0 && p.method !== 'cash') return `payment ${i + 1}: ${p.method} gives no change, got changeFen ${p.changeFen}`;
    if (p.changeFen > 0 && i !== s.payments.length - 1) return `payment ${i + 1} gives change but is followed by another payment`;
  }
  const paid = sum(s.payments.map((p) => p.amountFen));
  if (n(s.paidFen) !== paid) return `paidFen ${s.paidFen} != sum of payments ${paid}`;
  const change = sum(s.payments.map((p) => p.changeFen));
  if (n(s.changeFen) !== change) return `changeFen ${s.changeFen} != sum of change ${change}`;
  if (s.status === 'completed' && s.paidFen !== s.totalFen) return `a completed sale must be paid in full: paidFen ${s.paidFen}, totalFen ${s.totalFen}`;
  return null;
}

/**
 * A consistent sale larger than any a convenience store makes: its gross (before discounts)
 * above the cap. What the customer handed over is not capped: a typo there is the till's
 * change to give, not an amount HQ counts.
 */
export function plausibilityProblem(s: WireSale, limits: SaleLimits = {}): string | null {
  const cap = limits.maxSaleFen ?? DEFAULT_MAX_SALE_FEN;
  if (cap <= 0) return null;
  const gross = s.lines.reduce((a, l) => a + lineGross(l), 0n);
  if (gross <= BigInt(cap)) return null;
  return `implausible: ${gross} fen before discounts is above HQ's cap of ${cap} fen per sale (check it; \`till hq quarantine accept\` counts it)`;
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
