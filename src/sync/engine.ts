// The till side of sync (DESIGN.md, "Sync"): upload the outbox to HQ in seq order, pull HQ's
// catalog, and keep at it whatever the network does. One engine per process; across
// processes, the upload lease in SQLite lets only one of them upload at a time.
//
// Correctness never rests on the lease: HQ treats a seq it already has (same hash) as a
// duplicate and acknowledges it, so two uploaders racing or a retried batch whose answer was
// lost cost bandwidth, never a duplicate sale. The lease keeps uploads in order and cheap.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { DB } from '../db/open.js';
import { markPendingAfter, markSyncedThrough, pendingBatch, type OutboxRow } from '../db/outbox.js';
import { getIdentity } from '../db/settings.js';
import {
  acquireLease,
  continueAfter,
  firstPendingSeq,
  getCatalogCursor,
  lastLocalSeq,
  leaseHolder,
  localSyncStatus,
  recordSyncError,
  recordSyncSuccess,
  releaseLease,
  UPLOAD_LEASE,
  type LocalSyncStatus,
  type SyncErrorRecord,
} from '../db/sync-state.js';
import { backoffDelay, DEFAULT_BACKOFF, sleep, type BackoffOptions } from './backoff.js';
import { HqClient, HqError } from './client.js';
import type { HqTarget } from './credentials.js';
import { contentHash } from './protocol.js';

export interface SyncOptions {
  /** One HTTP request, body included. */
  requestTimeoutMs: number;
  /** Sales per upload batch (HQ accepts up to 500). */
  batchSize: number;
  /** A batch stops growing past this many bytes of payload. */
  maxBatchBytes: number;
  catalogPageSize: number;
  backoff: BackoffOptions;
  /** How long the upload lease lasts without renewal (renewed before every request). */
  leaseTtlMs: number;
  /** How often an idle watcher looks for new local sales. */
  idlePollMs: number;
  /** How often an idle watcher asks HQ for its catalog changes and its high-water mark. */
  catalogEveryMs: number;
  handshakeEveryMs: number;
  /**
   * While backing off after HQ was unreachable (no HTTP answer at all), look this often whether
   * it answers /healthz again, and retry at once when it does: a till that was offline for an
   * hour must not sit out a 60 s backoff once the network is back. Not used after a 5xx/429:
   * an overloaded HQ gets the full backoff.
   */
  probeEveryMs: number;
  /** The jitter's source (tests make it predictable). */
  random: () => number;
}

export const DEFAULT_SYNC_OPTIONS: SyncOptions = {
  requestTimeoutMs: 15_000,
  batchSize: 200,
  maxBatchBytes: 512 * 1024,
  catalogPageSize: 500,
  backoff: DEFAULT_BACKOFF,
  leaseTtlMs: 60_000,
  idlePollMs: 500,
  catalogEveryMs: 10_000,
  handshakeEveryMs: 60_000,
  probeEveryMs: 2000,
  random: Math.random,
};

/** Options from the environment, for tests and unusual networks (TILL_SYNC_TIMEOUT_MS, TILL_SYNC_BACKOFF_MS). */
export function optionsFromEnv(env = process.env): Partial<SyncOptions> {
  const o: Partial<SyncOptions> = {};
  const n = (v: string | undefined) => (v && /^\d+$/.test(v) ? Number(v) : undefined);
  const timeout = n(env.TILL_SYNC_TIMEOUT_MS);
  if (timeout) o.requestTimeoutMs = timeout;
  const base = n(env.TILL_SYNC_BACKOFF_MS);
  if (base) o.backoff = { baseMs: base, capMs: Math.max(base, n(env.TILL_SYNC_BACKOFF_CAP_MS) ?? DEFAULT_BACKOFF.capMs) };
  const poll = n(env.TILL_SYNC_POLL_MS);
  if (poll) o.idlePollMs = poll;
  return o;
}

