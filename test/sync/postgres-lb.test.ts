// A chain's HQ as it runs at scale: two HQ instances on one PostgreSQL behind a load balancer
// that alternates between them and loses requests and answers (fault rate 0.3). A batch
// retried after a lost answer lands on the other instance. Tills upload with two uploaders
// each; HQ must end with exactly the tills' sales.
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TillConfig } from '../../src/config.js';
import { pendingCount } from '../../src/db/outbox.js';
import { openDatabase } from '../../src/db/open.js';
import { dbPath } from '../../src/home.js';
import { buildHqServer } from '../../src/hq/server.js';
import type { HqStore } from '../../src/hq/store.js';
import { SyncEngine } from '../../src/sync/engine.js';
import { TargetSource } from '../../src/sync/credentials.js';
import { createTestDb, type TestDb } from '../hq/helpers.js';
import { FaultProxy, seeded } from './fault-proxy.js';
import { compare, enrolledTill, sellMany, type TestTill } from './harness.js';

let pgdb: TestDb;
const stores: HqStore[] = [];
const apps: Array<ReturnType<typeof buildHqServer>> = [];
const urls: string[] = [];
beforeAll(async () => {
  pgdb = await createTestDb('postgres');
  for (let i = 0; i < 2; i++) {
    const store = await pgdb.open({ poolSize: 4 });
    const app = buildHqServer(store, { log: () => undefined });
    await app.listen({ host: '127.0.0.1', port: 0 });
    stores.push(store);
    apps.push(app);
    urls.push(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`);
  }
  await stores[0].addStore('S001', '一号店');
});
afterAll(async () => {
  for (const a of apps) await a.close();
  for (const s of stores) await s.close();
  await pgdb?.drop();
});

describe('two HQ instances on one PostgreSQL behind a faulty load balancer', () => {
  it('end with exactly the tills\' sales: 0 duplicates, 0 missing, 0 gaps', async () => {
    const proxy = await new FaultProxy({ target: urls, rate: 0.3, random: seeded(7), kinds: ['reset', 'error-before', 'error-after', 'drop-after', 'latency'] }).start();
    const tills: TestTill[] = [];
    const extra: Array<{ close(): void }> = [];
    try {
      for (let i = 0; i < 3; i++) {
        const t = await enrolledTill(stores[i % 2], urls[i % 2], 'S001', `P${i}`);
        await new TillConfig(t.home).set('hq.url', proxy.url);
        tills.push(t);
        sellMany(t.db, 300);
      }
      const options = { requestTimeoutMs: 2000, batchSize: 40, backoff: { baseMs: 20, capMs: 300 } };
      // Two uploaders per till, each with its own connection, as two processes would have.
      const runs = tills.flatMap((t) => {
        const source = new TargetSource(t.home);
        const db2 = openDatabase(dbPath(t.home));
        extra.push(db2);
        return [t.engine(options), new SyncEngine(db2, () => source.load(), options)].map((e) => e.runOnce({ deadline: Date.now() + 60_000 }));
      });
      await Promise.all(runs);
      const c = await compare(stores[1], tills);
      console.log(
        `2 HQ instances on PostgreSQL, 3 tills × 300 sales, 2 uploaders each, fault rate 0.3: HQ ${c.hqSales}/${c.tillSales}, duplicates ${c.duplicates}, missing ${c.missing}, gaps ${c.gaps}; ${proxy.requests} requests, ${proxy.totalFaults} faults`,
      );
      expect(c).toEqual({ tillSales: 900, hqSales: 900, duplicates: 0, missing: 0, gaps: 0, altered: 0, quarantined: 0 });
      expect(proxy.totalFaults).toBeGreaterThan(0);
      for (const t of tills) expect(pendingCount(t.db)).toBe(0);
    } finally {
      for (const d of extra) d.close();
      for (const t of tills) t.close();
      await proxy.stop();
    }
  }, 90_000);
});
