// A till and a real HQ (src/hq over SQLite on 127.0.0.1): sales go up exactly once, the
// catalog comes down, HQ restored from a backup gets back exactly what it lost, racing
// uploaders make no duplicates, and a refusal stops sync with the reason instead of retrying.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findProductByBarcode } from '../../src/db/products.js';
import { pendingCount } from '../../src/db/outbox.js';
import { getDeviceIdentity } from '../../src/db/settings.js';
import { localSyncStatus, seqBase } from '../../src/db/sync-state.js';
import { HqError } from '../../src/sync/client.js';
import { TillConfig } from '../../src/config.js';
import { FaultProxy } from './fault-proxy.js';
import { compare, enrolledTill, ensureStore, hqDbFile, sellMany, startHq, type Hq, type TestTill } from './harness.js';
import { removeDir, tempDir } from '../helpers/till.js';

const FAST = { requestTimeoutMs: 2000, backoff: { baseMs: 20, capMs: 200 }, idlePollMs: 20, catalogEveryMs: 200 };

let hq: Hq;
const tills: TestTill[] = [];
beforeAll(async () => {
  hq = await startHq();
  await ensureStore(hq.store, 'S001');
  await ensureStore(hq.store, 'S002');
});
afterAll(async () => {
  await hq.stop();
  removeDir(hq.home);
});
afterEach(() => {
  for (const t of tills.splice(0)) t.close();
});

async function till(store: string, code: string, url = hq.url): Promise<TestTill> {
  const t = await enrolledTill(hq.store, url, store, code);
  tills.push(t);
  return t;
}

