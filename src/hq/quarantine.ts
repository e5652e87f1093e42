// HQ's quarantine: uploads it did not take as sales, kept for a person. Three promises:
// a poison upload never blocks a till's stream (what is stored is text both databases can
// hold), a flood cannot bury the real ones (a per-device cap: beyond it uploads are counted,
// not stored), and an admin can accept a checked sale so that it is counted, once.
import { NotFoundError, UserError } from '../errors.js';
import { EVENT_KINDS, saleSchema } from '../sync/protocol.js';
import { businessDay, examineSale, identityProblem, type Examined } from './rules.js';
import { checkReturns, examineEvent, insertEvents, uncountedSaleReason, type StoredEvent } from './events.js';
import { valuesList, type Queryable } from './storage/driver.js';

/** Stored quarantine rows per device (stream) before further uploads are only counted (default). */
export const DEFAULT_QUARANTINE_CAP = 1000;

/** Stored text of an upload that is not even a sale is cut to this many characters. */
const MAX_INVALID_PAYLOAD = 64 * 1024;

export interface QuarantineRow {
  id: number;
  storeCode: string;
  tillCode: string;
  seq: number;
  kind: 'rejected' | 'conflict';
  reason: string;
  saleId: string | null;
  receivedAt: string;
  /** Set when an admin accepted the sale: it is then counted in the reports. */
  accepted: { at: string; by: string; reason: string } | null;
}

export interface QuarantineQuery {
  storeCode?: string;
  /** A till's store and code: "S001/T01". */
  till?: { storeCode: string; tillCode: string };
  /** Rows with an id above this one (paging: pass the last id of the previous page). */
  afterId?: number;
  limit?: number;
  /** Include accepted rows (default: only what still waits for a person). */
  includeAccepted?: boolean;
}

/**
 * Text a TEXT column takes on both databases: PostgreSQL refuses NUL, so every C0 control
 * character but tab and newline is written as a visible \uXXXX escape.
 */
