// HQ's handlers of the device stream's events other than sales (DESIGN.md, "Events";
// protocol 3): how each is examined, stored in hq_events (schema version 4) in the ingest's
// transaction, and read back (`till hq z list`). A kind is added by its schema in
// sync/protocol.ts and, where HQ does more than keep it, a few lines here.
//
// Exactly-once is the sales' rule, applied by ingest.ts to every kind: the event at hwm+1 is
// stored or quarantined and advances hwm; a re-sent seq is compared by content hash.
//
// Returns: a line is never returned beyond what was sold. The till enforces it for its own
// returns; two tills returning the same line offline can each pass, so HQ checks every return
// against the sale and the returns it already holds. It keeps the first; a later one that goes
// beyond is stored and counted all the same (the money left that drawer, and the till's Z
// counts it: HQ's day must still equal the Z reports) but flagged, with an alert.
// A return whose sale HQ does not count (quarantined, or never seen) is not counted either: it
// is held in quarantine with its sale, and counted when an admin accepts the sale.
import { createHash } from 'node:crypto';
import { canonicalJson, eventSchema, saleSchema, type WireEvent } from '../sync/protocol.js';
import { exactSum, exactSumColumns, type ExactFen } from './sums.js';
import type { Examined } from './rules.js';
import { valuesList, type Queryable } from './storage/driver.js';
import type { HqContext } from './tills.js';

export function examineEvent(raw: unknown): Examined {
  const parsed = eventSchema.safeParse(raw);
  if (parsed.success) {
    const text = JSON.stringify(parsed.data);
    return { text, hash: sha256(text), event: parsed.data as WireEvent };
  }
  const issue = parsed.error.issues[0];
  const where = issue.path.length ? issue.path.join('.') : 'event';
  const text = canonicalJson(raw);
  return { text, hash: sha256(text), schemaError: `not a valid event: ${where}: ${issue.message}` };
}

/** Why this event cannot be taken as seq `seq` of the till, or null. */
export function eventProblem(e: Examined, seq: number, till: { storeCode: string; tillCode: string }, kind: string | undefined): string | null {
  if (!e.event) return e.schemaError ?? 'not a valid event';
  const ev = e.event;
  if (kind !== undefined && kind !== ev.kind) return `uploaded as kind ${kind} but the event is a ${ev.kind}`;
  if (ev.seq !== seq) return `the event says seq ${ev.seq} but was uploaded as seq ${seq}`;
  if (ev.storeCode !== till.storeCode || ev.tillCode !== till.tillCode) {
    return `the event belongs to store ${ev.storeCode} till ${ev.tillCode}, but was uploaded by ${till.storeCode}/${till.tillCode}`;
  }
  if (/(?:^|[^\\])(?:\\\\)*\\u0000/.test(e.text)) return 'the event contains a NUL character in a text field';
  return null;
}

/** The amount HQ sums for an event: a return's refund, a Z's net, a pay-in/out; 0 for the rest. */
function amountOf(ev: WireEvent): number {
  const b = ev.body as Record<string, unknown>;
  switch (ev.kind) {
    case 'return':
      return b.refundFen as number;
    case 'z-report':
      return b.netFen as number;
    case 'pay-in':
    case 'pay-out':
    case 'void':
      return b.amountFen as number;
    default:
      return 0;
  }
}

export interface StoredEvent {
  seq: number;
  e: Examined & { event: WireEvent };
  flag: string | null;
  /** The hash the till sent (kept for diagnostics when quarantined). */
  tillHash: string;
}

/**
 * Flags returns that take a line back beyond what was sold, given the sale HQ holds and the
 * returns before it (held, or earlier in this batch). Returns the messages for alerts.
 */