export interface UploadStats {
  batches: number;
  /** Rows HQ acknowledged in this run. */
  acked: number;
  /** Rows HQ had lost (restored from a backup) and that were marked for upload again. */
  resent: number;
  /** Set when another process holds the upload lease: nothing was uploaded here. */
  leaseHeldBy?: string;
}

export interface CatalogStats {
  pages: number;
  upserts: number;
  deletes: number;
  swept: number;
  resets: number;
  skipped: number;
  /** Why the first skipped product could not be taken (HQ sent something the till rejects). */
  firstSkip?: string;
  cursor: number;
}

export interface CycleResult {
  upload: UploadStats;
  catalog: CatalogStats;
}

export interface SyncSnapshot extends LocalSyncStatus {
  /** The last exchange with HQ succeeded (false before the first one). */
  online: boolean;
  uploading: boolean;
  /** A refusal that retrying cannot fix (bad token, rejected batch): sync waits for a person. */
  stopped: boolean;
}

export type SyncEvent =
  | { type: 'uploaded'; acked: number; through: number; pending: number }
  | { type: 'resent'; count: number; hwm: number }
  /** This till had no sale yet and HQ had its code's sales through `hwm`: it numbers on from there. */
  | { type: 'continued'; hwm: number }
  | { type: 'catalog'; upserts: number; deletes: number; swept: number; cursor: number }
  | { type: 'retry'; error: HqError; delayMs: number; attempt: number }
  | { type: 'fatal'; error: HqError }
  | { type: 'status' };

