// The catalog half of sync (DESIGN.md, "Catalog pull"): pages of HQ's catalog changes applied
// with their cursor in one transaction each, until HQ says the till is up to date.
import type { DB } from '../db/open.js';
import { getCatalogCursor } from '../db/sync-state.js';
import type { HqClient } from './client.js';
import type { SyncEvent } from './engine.js';

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

export function emptyCatalogStats(): CatalogStats {
  return { pages: 0, upserts: 0, deletes: 0, swept: 0, resets: 0, skipped: 0, cursor: 0 };
}

export interface PullContext {
  db: DB;
  pageSize: number;
  /** Wraps a request to HQ (keeps the engine's online flag). */
  req<T>(p: Promise<T>): Promise<T>;
  emit(e: SyncEvent): void;
}

/** Pulls catalog pages until HQ says the till is up to date. */
export async function pullCatalog(ctx: PullContext, client: HqClient, signal?: AbortSignal, stats: CatalogStats = emptyCatalogStats()): Promise<CatalogStats> {
  // products-write loads the pinyin dictionary: only when a catalog is pulled.
  const { applyCatalogPage, applyResetPage } = await import('../db/hq-catalog.js');
  const { db } = ctx;
  stats.cursor = getCatalogCursor(db);
  let idle = 0;
  while (!signal?.aborted) {
    const since = getCatalogCursor(db);
    const page = await ctx.req(client.catalog(since, ctx.pageSize, signal));
    stats.pages++;
    // A reset page restarts from 0: HQ products the re-pull does not bring back are swept
    // once it is up to date (they stay sellable meanwhile).
    const r = page.reset && since > 0 ? applyResetPage(db, since, page) : applyCatalogPage(db, since, page);
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
    if (r.upserts + r.deletes + r.swept > 0) ctx.emit({ type: 'catalog', upserts: r.upserts, deletes: r.deletes, swept: r.swept, cursor: r.cursor });
    if (r.skipped.length > 0) stats.firstSkip ??= `HQ product #${r.skipped[0].hqId}: ${r.skipped[0].reason}`;
    if (page.upToDate || (page.changes.length === 0 && page.nextCursor === since)) break;
    // Let a scan in this process run between pages.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return stats;
}
