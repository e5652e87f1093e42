// outbox: the device's one event stream (DESIGN.md, "Events"; migration 38). A row is written
// in the same transaction as the change it tells HQ about — a sale, a return, a void, … —; the
// sync uploader sends rows in seq order and marks a row synced only when HQ acknowledged holding
// that very event (its id and content hash). A row HQ holds other content for is a conflict.
//
// One gap-free seq for every kind: the outbox is the counter (nextSeq). A sale's seq is its
// row's seq (sales.seq), so sale seqs have gaps where other events took a number; training
// (练习) never enters the stream and numbers its sales from TRAINING_SEQ_BASE.
import type { Sale } from '../core/types.js';
import type { EventKind, WireEventBody } from '../sync/protocol.js';
import { assertInTransaction, stmt, type DB } from './open.js';
import { getIdentity } from './settings.js';
import { seqBase } from './sync-state.js';

/** Training sales number their seq from here, outside the stream (db/sales.ts). */
export const TRAINING_SEQ_BASE = 2 ** 50;

export interface OutboxRow {
  seq: number;
  kind: 'sale' | EventKind;
  /** The event's id (a sale's id for a sale). */
  eventId: string;
  /** The sale's id for a sale, null for other kinds. */
  saleId: string | null;
  payload: string;
  createdAt: string;
  syncedAt: string | null;
}

const queued = new Set<() => void>();
let announce: NodeJS.Immediate | undefined;

/**
 * Calls `listener` after a sale was queued in this thread (the uploader wakes at once instead
 * of at its next poll). It runs after the sale's transaction has returned — better-sqlite3
 * transactions are synchronous, so by then it has committed (or rolled back: a wake for
 * nothing costs one look at the outbox). Returns the unsubscribe.
 */
export function onSaleQueued(listener: () => void): () => void {
  queued.add(listener);
  return () => queued.delete(listener);
}

/**
 * The next number of the device's stream, for a sale or any other event: after the last outbox
 * row, the last real sale (sales made before migration 38 all have their row), and the seq a
 * replacement till continues after. Call it inside the transaction that writes the row.
 */
export function nextSeq(db: DB): number {
  assertInTransaction(db, 'nextSeq');
  const o = (stmt(db, 'SELECT coalesce(max(seq), 0) AS n FROM outbox').get() as { n: number }).n;
  const s = (stmt(db, 'SELECT coalesce(max(seq), 0) AS n FROM sales WHERE seq < ?').get(TRAINING_SEQ_BASE) as { n: number }).n;
  return Math.max(o, s, seqBase(db)) + 1;
}

export function enqueueSale(db: DB, sale: Sale & { businessDate?: string }): void {
  assertInTransaction(db, 'enqueueSale');
  stmt(db, "INSERT INTO outbox (seq, kind, event_id, sale_id, payload, created_at) VALUES (?, 'sale', ?, ?, ?, ?)").run(sale.seq, sale.id, sale.id, JSON.stringify(sale), sale.createdAt);
  announceQueued();
}

/** An event other than a sale, as the till writes it (the stream's seq and identity are added here). */
export type NewEvent = {
  [K in EventKind]: {
    kind: K;
    /** UUIDv7 (core/ids.ts), made with the record it tells about. */
    id: string;
    /** When it happened (ISO). */
    at: string;
    /** The store's business day (YYYY-MM-DD) it belongs to, decided on the till. */
    businessDate: string;
    body: WireEventBody<K>;
  };
}[EventKind];

/**
 * Puts an event in the stream in the caller's transaction, with the next seq; returns that seq
 * (null on a till not initialised). Training (练习) never calls it. The payload is the event as HQ receives it (sync/protocol.ts eventSchema).
 */
export function enqueueEvent(db: DB, e: NewEvent): number | null {
  assertInTransaction(db, 'enqueueEvent');
  // A till without its store/till code (before `till init`) has no stream to write to.
  const identity = getIdentity(db);
  if (!identity) return null;
  const seq = nextSeq(db);
  const payload = { id: e.id, kind: e.kind, storeCode: identity.storeCode, tillCode: identity.tillCode, seq, createdAt: e.at, businessDate: e.businessDate, body: e.body };
  stmt(db, 'INSERT INTO outbox (seq, kind, event_id, sale_id, payload, created_at) VALUES (?, ?, ?, NULL, ?, ?)').run(seq, e.kind, e.id, JSON.stringify(payload), e.at);
  announceQueued();
  return seq;
}

