// Sync in the background of the checkout (the `Background` seam of src/ui/checkout-controller).
// It shares the checkout's database connection and event loop, so it never holds the loop for
// long: HTTP is asynchronous, every SQLite write is one short transaction, and catalog pages
// yield between them. A scan never waits for sync, and a sale never waits for HQ.
import type { DB } from '../db/open.js';
import { pendingCount } from '../db/outbox.js';
import { sleep } from './backoff.js';
import { TargetSource } from './credentials.js';
import { optionsFromEnv, SyncEngine, type SyncEvent, type SyncOptions } from './engine.js';

export interface BackgroundSync {
  start(): void;
  stop(): void;
  /** For the status bar: HQ reachable (null until the first exchange) and sales still to send. */
  status(): { online: boolean | null; pending: number };
  /** The engine, for tests and for callers that want its events (catalog changes, errors). */
  readonly engine: SyncEngine;
}

export interface BackgroundSyncOptions {
  db: DB;
  home: string;
  options?: Partial<SyncOptions>;
  /** After a refusal (token revoked, …), how often to look whether the till was re-enrolled or re-pointed. */
  recheckMs?: number;
  /** …and retry anyway after this long (HQ may have fixed it on its side). */
  retryRefusedAfterMs?: number;
  onEvent?: (e: SyncEvent) => void;
}

export const BACKGROUND_UNITS: Partial<SyncOptions> = { catalogPageSize: 20, batchSize: 50 };

/** Builds the checkout's background sync; nothing runs until `start()`. */
export function startBackgroundSync(o: BackgroundSyncOptions): BackgroundSync {
  const source = new TargetSource(o.home);
  // Small units of work: each catalog page or upload batch is one short synchronous stretch
  // (validation, pinyin, one commit) between which scans get the event loop.
  const engine = new SyncEngine(o.db, () => source.load(), { ...BACKGROUND_UNITS, ...optionsFromEnv(), ...o.options });
  let ac: AbortController | undefined;
  if (o.onEvent) engine.on(o.onEvent);

  const onFatal = async (signal: AbortSignal): Promise<'retry'> => {
    const before = JSON.stringify(await source.load().catch(() => undefined));
    const until = Date.now() + (o.retryRefusedAfterMs ?? 5 * 60_000);
    while (!signal.aborted && Date.now() < until) {
      await sleep(o.recheckMs ?? 5000, signal);
      const now = JSON.stringify(await source.load().catch(() => undefined));
      if (now !== before) break;
    }
    return 'retry';
  };

  return {
    engine,
    start() {
      if (ac) return;
      ac = new AbortController();
      const signal = ac.signal;
      // Load the catalog writer (and its pinyin dictionary) now, while the cashier logs in,
      // rather than on the first price change in the middle of a sale.
      void import('../db/hq-catalog.js').catch(() => undefined);
      void engine.watch({ signal, onFatal: () => onFatal(signal) }).catch(() => undefined);
    },
    stop() {
      if (!ac) return;
      ac.abort();
      ac = undefined;
      try {
        engine.releaseLease();
      } catch {
        // the database is already closed
      }
    },
    status() {
      return { online: engine.isOnline, pending: pendingCount(o.db) };
    },
  };
}