describe('a till enrolled with HQ', () => {
  it('uploads its sales once, in order, and marks them synced', async () => {
    const t = await till('S001', 'A1');
    sellMany(t.db, 450);
    const r = await t.engine(FAST).runOnce({ deadline: Date.now() + 20_000 });
    expect(r.upload.acked).toBe(450);
    expect(r.upload.batches).toBe(3); // 200 + 200 + 50
    expect(pendingCount(t.db)).toBe(0);
    expect(await compare(hq.store, [t])).toEqual({ tillSales: 450, hqSales: 450, duplicates: 0, missing: 0, gaps: 0, altered: 0, quarantined: 0 });
    const s = localSyncStatus(t.db);
    expect(s.lastSyncAt).not.toBeNull();
    expect(s.lastError).toBeNull();
    // A second run has nothing to send.
    expect((await t.engine(FAST).runOnce({ deadline: Date.now() + 5000 })).upload.acked).toBe(0);
  });

  it('receives the store catalog; price changes and removals at HQ reach it, other stores\' products do not', async () => {
    const t = await till('S001', 'A2');
    const cola = await hq.store.catalog.add({ name: '可口可乐500ml', priceFen: 350, barcodes: ['6901234567892'], unit: '瓶', category: '饮料' });
    await hq.store.catalog.add({ name: '乐事薯片', priceFen: 850, barcodes: ['6924743915763'] });
    await hq.store.catalog.add({ name: '二店专供', priceFen: 100, barcodes: ['6902538004045'], storeCode: 'S002' });
    const engine = t.engine(FAST);
    await engine.runOnce({ deadline: Date.now() + 10_000 });
    expect(findProductByBarcode(t.db, '6901234567892')).toMatchObject({ name: '可口可乐500ml', priceFen: 350, pinyin: 'kkkl500ml' });
    expect(findProductByBarcode(t.db, '6902538004045')).toBeUndefined();
    await hq.store.catalog.update(`#${cola.hqId}`, { priceFen: 400 });
    await hq.store.catalog.remove('6924743915763');
    await engine.runOnce({ deadline: Date.now() + 10_000 });
    expect(findProductByBarcode(t.db, '6901234567892')!.priceFen).toBe(400);
    expect(findProductByBarcode(t.db, '6924743915763')).toBeUndefined();
    expect(localSyncStatus(t.db).catalogCursor).toBe((await hq.store.catalog.state()).version);
  });

  it('re-sends exactly what HQ lost when HQ is restored from an older backup', async () => {
    // Its own HQ, so the backup can be taken and put back.
    const home = tempDir('till-hq-');
    let own = await startHq(home);
    await ensureStore(own.store, 'S001');
    const t = await enrolledTill(own.store, own.url, 'S001', 'B1');
    tills.push(t);
    sellMany(t.db, 300);
    await t.engine(FAST).runOnce({ deadline: Date.now() + 10_000 });
    // Backup of HQ holding 300 sales from this till.
    const port = Number(new URL(own.url).port);
    await own.stop();
    const backup = join(home, 'backup.db');
    copyFileSync(hqDbFile(home), backup);
    own = await startHq(home, port);
    sellMany(t.db, 500, 300);
    await t.engine(FAST).runOnce({ deadline: Date.now() + 10_000 });
    expect(pendingCount(t.db)).toBe(0);
    // Disaster: HQ goes back to the backup; sales 301–800 are gone there.
    await own.stop();
    copyFileSync(backup, hqDbFile(home));
    own = await startHq(home, port);
    try {
      expect((await compare(own.store, [t])).hqSales).toBe(300);
      const r = await t.engine(FAST).runOnce({ deadline: Date.now() + 10_000 });
      console.log(`HQ restored from backup: HQ had 300 of 800 sales; the till re-sent ${r.upload.resent}, HQ acknowledged ${r.upload.acked}`);
      expect(r.upload.resent).toBe(500);
      expect(r.upload.acked).toBe(500);
      expect(await compare(own.store, [t])).toEqual({ tillSales: 800, hqSales: 800, duplicates: 0, missing: 0, gaps: 0, altered: 0, quarantined: 0 });
    } finally {
      await own.stop();
      removeDir(home);
    }
  });

  it('never duplicates a sale when two uploaders race on one till, even through a network that loses answers', async () => {
    const t = await till('S001', 'R1');
    sellMany(t.db, 1200);
    const proxy = await new FaultProxy({ target: hq.url, rate: 0.2, kinds: ['drop-after', 'error-after', 'latency'] }).start();
    const { openDatabase } = await import('../../src/db/open.js');
    const { dbPath } = await import('../../src/home.js');
    const { SyncEngine } = await import('../../src/sync/engine.js');
    const { readToken } = await import('../../src/sync/credentials.js');
    const target = async () => ({ url: proxy.url, token: readToken(t.home)! });
    // A second process's connection to the same till database.
    const db2 = openDatabase(dbPath(t.home));
    try {
      const a = new SyncEngine(t.db, target, { ...FAST, batchSize: 50 });
      const b = new SyncEngine(db2, target, { ...FAST, batchSize: 50 });
      const [ra, rb] = await Promise.all([a.runOnce({ deadline: Date.now() + 30_000 }), b.runOnce({ deadline: Date.now() + 30_000 })]);
      const c = await compare(hq.store, [t]);
      console.log(
        `two uploaders on one till: A sent ${ra.upload.batches} batches, B sent ${rb.upload.batches}; ${proxy.totalFaults} faults; HQ has ${c.hqSales}/${c.tillSales}, duplicates ${c.duplicates}`,
      );
      expect(c).toEqual({ tillSales: 1200, hqSales: 1200, duplicates: 0, missing: 0, gaps: 0, altered: 0, quarantined: 0 });
      expect(pendingCount(t.db)).toBe(0);
    } finally {
      db2.close();
      await proxy.stop();
    }
  });

  it('starts uploading within seconds of HQ coming back, even when its backoff has grown long', async () => {
    const home = tempDir('till-hq-');
    let own = await startHq(home);
    await ensureStore(own.store, 'S001');
    const t = await enrolledTill(own.store, own.url, 'S001', 'P1');
    tills.push(t);
    const port = Number(new URL(own.url).port);
    await own.stop();
    sellMany(t.db, 50);
    // Every retry would wait the full ceiling: 30 s, then 60 s.
    const engine = t.engine({ ...FAST, backoff: { baseMs: 30_000, capMs: 60_000 }, random: () => 0.999, probeEveryMs: 300 });
    const ac = new AbortController();
    const retries: number[] = [];
    engine.on((e) => e.type === 'retry' && retries.push(e.delayMs));
    const watching = engine.watch({ signal: ac.signal, onFatal: async () => 'stop' });
    try {
      await new Promise((r) => setTimeout(r, 500));
      expect(retries[0]).toBeGreaterThan(29_000);
      own = await startHq(home, port);
      const back = Date.now();
      while (pendingCount(t.db) > 0) {
        if (Date.now() - back > 5000) throw new Error('still pending 5 s after HQ came back');
        await new Promise((r) => setTimeout(r, 20));
      }
      expect((await compare(own.store, [t])).hqSales).toBe(50);
    } finally {
      ac.abort();
      await watching;
      await own.stop();
      removeDir(home);
    }
  });

  it('waits at least as long as a rate-limiting gateway asks with Retry-After', async () => {
    const t = await till('S001', 'W1');
    sellMany(t.db, 10);
    const proxy = await new FaultProxy({ target: hq.url, rate: 1, kinds: ['throttle'] }).start();
    try {
      await new TillConfig(t.home).set('hq.url', proxy.url);
      const engine = t.engine(FAST); // its own backoff would wait at most 200 ms
      const retries: number[] = [];
      engine.on((e) => {
        if (e.type !== 'retry') return;
        retries.push(e.delayMs);
        proxy.heal();
      });
      const started = Date.now();
      await engine.runOnce({ deadline: Date.now() + 10_000 });
      expect(retries).toEqual([1000]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
      expect(pendingCount(t.db)).toBe(0);
    } finally {
      await proxy.stop();
    }
  });

  it('drops products HQ deleted beyond its tombstone horizon when HQ answers with a reset', async () => {
    const home = tempDir('till-hq-');
    const own = await startHq(home);
    try {
      await ensureStore(own.store, 'S001');
      const t = await enrolledTill(own.store, own.url, 'S001', 'H1');
      tills.push(t);
      await own.store.catalog.add({ name: '可口可乐500ml', priceFen: 350, barcodes: ['6901234567892'] });
      await own.store.catalog.add({ name: '乐事薯片', priceFen: 850, barcodes: ['6924743915763'] });
      await t.engine(FAST).runOnce({ deadline: Date.now() + 10_000 });
      expect(findProductByBarcode(t.db, '6924743915763')).toBeDefined();
      // HQ deletes the chips and forgets the tombstone before this till pulls again.
      await own.store.catalog.remove('6924743915763');
      await own.store.catalog.update('6901234567892', { priceFen: 380 });
      await own.store.catalog.compact(new Date(Date.now() + 60_000));
      const r = await t.engine(FAST).runOnce({ deadline: Date.now() + 10_000 });
      expect(r.catalog.resets).toBe(1);
      expect(r.catalog.swept).toBe(1);
      expect(findProductByBarcode(t.db, '6924743915763')).toBeUndefined();
      expect(findProductByBarcode(t.db, '6901234567892')!.priceFen).toBe(380);
      expect(localSyncStatus(t.db).catalogCursor).toBe((await own.store.catalog.state()).version);
    } finally {
      await own.stop();
      removeDir(home);
    }
  });

  it('takes HQ\'s store and till codes at enrollment, unless it already sold under its own', async () => {
    const { initTill } = await import('../../src/commands/init.js');
    const { enrollTill } = await import('../../src/sync/enroll.js');
    const { openDatabase } = await import('../../src/db/open.js');
    const { dbPath } = await import('../../src/home.js');
    const { getIdentity } = await import('../../src/db/settings.js');
    const home = tempDir('till-sync-');
    try {
      await initTill({ home, store: 'OLD', till: 'T9', adminId: '1', adminPin: '1234' });
      const db = openDatabase(dbPath(home));
      try {
        const fresh = await enrollTill({ home, db, url: hq.url, code: (await hq.store.createEnrollCode('S002', 'N1')).code });
        expect(fresh).toMatchObject({ storeCode: 'S002', tillCode: 'N1', renamed: true });
        expect(getIdentity(db)).toMatchObject({ storeCode: 'S002', tillCode: 'N1', storeName: '门店S002' });
        sellMany(db, 1);
        const err = await enrollTill({ home, db, url: hq.url, code: (await hq.store.createEnrollCode('S001', 'N2')).code }).catch((e: unknown) => e);
        expect(err).toMatchObject({ code: 'E_IDENTITY', message: expect.stringMatching(/already recorded 1 sale\(s\) as S002\/N1/) });
        expect(getIdentity(db)).toMatchObject({ storeCode: 'S002', tillCode: 'N1' });
      } finally {
        db.close();
      }
    } finally {
      removeDir(home);
    }
  });

  it('stops and says why when HQ refuses its token, instead of retrying', async () => {
    const t = await till('S001', 'X1');
    sellMany(t.db, 5);
    // The same installation is enrolled again elsewhere: this copy's token is no longer valid.
    const { code } = await hq.store.createEnrollCode('S001', 'X1');
    await hq.store.enroll(code, getDeviceIdentity(t.db)!.id);
    const started = Date.now();
    const err = await t
      .engine(FAST)
      .runOnce({ deadline: Date.now() + 20_000 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HqError);
    expect(err).toMatchObject({ kind: 'fatal', status: 401 });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(localSyncStatus(t.db)).toMatchObject({ pending: 5, lastError: { code: 'unauthorized', message: expect.stringMatching(/enroll again/) } });
  });

  /** A till that sold `n` sales and synced them, then died: a new till enrolled under its code. */
  async function replacement(code: string, n: number): Promise<TestTill> {
    const old = await till('S001', code);
    sellMany(old.db, n);
    await old.engine(FAST).runOnce({ deadline: Date.now() + 10_000 });
    tills.splice(tills.indexOf(old), 1);
    old.close(); // the hardware dies; its database with it
    return till('S001', code);
  }

  it('a new till enrolled under the code of a dead one numbers its sales after HQ\'s, and HQ takes them all', async () => {
    const fresh = await replacement('Q1', 12);
    expect(seqBase(fresh.db)).toBe(12);
    sellMany(fresh.db, 3);
    expect((fresh.db.prepare('SELECT min(seq) AS lo, max(seq) AS hi FROM sales').get() as { lo: number; hi: number })).toEqual({ lo: 13, hi: 15 });
    await fresh.engine(FAST).runOnce({ deadline: Date.now() + 10_000 });
    expect(localSyncStatus(fresh.db)).toMatchObject({ pending: 0, lastError: null });
    const state = await hq.store.db.get<{ hwm: number }>("SELECT max(d.hwm) AS hwm FROM hq_devices d JOIN hq_tills t ON t.id = d.till_id WHERE t.store_code = 'S001' AND t.code = 'Q1'");
    expect(Number(state!.hwm)).toBe(15);
  });

  it('a new till whose enrollment could not ask HQ continues after HQ\'s mark at its first sync', async () => {
    const fresh = await replacement('Q2', 4);
    // As if enrollment could not ask: the first handshake does it, while the till has no sale.
    fresh.db.prepare("DELETE FROM settings WHERE key = 'sync.seqBase'").run();
    const events: string[] = [];
    const engine = fresh.engine(FAST);
    engine.on((e) => events.push(e.type));
    await engine.runOnce({ deadline: Date.now() + 10_000 });
    expect(events).toContain('continued');
    expect(seqBase(fresh.db)).toBe(4);
    sellMany(fresh.db, 1);
    await engine.runOnce({ deadline: Date.now() + 10_000 });
    expect(localSyncStatus(fresh.db)).toMatchObject({ pending: 0, lastError: null });
  });

  it('refuses to upload when HQ already has more of this till than the till itself (a till database restored from an old backup)', async () => {
    const t = await till('S001', 'Z1');
    sellMany(t.db, 20);
    await t.engine(FAST).runOnce({ deadline: Date.now() + 10_000 });
    // The till's database loses its last 5 sales, then sells again: those seqs would clash.
    t.db.exec('DELETE FROM outbox WHERE seq > 15; DELETE FROM payments WHERE sale_id IN (SELECT id FROM sales WHERE seq > 15); DELETE FROM sale_lines WHERE sale_id IN (SELECT id FROM sales WHERE seq > 15); DELETE FROM sales WHERE seq > 15;');
    const err = await t
      .engine(FAST)
      .runOnce({ deadline: Date.now() + 10_000 })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'fatal', code: 'E_HQ_AHEAD', message: expect.stringMatching(/seq 20.*seq 15/) });
  });
});
