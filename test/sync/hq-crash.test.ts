// HQ killed (SIGKILL) while it works on a batch, then restarted: every sale HQ acknowledged
// before dying is in its database, and the rest arrive once it is back. HQ runs as its own
// process (`till hq serve`, from the build) so it can really be killed.
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openHq } from '../../src/hq/open.js';
import { pendingCount } from '../../src/db/outbox.js';
import { FaultProxy } from './fault-proxy.js';
import { compare, enrolledTill, freePort, hqDbFile, sellMany, spawnHq, type TestTill } from './harness.js';
import { removeDir, tempDir } from '../helpers/till.js';

const cleanup: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

describe('HQ killed mid-batch', () => {
  it('keeps every sale it acknowledged, and receives the rest after it restarts', async () => {
    const home = tempDir('till-hq-');
    cleanup.push(() => removeDir(home));
    const port = await freePort();
    let hq = await spawnHq(home, port);
    cleanup.push(() => void hq.child.kill('SIGKILL'));

    // Set up the store and the till's enrollment code in HQ's database (the admin commands work on it directly).
    const admin = await openHq({ home });
    await admin.addStore('S001', '一号店');
    let till: TestTill;
    try {
      till = await enrolledTill(admin, hq.url, 'S001', 'K1');
    } finally {
      await admin.close();
    }
    cleanup.push(() => till.close());
    sellMany(till.db, 3000);

    // Through a proxy that kills HQ the moment the 6th batch is handed to it.
    let batches = 0;
    let killedAt = 0;
    let syncedWhenKilled = -1;
    const proxy = await new FaultProxy({
      target: hq.url,
      rate: 0,
      onForward: (method, path) => {
        if (method === 'POST' && path === '/v1/sales/batch' && ++batches === 6) {
          hq.child.kill('SIGKILL');
          killedAt = Date.now();
          syncedWhenKilled = 3000 - pendingCount(till.db);
        }
      },
    }).start();
    cleanup.push(() => proxy.stop());
    const { TillConfig } = await import('../../src/config.js');
    await new TillConfig(till.home).set('hq.url', proxy.url);

    const engine = till.engine({ requestTimeoutMs: 2000, batchSize: 100, backoff: { baseMs: 50, capMs: 500 } });
    const ac = new AbortController();
    const watching = engine.watch({ signal: ac.signal, onFatal: async (e) => { throw e; } });
    cleanup.push(() => ac.abort());
    while (!killedAt) await new Promise((r) => setTimeout(r, 5));
    await new Promise<void>((r) => (hq.child.exitCode !== null || hq.child.signalCode !== null ? r() : hq.child.once('exit', () => r())));
    // Give the till time to see the failure and keep retrying against a dead HQ.
    await new Promise((r) => setTimeout(r, 500));

    // While HQ is down: every sale the till holds as synced must be in HQ's database file.
    const synced = till.db.prepare('SELECT sale_id AS id FROM outbox WHERE synced_at IS NOT NULL').all() as { id: string }[];
    const dead = new Database(hqDbFile(home), { readonly: true });
    const have = new Set((dead.prepare('SELECT sale_id FROM hq_sales').all() as { sale_id: string }[]).map((r) => r.sale_id));
    dead.close();
    const lost = synced.filter((s) => !have.has(s.id)).length;
    expect(synced.length).toBeGreaterThanOrEqual(500); // five batches were acknowledged before the kill
    expect(lost).toBe(0);

    // HQ comes back on the same address; the till carries on by itself.
    const restartedAt = Date.now();
    hq = await spawnHq(home, port);
    while (pendingCount(till.db) > 0) {
      if (Date.now() - restartedAt > 30_000) throw new Error(`${pendingCount(till.db)} sales still pending 30 s after HQ restarted`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const drainMs = Date.now() - restartedAt;
    ac.abort();
    await watching;
    const check = await openHq({ home });
    try {
      const c = await compare(check, [till]);
      console.log(
        `HQ SIGKILLed on batch 6: till had ${syncedWhenKilled} acknowledged, HQ's file held all ${synced.length} the till marked synced (${have.size} sales in total, ${lost} lost); ` +
          `after restart HQ has ${c.hqSales}/${c.tillSales}, duplicates ${c.duplicates}, gaps ${c.gaps}; drained ${drainMs} ms after restart (incl. HQ start-up)`,
      );
      expect(c).toEqual({ tillSales: 3000, hqSales: 3000, duplicates: 0, missing: 0, gaps: 0, altered: 0, quarantined: 0 });
    } finally {
      await check.close();
      hq.child.kill('SIGTERM');
    }
  }, 60_000);
});