export async function checkReturns(q: Queryable, events: StoredEvent[]): Promise<Array<{ seq: number; message: string }>> {
  const out: Array<{ seq: number; message: string }> = [];
  const inBatch = new Map<string, Array<WireEvent<'return'>>>();
  for (const x of events) {
    if (x.e.event.kind !== 'return') continue;
    const ret = x.e.event as WireEvent<'return'>;
    const saleId = ret.body.saleId;
    const saleRow = await q.get<{ payload: string }>('SELECT payload FROM hq_sales WHERE sale_id = ?', [saleId]);
    const parsed = saleRow ? saleSchema.safeParse(JSON.parse(saleRow.payload)) : undefined;
    if (!parsed?.success) {
      x.flag = `returns sale ${ret.body.receiptNo} (${saleId}), which HQ does not hold`;
      out.push({ seq: x.seq, message: `return ${ret.body.returnNo} at ${ret.storeCode}/${ret.tillCode} ${x.flag}; counted and flagged` });
      continue;
    }
    const before = (await q.all<{ payload: string }>("SELECT payload FROM hq_events WHERE kind = 'return' AND ref_id = ? ORDER BY received_at, seq", [saleId])).map(
      (r) => JSON.parse(r.payload) as WireEvent<'return'>,
    );
    const prior = [...before, ...(inBatch.get(saleId) ?? [])];
    const back = new Map<number, number>();
    for (const p of prior) for (const l of p.body.lines) back.set(l.lineNo, (back.get(l.lineNo) ?? 0) + (l.qtyGrams ?? l.qty));
    const over: string[] = [];
    for (const l of ret.body.lines) {
      const line = parsed.data.lines.find((s) => s.lineNo === l.lineNo);
      const sold = line ? (line.qtyGrams ?? line.qty) : 0;
      const already = back.get(l.lineNo) ?? 0;
      if (already + (l.qtyGrams ?? l.qty) > sold) over.push(`line ${l.lineNo}: ${already} already returned + ${l.qtyGrams ?? l.qty} > ${sold} sold`);
    }
    if (over.length) {
      x.flag = `returns beyond what was sold on ${ret.body.receiptNo} (${over.join('; ')})`;
      out.push({ seq: x.seq, message: `return ${ret.body.returnNo} at ${ret.storeCode}/${ret.tillCode} ${x.flag}: HQ keeps the first return; this one is counted and flagged` });
    }
    inBatch.set(saleId, [...(inBatch.get(saleId) ?? []), ret]);
  }
  return out;
}

/** Inserts the events; resolves to the event ids the database took (an id HQ already has is skipped). */
export async function insertEvents(
  q: Queryable,
  events: StoredEvent[],
  at: { tillId: number; deviceRowId: number; receivedAt: string },
): Promise<Set<string>> {
  const inserted = new Set<string>();
  for (let i = 0; i < events.length; i += 100) {
    const chunk = events.slice(i, i + 100);
    const params: unknown[] = [];
    for (const { seq, e, flag } of chunk) {
      const ev = e.event;
      const ref = ev.kind === 'return' ? (ev as WireEvent<'return'>).body.saleId : null;
      params.push(ev.id, ev.kind, at.tillId, at.deviceRowId, seq, ev.storeCode, ev.tillCode, ev.businessDate, ev.createdAt, ref, amountOf(ev), e.hash, e.text, at.receivedAt, flag);
    }
    const rows = await q.all<{ event_id: string }>(
      `INSERT INTO hq_events (event_id, kind, till_id, device_id, seq, store_code, till_code, business_date, created_at, ref_id, amount_fen, content_hash, payload, received_at, flag)
       VALUES ${valuesList(chunk.length, 15)} ON CONFLICT DO NOTHING RETURNING event_id`,
      params,
    );
    for (const r of rows) inserted.add(r.event_id);
  }
  return inserted;
}

export async function hashesOfEventIds(q: Queryable, ids: string[]): Promise<Map<string, string>> {
  const m = new Map<string, string>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const rows = await q.all<{ event_id: string; content_hash: string }>(`SELECT event_id, content_hash FROM hq_events WHERE event_id IN (${chunk.map(() => '?').join(', ')})`, chunk);
    for (const r of rows) m.set(r.event_id, r.content_hash);
  }
  return m;
}

/** Returns' refunds summed per group of the sales report (same keys as salesReport's groups). */
export async function returnsBy(ctx: HqContext, cols: string, where: string, params: unknown[]): Promise<Map<string, ExactFen>> {
  const rows = await ctx.db.all<Record<string, unknown>>(
    `SELECT ${cols ? cols + ', ' : ''}${exactSumColumns('amount_fen', 'ret')} FROM hq_events ${where ? where + " AND kind = 'return'" : "WHERE kind = 'return'"}
     ${cols ? `GROUP BY ${cols}` : ''}`,
    params,
  );
  const m = new Map<string, ExactFen>();
  for (const r of rows) m.set(groupKey(r), exactSum(r.ret_hi, r.ret_lo));
  return m;
}

