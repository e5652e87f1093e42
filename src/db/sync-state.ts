// sync_lease + the sync facts kept in settings: who may upload right now, the catalog cursor,
// the last success and the last error. Read by `till sync status` from any process.
import type { DB } from './open.js';
import { getJsonSetting, getSetting, setJsonSetting, setSetting } from './settings.js';
import { conflictCount, oldestPendingAt, pendingCount } from './outbox.js';

export const UPLOAD_LEASE = 'upload';

const KEY = {
  cursor: 'sync.catalogCursor',
  lastSyncAt: 'sync.lastSyncAt',
  lastError: 'sync.lastError',
  seqBase: 'sync.seqBase',
  hqStore: 'hq.storeCode',
  hqTill: 'hq.tillCode',
  enrolledAt: 'hq.enrolledAt',
  resetting: 'sync.catalogResetting',
  hqView: 'sync.hqView',
  receiptBase: 'sync.receiptBase',
} as const;

// ---- lease -------------------------------------------------------------------------------

export interface LeaseHolder {
  holder: string;
  expiresAt: number;
}

/**
 * Takes or renews the lease `name` for `holder` until now + ttlMs. Succeeds when the lease is
 * free, expired, or already ours; otherwise returns the current holder. IMMEDIATE, so two
 * processes deciding at once are serialised by SQLite's write lock.
 */
export function acquireLease(db: DB, name: string, holder: string, ttlMs: number, now = Date.now()): { ok: true } | { ok: false; current: LeaseHolder } {
  return db
    .transaction(() => {
      const cur = db.prepare('SELECT holder, expires_at AS expiresAt FROM sync_lease WHERE name = ?').get(name) as LeaseHolder | undefined;
      if (cur && cur.holder !== holder && cur.expiresAt > now) return { ok: false as const, current: cur };
      db.prepare('INSERT INTO sync_lease (name, holder, expires_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at').run(
        name,
        holder,
        now + ttlMs,
      );
      return { ok: true as const };
    })
    .immediate();
}

export function releaseLease(db: DB, name: string, holder: string): void {
  db.prepare('DELETE FROM sync_lease WHERE name = ? AND holder = ?').run(name, holder);
}

export function leaseHolder(db: DB, name: string, now = Date.now()): LeaseHolder | undefined {
  const cur = db.prepare('SELECT holder, expires_at AS expiresAt FROM sync_lease WHERE name = ?').get(name) as LeaseHolder | undefined;
  return cur && cur.expiresAt > now ? cur : undefined;
}

// ---- enrollment facts ----------------------------------------------------------------------

export interface Enrollment {
  storeCode: string;
  tillCode: string;
  enrolledAt: string;
}

export function getEnrollment(db: DB): Enrollment | undefined {
  const storeCode = getSetting(db, KEY.hqStore);
  const tillCode = getSetting(db, KEY.hqTill);
  const enrolledAt = getSetting(db, KEY.enrolledAt);
  if (!storeCode || !tillCode || !enrolledAt) return undefined;
  return { storeCode, tillCode, enrolledAt };
}

export function setEnrollment(db: DB, e: Enrollment): void {
  setSetting(db, KEY.hqStore, e.storeCode);
  setSetting(db, KEY.hqTill, e.tillCode);
  setSetting(db, KEY.enrolledAt, e.enrolledAt);
}

// ---- catalog cursor ------------------------------------------------------------------------

export function getCatalogCursor(db: DB): number {
  return Number(getSetting(db, KEY.cursor) ?? 0);
}

export function setCatalogCursor(db: DB, cursor: number): void {
  setSetting(db, KEY.cursor, String(cursor));
}

/** True while a pull from 0 after a reset is under way (HQ products not seen get swept). */
export function isCatalogResetting(db: DB): boolean {
  return getSetting(db, KEY.resetting) === '1';
}

export function setCatalogResetting(db: DB, on: boolean): void {
  setSetting(db, KEY.resetting, on ? '1' : '0');
}

// ---- last success / last error --------------------------------------------------------------

export interface SyncErrorRecord {
  at: string;
  code: string;
  message: string;
}

export function recordSyncSuccess(db: DB, at = new Date().toISOString()): void {
  db.transaction(() => {
    setSetting(db, KEY.lastSyncAt, at);
    db.prepare('DELETE FROM settings WHERE key = ?').run(KEY.lastError);
  })();
}