/** The till's identity in a lease: host and pid let a successor see that a holder died. */
function makeHolder(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

function holderIsDead(holder: string): boolean {
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

export function toErrorRecord(e: unknown): SyncErrorRecord {
  const err = e as { code?: string; message?: string };
  return { at: new Date().toISOString(), code: typeof err?.code === 'string' ? err.code : 'E_SYNC', message: err?.message ?? String(e) };
}

export class SyncEngine {
  readonly options: SyncOptions;
  readonly holder = makeHolder();
  private online: boolean | null = null;
  private uploading = false;
  private stopped = false;
  private lastHandshakeAt = 0;
  private needHandshake = true;
  private listeners = new Set<(e: SyncEvent) => void>();

  constructor(
    readonly db: DB,
    /** Where HQ is and how to authenticate; read before every cycle so re-pointing is live. */
    private readonly target: () => Promise<HqTarget | undefined>,
    options: Partial<SyncOptions> = {},
  ) {
    this.options = { ...DEFAULT_SYNC_OPTIONS, ...options };
    this.options.leaseTtlMs = Math.max(this.options.leaseTtlMs, 3 * this.options.requestTimeoutMs);
  }

  on(listener: (e: SyncEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: SyncEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // a listener's bug must not stop sync
      }
    }
  }

  snapshot(): SyncSnapshot {
    return { ...localSyncStatus(this.db), online: this.online ?? false, uploading: this.uploading, stopped: this.stopped };
  }

  /** HQ answered the last request (null before the first one). */
  get isOnline(): boolean | null {
    return this.online;
  }

  private setOnline(v: boolean): void {
    if (this.online !== v) {
      this.online = v;
      this.emit({ type: 'status' });
    }
  }

  private async client(): Promise<HqClient> {
    const t = await this.target();
    if (!t) throw new HqError('this till is not enrolled with HQ; run `till enroll <hq-url> --code <code>`', 'fatal', 'E_NOT_ENROLLED');
    return new HqClient({ baseUrl: t.url, token: t.token, timeoutMs: this.options.requestTimeoutMs });
  }

  /** Wraps one request: keeps `online` true after an answer, false after a network failure. */
  private async req<T>(p: Promise<T>): Promise<T> {
    try {
      const r = await p;
      this.setOnline(true);
      return r;
    } catch (e) {
      if (e instanceof HqError && e.code !== 'E_STOPPED') this.setOnline(e.kind === 'fatal' && e.status !== undefined);
      throw e;
    }
  }

  // ---- upload ------------------------------------------------------------------------------

  private takeLease(): { ok: true } | { ok: false; holder: string } {
    const r = acquireLease(this.db, UPLOAD_LEASE, this.holder, this.options.leaseTtlMs);
    if (r.ok) return r;
    if (holderIsDead(r.current.holder)) {
      // Its process is gone (killed mid-batch): the lease is ours without waiting for it to expire.
      releaseLease(this.db, UPLOAD_LEASE, r.current.holder);
      const again = acquireLease(this.db, UPLOAD_LEASE, this.holder, this.options.leaseTtlMs);
      if (again.ok) return again;
      return { ok: false, holder: again.current.holder };
    }
    return { ok: false, holder: r.current.holder };
  }

  /**
   * Asks HQ how far it has this till's sales. Rows HQ has are marked synced (an answer lost on
   * the way); rows after its mark are pending again (HQ restored from an older backup).
   */
  private async handshake(client: HqClient, stats: UploadStats, signal?: AbortSignal): Promise<void> {
    const state = await this.req(client.state(signal));
    const id = getIdentity(this.db);
    if (id && (state.storeCode !== id.storeCode || state.tillCode !== id.tillCode)) {
      throw new HqError(
        `HQ knows this till's token as ${state.storeCode}/${state.tillCode} but this till is ${id.storeCode}/${id.tillCode}; enroll it again with a code for ${id.storeCode}/${id.tillCode}`,
        'fatal',
        'E_IDENTITY',
      );
    }
    // A replacement till with no sale yet (enrolled under a dead till's code) continues after
    // HQ's mark; one that has sales and is behind HQ was restored from an old backup.
    let local = lastLocalSeq(this.db);
    if (state.hwm > local && continueAfter(this.db, state.hwm)) {
      this.emit({ type: 'continued', hwm: state.hwm });
      local = state.hwm;
    }
    if (state.hwm > local) {
      throw new HqError(
        `HQ already holds sales up to seq ${state.hwm} from ${state.storeCode}/${state.tillCode}, but this till's last sale is seq ${local}; was this till's database restored from an old backup or copied from another till? Ask HQ before selling on it`,
        'fatal',
        'E_HQ_AHEAD',
      );
    }
    const resent = this.db.transaction(() => {
      markSyncedThrough(this.db, state.hwm);
      return markPendingAfter(this.db, state.hwm);
    })();
    if (resent > 0) {
      stats.resent += resent;
      this.emit({ type: 'resent', count: resent, hwm: state.hwm });
    }
    this.needHandshake = false;
    this.lastHandshakeAt = Date.now();
  }

  /** The next batch: consecutive pending rows from the first one, within the size limits. */
  private nextBatch(): { rows: OutboxRow[]; body: string } | undefined {
    const rows = pendingBatch(this.db, this.options.batchSize);
    if (rows.length === 0) return undefined;
    const parts: string[] = [];
    let bytes = 0;
    let n = 0;
    for (const r of rows) {
      if (n > 0 && (r.seq !== rows[n - 1].seq + 1 || bytes + r.payload.length > this.options.maxBatchBytes)) break;
      // The stored payload goes on the wire as it is; the hash is HQ's own contentHash, so a
      // re-sent sale and the copy HQ kept agree on what "the same sale" means.
      parts.push(`{"seq":${r.seq},"hash":"${contentHash(JSON.parse(r.payload))}","sale":${r.payload}}`);
      bytes += r.payload.length;
      n++;
    }
    return { rows: rows.slice(0, n), body: `{"sales":[${parts.join(',')}]}` };
  }

  /** Uploads every pending sale (or stops at the first failure, which it throws). */
  async upload(signal?: AbortSignal, stats: UploadStats = { batches: 0, acked: 0, resent: 0 }): Promise<UploadStats> {
    stats.leaseHeldBy = undefined;
    if (firstPendingSeq(this.db) === undefined && !this.needHandshake && Date.now() - this.lastHandshakeAt < this.options.handshakeEveryMs) return stats;
    const lease = this.takeLease();
    if (!lease.ok) {
      stats.leaseHeldBy = lease.holder;
      return stats;
    }
    this.uploading = true;
    this.emit({ type: 'status' });
    try {
      const client = await this.client();
      if (this.needHandshake || Date.now() - this.lastHandshakeAt >= this.options.handshakeEveryMs) await this.handshake(client, stats, signal);
      let stalls = 0;
      while (!signal?.aborted) {
        const batch = this.nextBatch();
        if (!batch) break;
        if (!this.takeLease().ok) break; // lost it (we stalled past its expiry): the new holder carries on
        const first = batch.rows[0].seq;
        const last = batch.rows[batch.rows.length - 1].seq;
        const res = await this.req(client.upload(batch.body, signal));
        stats.batches++;
        const acked = this.db.transaction(() => {
          const n = markSyncedThrough(this.db, res.ackedThrough);
          recordSyncSuccess(this.db);
          return n;
        })();
        stats.acked += acked;
        if (res.expectedSeq !== undefined && res.expectedSeq <= first) {
          // HQ is behind what we think it has (restored, or an ack we trusted was rolled back).
          const again = markPendingAfter(this.db, res.expectedSeq - 1);
          stats.resent += again;
          if (again > 0) this.emit({ type: 'resent', count: again, hwm: res.expectedSeq - 1 });
        }
        if (res.ackedThrough < first) {
          if (++stalls >= 3) throw new HqError(`HQ acknowledged nothing of seq ${first}–${last} three times (ackedThrough ${res.ackedThrough})`, 'retry', 'E_HQ_NO_PROGRESS');
          this.needHandshake = true;
          await this.handshake(client, stats, signal);
        } else stalls = 0;
        this.emit({ type: 'uploaded', acked, through: res.ackedThrough, pending: firstPendingSeq(this.db) === undefined ? 0 : localSyncStatus(this.db).pending });
      }
      return stats;
    } catch (e) {
      // After any failure, ask HQ where it stands before the next batch.
      this.needHandshake = true;
      throw e;
    } finally {
      this.uploading = false;
      try {
        releaseLease(this.db, UPLOAD_LEASE, this.holder);
      } catch {
        // the database closed under a stopping process: the lease expires, or a successor sees we died
      }
      this.emit({ type: 'status' });
    }
  }

  // ---- catalog -----------------------------------------------------------------------------

  /** Pulls catalog pages until HQ says the till is up to date. */
  async pullCatalog(signal?: AbortSignal, stats: CatalogStats = emptyCatalogStats()): Promise<CatalogStats> {
    // products-write loads the pinyin dictionary: only when a catalog is pulled.
    const { applyCatalogPage, applyResetPage } = await import('../db/hq-catalog.js');
    const client = await this.client();
    stats.cursor = getCatalogCursor(this.db);
    let idle = 0;
    while (!signal?.aborted) {
      const since = getCatalogCursor(this.db);
      const page = await this.req(client.catalog(since, this.options.catalogPageSize, signal));
      stats.pages++;
      // A reset page restarts from 0: HQ products the re-pull does not bring back are swept
      // once it is up to date (they stay sellable meanwhile).
      const r = page.reset && since > 0 ? applyResetPage(this.db, since, page) : applyCatalogPage(this.db, since, page);
      if (r && page.reset && since > 0) stats.resets++;
      if (r) stats.cursor = r.cursor;
      if (!r || !r.applied) {
        // Another process moved the cursor meanwhile; fetch from where it is now.
        if (++idle > 5) break;
        continue;
      }
      stats.upserts += r.upserts;
      stats.deletes += r.deletes;
      stats.swept += r.swept;
      stats.skipped += r.skipped.length;
      if (r.upserts + r.deletes + r.swept > 0) this.emit({ type: 'catalog', upserts: r.upserts, deletes: r.deletes, swept: r.swept, cursor: r.cursor });
      if (r.skipped.length > 0) stats.firstSkip ??= `HQ product #${r.skipped[0].hqId}: ${r.skipped[0].reason}`;
      if (page.upToDate || (page.changes.length === 0 && page.nextCursor === since)) break;
      // Let a scan in this process run between pages.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return stats;
  }

  // ---- cycles ------------------------------------------------------------------------------

  /** One round: upload what is pending, then pull the catalog. Throws the first failure. */
  async cycle(signal?: AbortSignal, into?: CycleResult): Promise<CycleResult> {
    const upload = await this.upload(signal, into?.upload);
    const catalog = await this.pullCatalog(signal, into?.catalog);
    this.succeeded(catalog);
    return { upload, catalog };
  }

  /** Records a successful round; products HQ sent that the till could not take stay visible as lastError. */
  private succeeded(catalog: CatalogStats): void {
    recordSyncSuccess(this.db);
    if (catalog.skipped > 0) {
      recordSyncError(this.db, { at: new Date().toISOString(), code: 'E_CATALOG_SKIPPED', message: `${catalog.skipped} HQ product(s) could not be taken, e.g. ${catalog.firstSkip}` });
    }
    this.stopped = false;
  }

  private fail(e: unknown): HqError {
    const err = e instanceof HqError ? e : new HqError((e as Error)?.message ?? String(e), 'retry', (e as { code?: string })?.code ?? 'E_SYNC');
    try {
      // Being stopped (Ctrl-C, the checkout closing) is no sync error.
      if (err.code !== 'E_STOPPED') recordSyncError(this.db, toErrorRecord(err));
    } catch {
      // the database is busy or closing: the error is still reported to the caller
    }
    if (err.kind === 'fatal') {
      this.stopped = true;
      this.emit({ type: 'fatal', error: err });
    }
    return err;
  }

  /**
   * `till sync --once`: retries until everything pending is acknowledged and the catalog is
   * up to date, a refusal stops it (throws a fatal HqError), or `deadline` passes (throws the
   * last retryable error). Waits while another process holds the upload lease.
   */
  async runOnce(o: { deadline: number; signal?: AbortSignal }): Promise<CycleResult & { waitedForOtherUploader: boolean }> {
    let attempt = 0;
    let waited = false;
    // Counted across attempts: a batch acknowledged before a failure still counts.
    const total: CycleResult = { upload: { batches: 0, acked: 0, resent: 0 }, catalog: emptyCatalogStats() };
    for (;;) {
      try {
        const r = await this.cycle(o.signal, total);
        if (r.upload.leaseHeldBy === undefined && firstPendingSeq(this.db) === undefined) return { ...total, waitedForOtherUploader: waited };
        if (r.upload.leaseHeldBy !== undefined) {
          // Another process is uploading: wait until it has drained or lets go.
          waited = true;
          while (!o.signal?.aborted && Date.now() < o.deadline && firstPendingSeq(this.db) !== undefined && leaseHolder(this.db, UPLOAD_LEASE)) {
            await sleep(Math.min(200, this.options.idlePollMs), o.signal);
          }
          if (firstPendingSeq(this.db) === undefined) return { ...total, waitedForOtherUploader: waited };
          if (o.signal?.aborted) return { ...total, waitedForOtherUploader: waited };
          if (Date.now() >= o.deadline) throw new HqError(`another process (${r.upload.leaseHeldBy}) is still uploading this till's sales`, 'retry', 'E_BUSY');
        }
        attempt = 0;
      } catch (e) {
        const err = this.fail(e);
        if (err.kind === 'fatal' || o.signal?.aborted) throw err;
        const delay = backoffDelay(attempt++, this.options.backoff, err.retryAfterMs, this.options.random);
        if (Date.now() + delay >= o.deadline) throw err;
        this.emit({ type: 'retry', error: err, delayMs: delay, attempt });
        await this.backoffSleep(delay, err, o.signal);
        if (o.signal?.aborted) throw err;
      }
    }
  }

  /**
   * Sleeps `delay` before a retry. When HQ gave no answer at all (down, network gone), looks
   * every ~probeEveryMs (jittered) whether it answers again and returns early when it does.
   */
  private async backoffSleep(delay: number, err: HqError, signal?: AbortSignal): Promise<void> {
    const until = Date.now() + delay;
    const networkDown = err.status === undefined && err.retryAfterMs === undefined;
    if (!networkDown || delay <= this.options.probeEveryMs) return sleep(delay, signal);
    let client: HqClient | undefined;
    while (!signal?.aborted && Date.now() < until) {
      await sleep(Math.min(until - Date.now(), this.options.probeEveryMs * (0.5 + Math.random())), signal);
      if (signal?.aborted || Date.now() >= until) return;
      try {
        client ??= await this.client();
      } catch {
        return sleep(until - Date.now(), signal);
      }
      if (await client.reachable(signal)) return;
    }
  }

  private wake?: () => void;

  /** Lets go of the upload lease now if this engine holds it (the process is leaving). */
  releaseLease(): void {
    releaseLease(this.db, UPLOAD_LEASE, this.holder);
  }

  /** A sale was just committed: upload now instead of at the next poll. */
  notify(): void {
    this.wake?.();
  }

  /**
   * `till sync --watch` and the checkout's background sync: forever, until the signal aborts.
   * Retryable failures back off with full jitter; a refusal calls `onFatal`, which decides
   * whether to stop (resolve) or wait and try again (the background service waits for the
   * till to be re-enrolled or re-pointed).
   */
  async watch(o: { signal: AbortSignal; onFatal: (e: HqError) => Promise<'stop' | 'retry'> }): Promise<void> {
    let attempt = 0;
    let lastCatalog = 0;
    while (!o.signal.aborted) {
      try {
        const upload = await this.upload(o.signal);
        if (Date.now() - lastCatalog >= this.options.catalogEveryMs) {
          this.succeeded(await this.pullCatalog(o.signal));
          lastCatalog = Date.now();
        }
        this.stopped = false;
        attempt = 0;
        // Idle: wait for a new sale, the next catalog poll, or a wake-up.
        const until = lastCatalog + this.options.catalogEveryMs;
        while (!o.signal.aborted && Date.now() < until && firstPendingSeq(this.db) === undefined) {
          await new Promise<void>((resolve) => {
            const t = setTimeout(done, Math.min(this.options.idlePollMs, Math.max(0, until - Date.now())));
            this.wake = done;
            o.signal.addEventListener('abort', done, { once: true });
            function done() {
              clearTimeout(t);
              o.signal.removeEventListener('abort', done);
              resolve();
            }
          });
          this.wake = undefined;
        }
        if (upload.leaseHeldBy !== undefined && firstPendingSeq(this.db) !== undefined) await sleep(this.options.idlePollMs, o.signal);
      } catch (e) {
        if (o.signal.aborted) break;
        const err = this.fail(e);
        if (err.kind === 'fatal') {
          if ((await o.onFatal(err)) === 'stop') return;
          attempt = 0;
          continue;
        }
        const delay = backoffDelay(attempt++, this.options.backoff, err.retryAfterMs, this.options.random);
        this.emit({ type: 'retry', error: err, delayMs: delay, attempt });
        await this.backoffSleep(delay, err, o.signal);
      }
    }
  }
}

function emptyCatalogStats(): CatalogStats {
  return { pages: 0, upserts: 0, deletes: 0, swept: 0, resets: 0, skipped: 0, cursor: 0 };
}