export function groupKey(r: Record<string, unknown>): string {
  return [r.store_code ?? r.storeCode, r.till_code ?? r.tillCode, r.business_date ?? r.day].map((v) => (v === undefined ? '' : String(v))).join('\u0001');
}

/** a − b exactly. */
export function minusFen(a: ExactFen, b: ExactFen): ExactFen {
  const v = BigInt(a) - BigInt(b);
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v;
}

export interface ZRow {
  storeCode: string;
  tillCode: string;
  no: number;
  businessDate: string;
  takenAt: string;
  salesCount: number;
  grossFen: number;
  discountFen: number;
  returnsFen: number;
  netFen: number;
  grandTotalFen: number;
  takenBy: string | null;
  receivedAt: string;
}

export interface ZQuery {
  storeCode?: string;
  tillCode?: string;
  from?: string;
  to?: string;
  limit?: number;
}

/** The tills' Z reports HQ holds, by business day, store, till and number. */
export async function listZ(ctx: HqContext, qy: ZQuery = {}): Promise<ZRow[]> {
  const w = ["kind = 'z-report'"];
  const params: unknown[] = [];
  if (qy.storeCode) (w.push('store_code = ?'), params.push(qy.storeCode));
  if (qy.tillCode) (w.push('till_code = ?'), params.push(qy.tillCode));
  if (qy.from) (w.push('business_date >= ?'), params.push(qy.from));
  if (qy.to) (w.push('business_date <= ?'), params.push(qy.to));
  params.push(qy.limit ?? 10_000);
  const rows = await ctx.db.all<{ store_code: string; till_code: string; business_date: string; payload: string; received_at: string }>(
    `SELECT store_code, till_code, business_date, payload, received_at FROM hq_events WHERE ${w.join(' AND ')} ORDER BY business_date, store_code, till_code, seq LIMIT ?`,
    params,
  );
  return rows.map((r) => {
    const b = (JSON.parse(r.payload) as WireEvent<'z-report'>).body;
    return {
      storeCode: r.store_code,
      tillCode: r.till_code,
      no: b.no,
      businessDate: r.business_date,
      takenAt: b.takenAt,
      salesCount: b.salesCount,
      grossFen: b.grossFen,
      discountFen: b.discountFen,
      returnsFen: b.returnsFen,
      netFen: b.netFen,
      grandTotalFen: b.grandTotalFen,
      takenBy: typeof b.takenBy === 'string' ? b.takenBy : null,
      receivedAt: r.received_at,
    };
  });
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The reason a return is held in quarantine with its sale (the prefix is how accept finds it). */
export function uncountedSaleReason(saleId: string, where: string): string {
  return `its sale ${saleId} is not counted at HQ (${where})`;
}

/**
 * Takes out of `events` the returns (and post-voids) whose sale HQ does not count (no row in
 * hq_sales): they go to quarantine with their sale, not counted, until an admin accepts the
 * sale (acceptQuarantined then counts them too). `inBatch` are the sale ids this very upload
 * puts aside. Returns what is still to be stored and what is held.
 */
export async function holdReturnsOfUncounted(
  q: Queryable,
  events: StoredEvent[],
  deviceRowId: number,
  inBatch: Set<string>,
): Promise<{ kept: StoredEvent[]; held: Array<StoredEvent & { reason: string }> }> {
  const kept: StoredEvent[] = [];
  const held: Array<StoredEvent & { reason: string }> = [];
  for (const x of events) {
    if (x.e.event.kind !== 'return') {
      kept.push(x);
      continue;
    }
    const saleId = (x.e.event as WireEvent<'return'>).body.saleId;
    if (await q.get('SELECT 1 AS one FROM hq_sales WHERE sale_id = ?', [saleId])) {
      kept.push(x);
      continue;
    }
    const aside = await q.get<{ id: number }>(
      "SELECT id FROM hq_quarantine WHERE sale_id = ? AND kind = 'rejected' AND accepted_at IS NULL ORDER BY (CASE WHEN device_id = ? THEN 0 ELSE 1 END), id LIMIT 1",
      [saleId, deviceRowId],
    );
    const where = aside ? `quarantined #${aside.id}` : inBatch.has(saleId) ? 'quarantined in the same upload' : 'unknown';
    held.push({ ...x, reason: uncountedSaleReason(saleId, where) });
  }
  return { kept, held };
}
