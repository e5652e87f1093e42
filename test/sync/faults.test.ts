// Sales reach HQ exactly once whatever the network does: N tills keep selling while their
// background sync talks to a real HQ through a fault-injecting proxy (resets, timeouts,
// latency, HTTP 500 before and after HQ commits, answers dropped after commit). After the
// network heals, HQ must hold exactly the tills' sales: 0 duplicates, 0 missing, 0 gaps.
// The catalog, edited at HQ meanwhile, must end the same on every till.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TillConfig } from '../../src/config.js';
import { pendingCount } from '../../src/db/outbox.js';
import { findProductByBarcode } from '../../src/db/products.js';
import { withCheckDigit } from '../../src/core/barcode.js';
import { FaultProxy, seeded } from './fault-proxy.js';
import { compare, enrolledTill, ensureStore, sellMany, startHq, type Hq, type TestTill } from './harness.js';
import { removeDir } from '../helpers/till.js';

const TILLS = 3;
const SALES = 200;
const OPTIONS = { requestTimeoutMs: 1000, batchSize: 40, backoff: { baseMs: 25, capMs: 1000 }, idlePollMs: 25, catalogEveryMs: 100 };

let hq: Hq;
beforeAll(async () => {
  hq = await startHq();
  await ensureStore(hq.store, 'S001');
  await ensureStore(hq.store, 'S002');
});
afterAll(async () => {
  await hq.stop();
  removeDir(hq.home);
});

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function run(rate: number, seed: number): Promise<void> {
  const proxy = await new FaultProxy({ target: hq.url, rate, random: seeded(seed) }).start();
  const tills: TestTill[] = [];
  const ac = new AbortController();
  try {
    for (let i = 0; i < TILLS; i++) {
      const t = await enrolledTill(hq.store, hq.url, i % 2 ? 'S002' : 'S001', `F${rate * 100}${i}`);
      // Re-pointed at the faulty network the way a person would: `till config set hq.url`.
      await new TillConfig(t.home).set('hq.url', proxy.url);
      tills.push(t);
    }
    const engines = tills.map((t) => t.engine(OPTIONS));
    const watches = engines.map((e) => e.watch({ signal: ac.signal, onFatal: async (err) => { throw err; } }));
    const products = Array.from({ length: 30 }, (_, k) => withCheckDigit(`6930${String(seed).padStart(4, "0")}${String(k).padStart(4, "0")}`));
    // Sell in small rounds while sync runs and HQ edits its catalog; the network heals right
    // after the last sale, with whatever the faults held back still queued.
    const ROUNDS = 40;
    for (let round = 0; round < ROUNDS; round++) {
      const t0 = Date.now();
      for (const t of tills) sellMany(t.db, SALES / ROUNDS, round * (SALES / ROUNDS));
      if (round < 10) for (let k = round * 3; k < round * 3 + 3; k++) await hq.store.catalog.add({ name: `测试商品${k}`, priceFen: 100 + k, barcodes: [products[k]] });
      if (round > 0 && round < 10) await hq.store.catalog.update(products[round - 1], { priceFen: 999 });
      await tick(Math.max(60, Date.now() - t0)); // selling shares this thread with sync and the proxy
    }
    const pendingAtHeal = tills.reduce((n, t) => n + pendingCount(t.db), 0);
    proxy.heal();
    const healedAt = Date.now();
    const catalogVersion = (await hq.store.catalog.state()).version;
    const { getCatalogCursor } = await import('../../src/db/sync-state.js');
    while (tills.some((t) => pendingCount(t.db) > 0 || getCatalogCursor(t.db) < catalogVersion)) {
      if (Date.now() - healedAt > 30_000) throw new Error(`not drained 30 s after healing: ${tills.map((t) => pendingCount(t.db)).join(', ')} pending`);
      await tick(10);
    }
    const drainMs = Date.now() - healedAt;
    ac.abort();
    await Promise.all(watches);

    const c = await compare(hq.store, tills);
    const fired = Object.entries(proxy.fired)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
    console.log(
      `fault rate ${rate}: ${TILLS} tills × ${SALES} sales → HQ ${c.hqSales}/${c.tillSales}, duplicates ${c.duplicates}, missing ${c.missing}, gaps ${c.gaps}, altered ${c.altered}; ` +
        `${proxy.requests} requests, ${proxy.totalFaults} faults (${fired}); ${pendingAtHeal} pending at heal, drained ${drainMs} ms after healing`,
    );
    expect(c).toEqual({ tillSales: TILLS * SALES, hqSales: TILLS * SALES, duplicates: 0, missing: 0, gaps: 0, altered: 0, quarantined: 0 });
    // The faults really happened, of every kind.
    expect(proxy.totalFaults).toBeGreaterThan(rate * proxy.requests * 0.5);
    if (rate >= 0.3) for (const n of Object.values(proxy.fired)) expect(n).toBeGreaterThan(0);
    // Every till ends with HQ's catalog and prices.
    for (const t of tills) {
      for (let k = 0; k < 30; k++) expect(findProductByBarcode(t.db, products[k])?.priceFen).toBe(k < 9 ? 999 : 100 + k);
    }
  } finally {
    ac.abort();
    await proxy.stop();
    for (const t of tills) t.close();
  }
}

describe('sync through a faulty network', () => {
  it('at fault rate 0.05, HQ ends with exactly the tills\' sales and catalog', () => run(0.05, 5), 60_000);
  it('at fault rate 0.3, HQ ends with exactly the tills\' sales and catalog', () => run(0.3, 30), 60_000);
});
