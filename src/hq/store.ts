// HQ's storage, written once over a SqlDriver (SQLite or PostgreSQL). One object for the HTTP
// service (src/hq/server.ts) and the `till hq …` admin commands, delegating by responsibility:
// tills.ts (stores, tills), enrollment.ts (codes, tokens), ingest.ts (the exactly-once core),
// reports.ts (sales, report, quarantine).
import type { Ack, EnrollResponse, SyncState, UploadRequest, UploadResponse } from '../sync/protocol.js';
import { HqCatalog } from './catalog.js';
import * as enrollment from './enrollment.js';
import * as events from './events.js';
import * as ingest from './ingest.js';
import * as reports from './reports.js';
import * as quarantine from './quarantine.js';
import { migrateHq } from './storage/migrations.js';
import type { SqlDriver } from './storage/driver.js';
import * as tills from './tills.js';
import type { DeviceSummary, HqContext, StoreSummary, TillPrincipal } from './tills.js';
import type { HqAlert } from './ingest.js';
import type { Principal } from './enrollment.js';
import type { AlertRow, HqSaleRow, SalesQuery, SalesReport } from './reports.js';
import type { QuarantineQuery, QuarantineRow } from './quarantine.js';

export type { HqAlert } from './ingest.js';
export { EnrollCodeError, type Principal } from './enrollment.js';
export type { AlertRow, HqSaleRow, ReportGroup, SalesQuery, SalesReport } from './reports.js';
export type { QuarantineQuery, QuarantineRow } from './quarantine.js';
export type { DeviceSummary, StoreSummary, TillPrincipal } from './tills.js';

export interface HqStoreOptions {
  now?: () => Date;
  onAlert?: (alert: HqAlert) => void;
  /** Plausibility cap per sale in fen (default ¥100,000; 0 = none): larger sales are quarantined. */
  maxSaleFen?: number;
  /** Stored quarantine rows per till (default 1000); beyond it uploads are counted, not stored. */
  quarantineCap?: number;
}

export class HqStore {
  readonly catalog: HqCatalog;
  private readonly ctx: HqContext;

  private constructor(
    readonly db: SqlDriver,
    opts: HqStoreOptions,
  ) {
    const now = opts.now ?? (() => new Date());
    this.ctx = { db, now, onAlert: opts.onAlert, maxSaleFen: opts.maxSaleFen, quarantineCap: opts.quarantineCap };
    this.catalog = new HqCatalog(db, now);
  }

  /** Migrates the database and returns the store over it. */
  static async open(db: SqlDriver, opts: HqStoreOptions = {}): Promise<HqStore> {
    await db.init?.();
    await migrateHq(db);
    return new HqStore(db, opts);
  }

  close(): Promise<void> {
    return this.db.close();
  }

  // ---- stores and tills (tills.ts) ----------------------------------------------------------

  addStore(code: string, name: string): Promise<{ code: string; name: string; createdAt: string }> {
    return tills.addStore(this.ctx, code, name);
  }

  listStores(): Promise<StoreSummary[]> {
    return tills.listStores(this.ctx);
  }

  listDevices(o: { storeCode?: string } = {}): Promise<DeviceSummary[]> {
    return tills.listDevices(this.ctx, o);
  }

  retireDevice(device: string): Promise<DeviceSummary> {
    return tills.retireDevice(this.ctx, device);
  }

  // ---- enrollment and tokens (enrollment.ts) ------------------------------------------------

  createEnrollCode(storeCode: string, tillCode: string, ttlMinutes?: number) {
    return enrollment.createEnrollCode(this.ctx, storeCode, tillCode, ttlMinutes);
  }

  enroll(code: string, deviceId?: string): Promise<EnrollResponse> {
    return enrollment.enroll(this.ctx, code, deviceId);
  }

  rotateAdminToken(): Promise<string> {
    return enrollment.rotateAdminToken(this.ctx);
  }

  authenticate(token: string): Promise<Principal | null> {
    return enrollment.authenticate(this.ctx, token);
  }

  // ---- sync (ingest.ts) ---------------------------------------------------------------------

  syncState(till: TillPrincipal, deviceId?: string): Promise<SyncState> {
    return ingest.syncState(this.ctx, till, deviceId);
  }

  held(till: TillPrincipal, seqs: number[]): Promise<Ack[]> {
    return ingest.held(this.ctx, till, seqs);
  }

  ingest(till: TillPrincipal, items: UploadRequest['sales']): Promise<UploadResponse> {
    return ingest.ingest(this.ctx, till, items);
  }

  ingestByToken(token: string, items: UploadRequest['sales']): Promise<{ till: TillPrincipal; response: UploadResponse } | null> {
    return ingest.ingestByToken(this.ctx, token, items);
  }

  // ---- sales and reports (reports.ts) -------------------------------------------------------

  listSales(qy: SalesQuery = {}): Promise<HqSaleRow[]> {
    return reports.listSales(this.ctx, qy);
  }

  salesReport(qy: SalesQuery = {}): Promise<SalesReport> {
    return reports.salesReport(this.ctx, qy);
  }

  /** The tills' Z reports (`till hq z list`). */
  listZ(qy: events.ZQuery = {}): Promise<events.ZRow[]> {
    return events.listZ(this.ctx, qy);
  }

  listAlerts(o: { storeCode?: string; limit?: number } = {}): Promise<AlertRow[]> {
    return reports.listAlerts(this.ctx, o);
  }

  /** Quarantined uploads, oldest first, a page at a time (quarantine.ts). */
  listQuarantine(qy: QuarantineQuery = {}): Promise<QuarantineRow[]> {
    return quarantine.listQuarantine(this.db, qy);
  }

  /** An admin accepts quarantined sale #id after checking it: counted once, who and why kept. */
  acceptQuarantined(id: number, by: string, reason: string): Promise<QuarantineRow> {
    return quarantine.acceptQuarantined(this.db, id, by, reason, this.ctx.now().toISOString());
  }
}
