// outbox: the upload queue. A row is written in the same transaction as its sale; the sync
// uploader sends rows in seq order and marks a row synced only when HQ acknowledged holding
// that very sale (its id and content hash). A row HQ holds other content for is a conflict.
import type { Sale } from '../core/types.js';
import { assertInTransaction, stmt, type DB } from './open.js';

export interface OutboxRow {
  seq: number;
  saleId: string;
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

export function enqueueSale(db: DB, sale: Sale & { businessDate?: string }): void {
  assertInTransaction(db, 'enqueueSale');
  stmt(db, 'INSERT INTO outbox (seq, sale_id, payload, created_at) VALUES (?, ?, ?, ?)').run(sale.seq, sale.id, JSON.stringify(sale), sale.createdAt);
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
      'SELECT seq, sale_id AS saleId, payload, created_at AS createdAt, synced_at AS syncedAt FROM outbox WHERE synced_at IS NULL AND conflict IS NULL AND seq > ? ORDER BY seq LIMIT ?',
    )
    .all(afterSeq, limit) as OutboxRow[];
}

/** Rows in (afterSeq, maxSeq]: the unsynced ones (pending or in conflict), or all of them. */
export function rowsThrough(db: DB, o: { afterSeq: number; maxSeq: number; limit: number; synced: boolean }): OutboxRow[] {
  return db
    .prepare(
      `SELECT seq, sale_id AS saleId, payload, created_at AS createdAt, synced_at AS syncedAt FROM outbox WHERE ${o.synced ? '' : 'synced_at IS NULL AND '}seq > ? AND seq <= ? ORDER BY seq LIMIT ?`,
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

/** HQ holds nothing after `seq` (restored from a backup): rows after it are pending again. */
export function markPendingAfter(db: DB, seq: number): number {
  return db.prepare('UPDATE outbox SET synced_at = NULL, conflict = NULL WHERE seq > ? AND (synced_at IS NOT NULL OR conflict IS NOT NULL)').run(seq).changes;
}
