// The till side of sync (DESIGN.md, "Sync"): upload the outbox to HQ in seq order
// (uploader.ts), pull HQ's catalog (catalog-puller.ts), and keep at it whatever the network
// does, with one retry rule for both. One engine per process; across processes, the upload
// lease (lease.ts) lets only one of them upload at a time.
import { watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { DB } from '../db/open.js';
import { onSaleQueued } from '../db/outbox.js';
import {
  firstPendingSeq,
  leaseHolder,
  localSyncStatus,
  recordSyncError,
  recordSyncSuccess,
  UPLOAD_LEASE,
  type LocalSyncStatus,
  type SyncErrorRecord,
} from '../db/sync-state.js';
import { backoffDelay, DEFAULT_BACKOFF, sleep, type BackoffOptions } from './backoff.js';
import { emptyCatalogStats, pullCatalog, type CatalogStats } from './catalog-puller.js';
import { HqClient, HqError } from './client.js';
import type { HqTarget } from './credentials.js';
import { dropUploadLease, makeHolder } from './lease.js';
import { Uploader, type UploadStats } from './uploader.js';

export type { CatalogStats } from './catalog-puller.js';
export type { UploadStats } from './uploader.js';

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
  /** HQ holds other content at `count` seqs of this till: kept, shown, not synced. */
  | { type: 'conflict'; count: number }
  /** This till had no sale yet and HQ had its code's sales through `hwm`: it numbers on from there. */
  | { type: 'continued'; hwm: number }
  | { type: 'catalog'; upserts: number; deletes: number; swept: number; cursor: number }
  | { type: 'retry'; error: HqError; delayMs: number; attempt: number }
  | { type: 'fatal'; error: HqError }
  | { type: 'status' };

/** Calls `onWrite` when another connection may have committed (the WAL file changed); returns the stop. */
function watchWrites(db: DB, onWrite: () => void): () => void {
  if (!db.name || db.memory) return () => undefined;
  const wal = `${basename(db.name)}-wal`;
  try {
    const w = watch(dirname(db.name), { persistent: false }, (_event, file) => {
      if (file === wal) onWrite();
    });
    w.on('error', () => undefined);
    return () => w.close();
  } catch {
    // no file watching here: the idle poll still finds new sales
    return () => undefined;
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
  private stopped = false;
  private readonly uploader: Uploader;
  private listeners = new Set<(e: SyncEvent) => void>();

  constructor(
    readonly db: DB,
    /** Where HQ is and how to authenticate; read before every cycle so re-pointing is live. */
    private readonly target: () => Promise<HqTarget | undefined>,
    options: Partial<SyncOptions> = {},
  ) {
    this.options = { ...DEFAULT_SYNC_OPTIONS, ...options };
    this.options.leaseTtlMs = Math.max(this.options.leaseTtlMs, 3 * this.options.requestTimeoutMs);
    this.uploader = new Uploader({ db, options: this.options, holder: this.holder, client: () => this.client(), req: (p) => this.req(p), emit: (e) => this.emit(e) });
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
    return { ...localSyncStatus(this.db), online: this.online ?? false, uploading: this.uploader.uploading, stopped: this.stopped };
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

  /** Uploads every pending sale (or stops at the first failure, which it throws). */
  upload(signal?: AbortSignal, stats?: UploadStats): Promise<UploadStats> {
    return this.uploader.upload(signal, stats);
  }

  /** Pulls catalog pages until HQ says the till is up to date. */
  async pullCatalog(signal?: AbortSignal, stats: CatalogStats = emptyCatalogStats()): Promise<CatalogStats> {
    return pullCatalog({ db: this.db, pageSize: this.options.catalogPageSize, req: (p) => this.req(p), emit: (e) => this.emit(e) }, await this.client(), signal, stats);
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
    const total: CycleResult = { upload: { batches: 0, acked: 0, resent: 0, conflicts: 0 }, catalog: emptyCatalogStats() };
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
        if (!(await this.waitToRetry(err, attempt++, o.signal, o.deadline)) || o.signal?.aborted) throw err;
      }
    }
  }

  /**
   * The one retry rule of both loops: waits the backoff for retry number `attempt` (full
   * jitter, Retry-After as a floor) and returns true, or returns false at once when that wait
   * would end past `deadline`.
   */
  private async waitToRetry(err: HqError, attempt: number, signal?: AbortSignal, deadline = Infinity): Promise<boolean> {
    const delay = backoffDelay(attempt, this.options.backoff, err.retryAfterMs, this.options.random);
    if (Date.now() + delay >= deadline) return false;
    this.emit({ type: 'retry', error: err, delayMs: delay, attempt: attempt + 1 });
    await this.backoffSleep(delay, err, signal);
    return true;
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
    dropUploadLease(this.db, this.holder);
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
    // A sale committed in this thread (the inline checkout, a test) wakes the uploader at once;
    // one committed by another process (`till simulate`, a checkout beside `till sync --watch`)
    // wakes it through the write to the database's WAL file.
    const unhook = onSaleQueued(() => this.notify());
    const unwatch = watchWrites(this.db, () => this.notify());
    const unwake = () => {
      unhook();
      unwatch();
    };
    o.signal.addEventListener('abort', unwake, { once: true });
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
          if ((await o.onFatal(err)) === 'stop') {
            unwake();
            return;
          }
          attempt = 0;
          continue;
        }
        await this.waitToRetry(err, attempt++, o.signal);
      }
    }
  }
}