function announceQueued(): void {
  if (queued.size > 0 && announce === undefined) {
    announce = setImmediate(() => {
      announce = undefined;
      for (const l of queued) {
        try {
          l();
        } catch {
          // a listener's failure must not reach the sale that was committed
        }
      }
    });
  }
}

/** Rows still to upload (not synced, not in conflict). */
export function pendingCount(db: DB): number {
  return (stmt(db, 'SELECT count(*) AS n FROM outbox WHERE synced_at IS NULL AND conflict IS NULL').get() as { n: number }).n;
}

/** Rows at whose seq HQ holds other content (never marked synced). */
export function conflictCount(db: DB): number {
  return (stmt(db, 'SELECT count(*) AS n FROM outbox WHERE conflict IS NOT NULL').get() as { n: number }).n;
}

export function oldestPendingAt(db: DB): string | null {
  const r = db.prepare('SELECT created_at AS t FROM outbox WHERE synced_at IS NULL AND conflict IS NULL ORDER BY seq LIMIT 1').get() as { t: string } | undefined;
  return r?.t ?? null;
}

export function pendingBatch(db: DB, limit: number, afterSeq = 0): OutboxRow[] {
  return db
    .prepare(
      'SELECT seq, kind, event_id AS eventId, sale_id AS saleId, payload, created_at AS createdAt, synced_at AS syncedAt FROM outbox WHERE synced_at IS NULL AND conflict IS NULL AND seq > ? ORDER BY seq LIMIT ?',
    )
    .all(afterSeq, limit) as OutboxRow[];
}

/** Rows in (afterSeq, maxSeq]: the unsynced ones (pending or in conflict), or all of them. */
export function rowsThrough(db: DB, o: { afterSeq: number; maxSeq: number; limit: number; synced: boolean }): OutboxRow[] {
  return db
    .prepare(
      `SELECT seq, kind, event_id AS eventId, sale_id AS saleId, payload, created_at AS createdAt, synced_at AS syncedAt FROM outbox WHERE ${o.synced ? '' : 'synced_at IS NULL AND '}seq > ? AND seq <= ? ORDER BY seq LIMIT ?`,
    )
    .all(o.afterSeq, o.maxSeq, o.limit) as OutboxRow[];
}

/** HQ does not hold this synced row's sale (or holds other content): it is to be sent again. */
export function markUnsynced(db: DB, seq: number): number {
  return stmt(db, 'UPDATE outbox SET synced_at = NULL WHERE seq = ? AND synced_at IS NOT NULL').run(seq).changes;
}

/** HQ acknowledged holding this row's very sale: synced (a conflict it had is resolved). */
export function markSynced(db: DB, seq: number, at = new Date().toISOString()): number {
  return stmt(db, 'UPDATE outbox SET synced_at = ?, conflict = NULL WHERE seq = ? AND synced_at IS NULL').run(at, seq).changes;
}

/** HQ holds other content at this row's seq: kept, shown, not uploaded again until HQ resolves it. */
export function markConflict(db: DB, seq: number, why: string): number {
  return stmt(db, 'UPDATE outbox SET conflict = ? WHERE seq = ? AND synced_at IS NULL').run(why, seq).changes;
}

/** The flag of a row HQ holds in quarantine (not counted until a person at HQ accepts it). */
export const QUARANTINED_AT_HQ = 'quarantined at HQ: not counted until HQ accepts it (till hq quarantine accept)';

/** HQ holds this row's event and flagged it (counted all the same): kept beside the row, shown by `till sync status`. */
export function markFlagged(db: DB, seq: number, flag: string): number {
  return stmt(db, 'UPDATE outbox SET hq_flag = ? WHERE seq = ? AND hq_flag IS NOT ?').run(flag, seq, flag).changes;
}

/** Events HQ holds and flagged (e.g. a return of a line another till had already taken back), oldest first. */
export function flaggedByHq(db: DB): Array<{ seq: number; kind: string; eventId: string; flag: string }> {
  return db.prepare('SELECT seq, kind, event_id AS eventId, hq_flag AS flag FROM outbox WHERE hq_flag IS NOT NULL ORDER BY seq').all() as Array<{ seq: number; kind: string; eventId: string; flag: string }>;
}

/** HQ holds nothing after `seq` (restored from a backup): rows after it are pending again. */
export function markPendingAfter(db: DB, seq: number): number {
  return db.prepare('UPDATE outbox SET synced_at = NULL, conflict = NULL WHERE seq > ? AND (synced_at IS NOT NULL OR conflict IS NOT NULL)').run(seq).changes;
}