export function recordSyncError(db: DB, err: SyncErrorRecord): void {
  setJsonSetting(db, KEY.lastError, err);
}

/** What HQ last said about this device's stream (kept so the status bar shows it offline too). */
export interface HqView {
  /** Uploads of this device HQ holds in quarantine (not counted) until an admin resolves them. */
  quarantined: number;
  /** When HQ retired this device, if it did. */
  retiredAt: string | null;
  at: string;
}

export function recordHqView(db: DB, v: HqView): void {
  setJsonSetting(db, KEY.hqView, v);
}

export function hqView(db: DB): HqView | undefined {
  return getJsonSetting<HqView>(db, KEY.hqView);
}

export interface LocalSyncStatus {
  /** Sales still to upload. */
  pending: number;
  /** Sales at whose seq HQ holds other content: never marked synced, shown until resolved. */
  conflicts: number;
  /** HQ's count of this device's quarantined uploads, as it last said (0 before it did). */
  quarantined: number;
  /** Events HQ holds and flagged (counted all the same), e.g. a return another till had already made. */
  flaggedByHq: number;
  oldestPendingAt: string | null;
  lastSyncAt: string | null;
  lastError: SyncErrorRecord | null;
  catalogCursor: number;
}

export function localSyncStatus(db: DB): LocalSyncStatus {
  return {
    pending: pendingCount(db),
    conflicts: conflictCount(db),
    quarantined: hqView(db)?.quarantined ?? 0,
    flaggedByHq: (db.prepare('SELECT count(*) AS n FROM outbox WHERE hq_flag IS NOT NULL').get() as { n: number }).n,
    oldestPendingAt: oldestPendingAt(db),
    lastSyncAt: getSetting(db, KEY.lastSyncAt) ?? null,
    lastError: getJsonSetting<SyncErrorRecord>(db, KEY.lastError) ?? null,
    catalogCursor: getCatalogCursor(db),
  };
}

/** The highest seq this till has ever written, or the one it continues from (0 when neither). */
export function lastLocalSeq(db: DB): number {
  return Math.max((db.prepare('SELECT coalesce(max(seq), 0) AS n FROM outbox').get() as { n: number }).n, seqBase(db));
}

/**
 * Where a replaced till continues: a new till enrolled under the code of one whose sales HQ
 * already has (the old hardware died) numbers its sales after HQ's mark instead of from 1
 * (db/sales.ts recordSale). 0 for every other till.
 */
export function seqBase(db: DB): number {
  return Number(getSetting(db, KEY.seqBase) ?? 0);
}

/**
 * Continues this till's seq after `hwm` (HQ's mark for its code) if it has no sale yet; returns
 * whether it did. `lastReceiptNo`, HQ's highest receipt number of the till code, also lets it
 * continue that day's receipt numbering (db/sales.ts recordSale). A till that has sales keeps
 * them: HQ being ahead of it is an error then.
 */
export function continueAfter(db: DB, hwm: number, lastReceiptNo?: string | null): boolean {
  return db.transaction(() => {
    if (hwm <= 0 || db.prepare('SELECT 1 FROM sales LIMIT 1').get() || db.prepare('SELECT 1 FROM outbox LIMIT 1').get()) return false;
    setSetting(db, KEY.seqBase, String(Math.max(hwm, seqBase(db))));
    const m = lastReceiptNo ? /-(\d{8})-(\d+)$/.exec(lastReceiptNo) : null;
    if (m) setJsonSetting(db, KEY.receiptBase, { day: m[1], n: Number(m[2]) });
    return true;
  }).immediate();
}

/** The receipt number a replacement till continues after on `day` (yyyymmdd), 0 for others. */
export function receiptBase(db: DB, day: string): number {
  const b = getJsonSetting<{ day: string; n: number }>(db, KEY.receiptBase);
  return b && b.day === day ? b.n : 0;
}

/** The first pending seq, or undefined when everything is synced (cheap: partial index). */
export function firstPendingSeq(db: DB): number | undefined {
  const r = db.prepare('SELECT seq FROM outbox WHERE synced_at IS NULL AND conflict IS NULL ORDER BY seq LIMIT 1').get() as { seq: number } | undefined;
  return r?.seq;
}
