// The upload lease (db/sync-state.ts keeps it in SQLite): one uploader at a time per till,
// across processes. A holder is host:pid:random, so a successor on the same host can see that
// the process holding it died and take the lease at once instead of waiting for it to expire.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { DB } from '../db/open.js';
import { acquireLease, releaseLease, UPLOAD_LEASE } from '../db/sync-state.js';

/** The till's identity in a lease: host and pid let a successor see that a holder died. */
export function makeHolder(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

export function holderIsDead(holder: string): boolean {
  const [host, pid] = holder.split(':');
  if (host !== hostname() || !/^\d+$/.test(pid ?? '')) return false;
  if (Number(pid) === process.pid) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Takes or renews the upload lease for `holder`; a dead holder's lease is taken over at once. */
export function takeUploadLease(db: DB, holder: string, ttlMs: number): { ok: true } | { ok: false; holder: string } {
  const r = acquireLease(db, UPLOAD_LEASE, holder, ttlMs);
  if (r.ok) return r;
  if (holderIsDead(r.current.holder)) {
    // Its process is gone (killed mid-batch): the lease is ours without waiting for it to expire.
    releaseLease(db, UPLOAD_LEASE, r.current.holder);
    const again = acquireLease(db, UPLOAD_LEASE, holder, ttlMs);
    if (again.ok) return again;
    return { ok: false, holder: again.current.holder };
  }
  return { ok: false, holder: r.current.holder };
}

/** Lets go of the upload lease if `holder` has it (a closing database is no error). */
export function dropUploadLease(db: DB, holder: string): void {
  try {
    releaseLease(db, UPLOAD_LEASE, holder);
  } catch {
    // the database closed under a stopping process: the lease expires, or a successor sees we died
  }
}
