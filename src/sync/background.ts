// Sync in the background of the checkout (the `Background` seam of src/ui/checkout-controller).
// The engine runs in a worker thread with its own database connection, so no part of sync —
// building batches, hashing, validating and applying catalog pages, computing pinyin — ever
// runs on the thread that handles the scanner. The checkout thread only reads the pending
// count for the status bar. Catalog pages are kept small so that the worker holds SQLite's
// write lock for milliseconds: a sale being committed never waits long for it.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { DB } from '../db/open.js';
import { conflictCount, onSaleQueued, pendingCount } from '../db/outbox.js';
import { hqView } from '../db/sync-state.js';
import type { HqError } from './client.js';
import type { SyncEngine, SyncEvent, SyncOptions } from './engine.js';

export interface BackgroundSync {
  start(): void;
  stop(): void;
  /** For the status bar: HQ reachable (null until the first exchange), sales still to send, and what HQ does not hold as sent. */
  status(): BackgroundStatus;
  /** Where the engine runs now: its worker thread, this thread (fallback), or nowhere (stopped). */
  where(): 'worker' | 'inline' | null;
}

/**
 * What the checkout's status bar shows. `conflicts`: sales at whose seq HQ holds other content
 * (not synced; HQ quarantined the till's copy and raised an alert); `quarantined`: this
 * device's uploads HQ holds in quarantine, as HQ last said. Both stay shown until resolved.
 */
export interface BackgroundStatus {
  online: boolean | null;
  pending: number;
  conflicts: number;
  quarantined: number;
}

/** An engine event as it crosses from the worker: errors become plain data. */
export type BackgroundEvent = Exclude<SyncEvent, { error: HqError }> | { type: 'retry' | 'fatal'; error: { message: string; code: string } };

export interface BackgroundSyncOptions {
  db: DB;
  home: string;
  /** Sent to the worker thread, so plain data only (no `random` function). */
  options?: Partial<SyncOptions>;
  /** After a refusal (token revoked, …), how often to look whether the till was re-enrolled or re-pointed. */
  recheckMs?: number;
  /** …and retry anyway after this long (HQ may have fixed it on its side). */
  retryRefusedAfterMs?: number;
  onEvent?: (e: BackgroundEvent) => void;
  /** 'worker' (default) or 'inline' (same thread; for environments without worker threads). */
  mode?: 'worker' | 'inline';
}

/** Small catalog pages: each is one short write transaction next to the checkout's sales. */
export const BACKGROUND_UNITS: Partial<SyncOptions> = { catalogPageSize: 20, batchSize: 100 };

export interface WorkerData {
  home: string;
  options: Partial<SyncOptions>;
  recheckMs?: number;
  retryRefusedAfterMs?: number;
}

export type ToWorker = { type: 'stop' } | { type: 'notify' };
export type FromWorker = { type: 'online'; online: boolean | null } | { type: 'event'; event: BackgroundEvent } | { type: 'failed'; message: string };

export function plainEvent(e: SyncEvent): BackgroundEvent {
  return e.type === 'retry' || e.type === 'fatal' ? { type: e.type, error: { message: e.error.message, code: e.error.code } } : e;
}

/**
 * Runs `engine.watch` until the signal aborts. After a refusal it waits until hq.url or the
 * token changes (re-pointed, re-enrolled), or `retryRefusedAfterMs` passes, then tries again.
 */
export async function runBackground(
  engine: SyncEngine,
  loadTarget: () => Promise<unknown>,
  signal: AbortSignal,
  o: { recheckMs?: number; retryRefusedAfterMs?: number } = {},
): Promise<void> {
  const { sleep } = await import('./backoff.js');
  const onFatal = async (): Promise<'retry'> => {
    const before = JSON.stringify(await loadTarget().catch(() => undefined));
    const until = Date.now() + (o.retryRefusedAfterMs ?? 5 * 60_000);
    while (!signal.aborted && Date.now() < until) {
      await sleep(o.recheckMs ?? 5000, signal);
      if (JSON.stringify(await loadTarget().catch(() => undefined)) !== before) break;
    }
    return 'retry';
  };
  await engine.watch({ signal, onFatal });
}

function spawnSyncWorker(data: WorkerData): Worker {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    // Running from source (tests, benchmarks): the worker compiles TypeScript through tsx,
    // found from here (an eval worker would resolve a bare name from the working directory).
    const tsx = pathToFileURL(createRequire(here).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
    const url = new URL('./worker.ts', here).href;
    return new Worker(`import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(url)}); })`, { eval: true, workerData: data });
  }
  // The bundle: dist/sync-worker.js sits next to the chunk this code is in.
  return new Worker(new URL('./sync-worker.js', here), { workerData: data });
}

/** Builds the checkout's background sync; nothing runs until `start()`. */
export function startBackgroundSync(o: BackgroundSyncOptions): BackgroundSync {
  const options = { ...BACKGROUND_UNITS, ...o.options };
  let online: boolean | null = null;
  let running = false;
  let worker: Worker | undefined;
  let inline: AbortController | undefined;
  let unwake: (() => void) | undefined;

  const startInline = async () => {
    const { engineFor } = await import('./service.js');
    const { TargetSource } = await import('./credentials.js');
    const engine = engineFor(o.home, o.db, options);
    const source = new TargetSource(o.home);
    engine.on((e) => {
      online = engine.isOnline;
      o.onEvent?.(plainEvent(e));
    });
    inline = new AbortController();
    const signal = inline.signal;
    signal.addEventListener('abort', () => engine.releaseLease(), { once: true });
    await runBackground(engine, () => source.load(), signal, o);
  };

  return {
    start() {
      if (running) return;
      running = true;
      // Each sale committed in this thread wakes the uploader: it is at HQ within a round trip.
      unwake = onSaleQueued(() => worker?.postMessage({ type: 'notify' } satisfies ToWorker));
      if (o.mode === 'inline') {
        void startInline().catch(() => undefined);
        return;
      }
      const w = spawnSyncWorker({ home: o.home, options, recheckMs: o.recheckMs, retryRefusedAfterMs: o.retryRefusedAfterMs });
      worker = w;
      // The worker never keeps the program alive: leaving the checkout ends it.
      w.unref();
      w.on('message', (m: FromWorker) => {
        if (m.type === 'online') online = m.online;
        else if (m.type === 'event') o.onEvent?.(m.event);
      });
      w.on('error', () => {
        // The worker could not run (e.g. its file is missing): sync in this thread instead.
        if (worker === w && running) {
          worker = undefined;
          void startInline().catch(() => undefined);
        }
      });
    },
    stop() {
      if (!running) return;
      running = false;
      unwake?.();
      unwake = undefined;
      inline?.abort();
      inline = undefined;
      const w = worker;
      worker = undefined;
      if (w) {
        w.postMessage({ type: 'stop' } satisfies ToWorker);
        // Let it release the upload lease and close its connection; never wait on it for long.
        setTimeout(() => void w.terminate(), 2000).unref();
      }
    },
    status() {
      return { online, pending: pendingCount(o.db), conflicts: conflictCount(o.db), quarantined: hqView(o.db)?.quarantined ?? 0 };
    },
    where() {
      return !running ? null : worker ? 'worker' : 'inline';
    },
  };
}
