// outbox: the upload queue. A row is written in the same transaction as its sale; the sync
// uploader sends rows in seq order and marks them synced up to HQ's acknowledged seq.
import type { Sale } from '../core/types.js';
import { assertInTransaction, stmt, type DB } from './open.js';

export interface OutboxRow {
  seq: number;
  saleId: string;
  payload: string;
  createdAt: string;
  syncedAt: string | null;
}

export function enqueueSale(db: DB, sale: Sale): void {
  assertInTransaction(db, 'enqueueSale');
  stmt(db, 'INSERT INTO outbox (seq, sale_id, payload, created_at) VALUES (?, ?, ?, ?)').run(sale.seq, sale.id, JSON.stringify(sale), sale.createdAt);
}

export function pendingCount(db: DB): number {
  return (stmt(db, 'SELECT count(*) AS n FROM outbox WHERE synced_at IS NULL').get() as { n: number }).n;
}

export function oldestPendingAt(db: DB): string | null {
  const r = db.prepare('SELECT created_at AS t FROM outbox WHERE synced_at IS NULL ORDER BY seq LIMIT 1').get() as { t: string } | undefined;
  return r?.t ?? null;
}

export function pendingBatch(db: DB, limit: number, afterSeq = 0): OutboxRow[] {
  return db
    .prepare('SELECT seq, sale_id AS saleId, payload, created_at AS createdAt, synced_at AS syncedAt FROM outbox WHERE synced_at IS NULL AND seq > ? ORDER BY seq LIMIT ?')
    .all(afterSeq, limit) as OutboxRow[];
}

/** Marks every row up to and including `seq` as synced (HQ acknowledged through it). */
export function markSyncedThrough(db: DB, seq: number, at = new Date().toISOString()): number {
  return db.prepare('UPDATE outbox SET synced_at = ? WHERE seq <= ? AND synced_at IS NULL').run(at, seq).changes;
}

/** HQ lost sales (restored from a backup): mark rows after `seq` pending again. */
export function markPendingAfter(db: DB, seq: number): number {
  return db.prepare('UPDATE outbox SET synced_at = NULL WHERE seq > ? AND synced_at IS NOT NULL').run(seq).changes;
}
