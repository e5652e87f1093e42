// What the sync commands and the checkout call: an engine wired to this till's home, and the
// status report (`till sync status`, the checkout's status bar).
import type { DB } from '../db/open.js';
import { getDeviceIdentity } from '../db/settings.js';
import { getEnrollment, leaseHolder, localSyncStatus, recordHqView, UPLOAD_LEASE, type SyncErrorRecord } from '../db/sync-state.js';
import { HqClient, HqError } from './client.js';
import { TargetSource } from './credentials.js';
import { optionsFromEnv, SyncEngine, type SyncOptions } from './engine.js';

export function engineFor(home: string, db: DB, options: Partial<SyncOptions> = {}): SyncEngine {
  const source = new TargetSource(home);
  return new SyncEngine(db, () => source.load(), { ...optionsFromEnv(), ...options });
}

export interface SyncStatusReport {
  /** Sales still to upload. */
  pending: number;
  /** Sales at whose seq HQ holds other content: never marked synced; HQ has them in quarantine. */
  conflicts: number;
  /** This device's uploads HQ holds in quarantine (not counted), as HQ last said; shown until HQ resolves them. */
  quarantined: number;
  /** Events HQ holds and flagged (counted all the same), e.g. a return another till had already made. */
  flaggedByHq: number;
  /** This installation's id (HQ's stream for it). */
  deviceId: string | null;
  oldestPendingAt: string | null;
  lastSyncAt: string | null;
  lastError: SyncErrorRecord | null;
  catalogCursor: number;
  /** HQ answered this till (authenticated) just now. */
  online: boolean;
  enrolled: boolean;
  hqUrl: string | null;
  storeCode: string | null;
  tillCode: string | null;
  /** HQ's high-water mark for this till, when it answered. */
  hqHwm: number | null;
  /** Why HQ could not be asked, when online is false. */
  offlineReason: string | null;
  /** The process uploading right now, if any (host:pid:…). */
  uploader: string | null;
}

/** Local facts plus a short live probe of HQ (GET state with the till's token). */
export async function syncStatus(home: string, db: DB, o: { probeTimeoutMs?: number } = {}): Promise<SyncStatusReport> {
  const local = localSyncStatus(db);
  const enrollment = getEnrollment(db);
  const target = await new TargetSource(home).load();
  const report: SyncStatusReport = {
    ...local,
    deviceId: getDeviceIdentity(db)?.id ?? null,
    online: false,
    enrolled: enrollment !== undefined && target !== undefined,
    hqUrl: target?.url ?? null,
    storeCode: enrollment?.storeCode ?? null,
    tillCode: enrollment?.tillCode ?? null,
    hqHwm: null,
    offlineReason: null,
    uploader: leaseHolder(db, UPLOAD_LEASE)?.holder ?? null,
  };
  if (!target) {
    report.offlineReason = 'not enrolled';
    return report;
  }
  try {
    const state = await new HqClient({ baseUrl: target.url, token: target.token, timeoutMs: o.probeTimeoutMs ?? 3000 }).state(undefined, report.deviceId ?? undefined);
    report.online = true;
    report.hqHwm = state.hwm;
    report.quarantined = state.quarantined ?? 0;
    recordHqView(db, { quarantined: report.quarantined, retiredAt: state.retiredAt ?? null, at: new Date().toISOString() });
  } catch (e) {
    if (!(e instanceof HqError)) throw e;
    report.offlineReason = e.message;
  }
  return report;
}