export function storableText(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** What one batch puts aside: its kind and reason, and the upload as HQ examined it. */
export interface Quarantined {
  seq: number;
  kind: 'rejected' | 'conflict';
  reason: string;
  saleId: string | null;
  e: Examined;
  tillHash: string | null;
}

/**
 * Stores a batch's quarantined uploads of one device (inside the ingest transaction), up to
 * `cap` stored rows for the device; the rest are counted in hq_quarantine_overflow.
 * Returns the rows stored (id, seq, kind) and how many were only counted.
 */
export async function putAside(
  q: Queryable,
  stream: { tillId: number; deviceRowId: number },
  items: Quarantined[],
  receivedAt: string,
  cap: number,
): Promise<{ stored: Array<{ id: number; seq: number; kind: string }>; dropped: number }> {
  if (items.length === 0) return { stored: [], dropped: 0 };
  const { tillId, deviceRowId } = stream;
  const have = await q.get<{ n: number }>('SELECT count(*) AS n FROM hq_quarantine WHERE device_id = ?', [deviceRowId]);
  const room = Math.max(0, cap - Number(have?.n ?? 0));
  const keep = items.slice(0, room);
  let stored: Array<{ id: number; seq: number; kind: string }> = [];
  if (keep.length) {
    const params: unknown[] = [];
    for (const x of keep) {
      const payload = x.e.sale || x.e.event ? x.e.text : x.e.text.slice(0, MAX_INVALID_PAYLOAD);
      params.push(tillId, deviceRowId, x.seq, x.kind, storableText(x.reason), x.saleId, x.e.hash, x.tillHash, storableText(payload), receivedAt);
    }
    stored = await q.all<{ id: number; seq: number; kind: string }>(
      `INSERT INTO hq_quarantine (till_id, device_id, seq, kind, reason, sale_id, content_hash, till_hash, payload, received_at)
       VALUES ${valuesList(keep.length, 10)} ON CONFLICT DO NOTHING RETURNING id, seq, kind`,
      params,
    );
  }
  const dropped = items.length - keep.length;
  if (dropped > 0) {
    await q.run(
      `INSERT INTO hq_quarantine_overflow (device_id, till_id, dropped, last_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (device_id) DO UPDATE SET dropped = hq_quarantine_overflow.dropped + excluded.dropped, last_at = excluded.last_at`,
      [deviceRowId, tillId, dropped, receivedAt],
    );
  }
  return { stored: stored.map((r) => ({ id: Number(r.id), seq: Number(r.seq), kind: r.kind })), dropped };
}

type Row = {
  id: number;
  store_code: string;
  code: string;
  seq: number;
  kind: 'rejected' | 'conflict';
  reason: string;
  sale_id: string | null;
  received_at: string;
  accepted_at: string | null;
  accepted_by: string | null;
  accept_reason: string | null;
};

/** Quarantined uploads in id order (oldest first), one page at a time. */
export async function listQuarantine(db: Queryable, qy: QuarantineQuery = {}): Promise<QuarantineRow[]> {
  const w: string[] = [];
  const params: unknown[] = [];
  if (qy.storeCode) (w.push('t.store_code = ?'), params.push(qy.storeCode));
  if (qy.till) (w.push('t.store_code = ? AND t.code = ?'), params.push(qy.till.storeCode, qy.till.tillCode));
  if (qy.afterId !== undefined) (w.push('x.id > ?'), params.push(qy.afterId));
  if (!qy.includeAccepted) w.push('x.accepted_at IS NULL');
  params.push(qy.limit ?? 1000);
  const rows = await db.all<Row>(
    `SELECT x.id, t.store_code, t.code, x.seq, x.kind, x.reason, x.sale_id, x.received_at, x.accepted_at, x.accepted_by, x.accept_reason
     FROM hq_quarantine x JOIN hq_tills t ON t.id = x.till_id ${w.length ? 'WHERE ' + w.join(' AND ') : ''} ORDER BY x.id LIMIT ?`,
    params,
  );
  return rows.map((r) => ({
    id: Number(r.id),
    storeCode: r.store_code,
    tillCode: r.code,
    seq: Number(r.seq),
    kind: r.kind,
    reason: r.reason,
    saleId: r.sale_id,
    receivedAt: r.received_at,
    accepted: r.accepted_at ? { at: r.accepted_at, by: r.accepted_by ?? '', reason: r.accept_reason ?? '' } : null,
  }));
}

/** Uploads refused after each till's cap was reached: counted, not stored. */
export async function quarantineOverflow(db: Queryable): Promise<Array<{ storeCode: string; tillCode: string; dropped: number; lastAt: string }>> {
  const rows = await db.all<{ store_code: string; code: string; dropped: number; last_at: string }>(
    'SELECT t.store_code, t.code, o.dropped, o.last_at FROM hq_quarantine_overflow o JOIN hq_tills t ON t.id = o.till_id ORDER BY t.store_code, t.code',
  );
  return rows.map((r) => ({ storeCode: r.store_code, tillCode: r.code, dropped: Number(r.dropped), lastAt: r.last_at }));
}

/**
 * An admin checked quarantined sale #id and has it counted: the sale goes into hq_sales (so
 * every report counts it, once) and the row records who accepted it, when and why. Only a
 * rejected upload that is a valid sale of that very till and seq can be accepted; a conflict,
 * an upload that is not a sale, or one already accepted is refused with the reason.
 */
export async function acceptQuarantined(
  db: { transaction<T>(fn: (q: Queryable) => Promise<T>): Promise<T> },
  id: number,
  by: string,
  reason: string,
  at: string,
): Promise<QuarantineRow> {
  const who = by.trim();
  const why = reason.trim();
  if (!who || who.length > 64) throw new UserError('Say who accepts the sale (--by, 1–64 characters).');
  if (!why || why.length > 500) throw new UserError('Give the reason for accepting the sale (--reason, 1–500 characters).');
  return db.transaction(async (q) => {
    const x = await q.get<{ till_id: number; device_id: number; seq: number; kind: string; payload: string; accepted_at: string | null; accepted_by: string | null; store_code: string; code: string }>(
      `SELECT x.till_id, x.device_id, x.seq, x.kind, x.payload, x.accepted_at, x.accepted_by, t.store_code, t.code
       FROM hq_quarantine x JOIN hq_tills t ON t.id = x.till_id WHERE x.id = ?${q.dialect === 'postgres' ? ' FOR UPDATE OF x' : ''}`,
      [id],
    );
    if (!x) throw new NotFoundError(`No quarantined upload #${id}; see \`till hq quarantine list\`.`);
    if (x.accepted_at) throw new UserError(`#${id} was already accepted by ${x.accepted_by} at ${x.accepted_at}; it is counted once.`, 'E_ALREADY_ACCEPTED');
    if (x.kind !== 'rejected') throw new UserError(`#${id} is a re-sent seq whose content differs from the sale HQ already counts; it cannot be accepted as well.`);
    let raw: unknown;
    try {
      raw = JSON.parse(x.payload);
    } catch {
      raw = undefined;
    }
    const kind = (raw as { kind?: unknown } | null)?.kind;
    if (typeof kind === 'string' && (EVENT_KINDS as string[]).includes(kind)) {
      throw new UserError(`#${id} is a ${kind} event, not a sale: only a sale can be accepted and counted; the event stays in quarantine for the record.`);
    }
    const e = examineSale(raw);
    const seq = Number(x.seq);
    const problem = saleSchema.safeParse(raw).success ? identityProblem(e, seq, { storeCode: x.store_code, tillCode: x.code }) : 'it is not a valid sale';
    if (problem) throw new UserError(`#${id} cannot be counted: ${problem}.`);
    const s = e.sale!;
    const taken = await q.get<{ seq: number }>('SELECT seq FROM hq_sales WHERE sale_id = ? OR (device_id = ? AND seq = ?)', [s.id, Number(x.device_id), seq]);
    if (taken) throw new UserError(`#${id} cannot be counted: HQ already counts a sale with its id or seq (${s.id}, seq ${seq}).`);
    await q.run(
      `INSERT INTO hq_sales (sale_id, till_id, device_id, seq, store_code, till_code, receipt_no, business_date, created_at, status, total_fen, item_count, content_hash, payload, received_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [s.id, Number(x.till_id), Number(x.device_id), seq, s.storeCode, s.tillCode, s.receiptNo, businessDay(s), s.createdAt, s.status, s.totalFen, s.itemCount, e.hash, e.text, at],
    );
    await q.run('UPDATE hq_quarantine SET accepted_at = ?, accepted_by = ?, accept_reason = ? WHERE id = ?', [at, storableText(who), storableText(why), id]);
    await acceptReturnsOf(q, s.id, id, storableText(who), at);
    const [row] = await listQuarantine(q, { afterId: id - 1, limit: 1, includeAccepted: true });
    return row;
  });
}

/**
 * The returns held in quarantine because their sale `saleId` was not counted (any device's),
 * counted now that quarantined sale #saleRow is accepted: stored in hq_events in seq order,
 * checked against what was sold exactly as if they had arrived after it, and recorded as
 * accepted by `who` "with its sale #saleRow". A return whose event id HQ already holds stays.
 */
async function acceptReturnsOf(q: Queryable, saleId: string, saleRow: number, who: string, at: string): Promise<void> {
  const rows = await q.all<{ id: number; till_id: number; device_id: number; seq: number; payload: string; till_hash: string | null }>(
    `SELECT id, till_id, device_id, seq, payload, till_hash FROM hq_quarantine
     WHERE kind = 'rejected' AND accepted_at IS NULL AND reason LIKE ? ORDER BY device_id, seq`,
    [`${uncountedSaleReason(saleId, '')}`.replace(/ \(\)$/, '') + ' (%'],
  );
  for (const r of rows) {
    const e = examineEvent(JSON.parse(r.payload));
    if (!e.event || e.event.kind !== 'return') continue;
    const x: StoredEvent = { seq: Number(r.seq), e: e as StoredEvent['e'], flag: null, tillHash: r.till_hash ?? '' };
    await checkReturns(q, [x]);
    const taken = await insertEvents(q, [x], { tillId: Number(r.till_id), deviceRowId: Number(r.device_id), receivedAt: at });
    if (!taken.has(e.event.id)) continue;
    await q.run('UPDATE hq_quarantine SET accepted_at = ?, accepted_by = ?, accept_reason = ? WHERE id = ?', [at, who, `with its sale #${saleRow}`, Number(r.id)]);
  }
}
