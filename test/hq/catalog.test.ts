// The central catalog as a till pulls it: pages after a version cursor, tombstones for
// deletes, store-only products, and a reset when the cursor is older than the tombstone
// horizon or newer than HQ itself. A simulated till applies pages the way DESIGN.md says and
// must end up with exactly HQ's catalog for its store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HqStore } from '../../src/hq/store.js';
import type { CatalogProduct } from '../../src/sync/protocol.js';
import { withCheckDigit } from '../../src/core/barcode.js';
import { STORAGES, createTestDb, type TestDb } from './helpers.js';

const ean = (i: number) => withCheckDigit(`690${String(i).padStart(9, '0')}`);

/** A till's HQ products and cursor, changed only by applying pages. */
class TillCatalog {
  products = new Map<number, CatalogProduct>();
  cursor = 0;
  pages = 0;
  resets = 0;
  constructor(
    private readonly hq: HqStore,
    private readonly store: string,
  ) {}

  async pull(limit: number, between?: () => Promise<void>): Promise<void> {
    for (;;) {
      const page = await this.hq.catalog.page(this.store, this.cursor, limit);
      if (++this.pages > 10_000) throw new Error('catalog pull does not end');
      if (page.reset) {
        this.resets++;
        this.products.clear();
      }
      for (const c of page.changes) {
        if (c.op === 'upsert') this.products.set(c.product.hqId, c.product);
        else this.products.delete(c.hqId);
      }
      this.cursor = page.nextCursor;
      if (page.upToDate) return;
      await between?.();
    }
  }

  names(): string[] {
    return [...this.products.values()].map((p) => `${p.name}:${p.priceFen}`).sort();
  }
}

describe.each(STORAGES)('HQ catalog on %s', (kind) => {
  let tdb: TestDb;
  let hq: HqStore;
  let clock = Date.parse('2026-01-01T00:00:00Z');
  const live = async (store: string) => (await hq.catalog.list({ storeCode: store, includeInactive: true })).map((p) => `${p.name}:${p.priceFen}`).sort();

  beforeAll(async () => {
    tdb = await createTestDb(kind);
    hq = await tdb.open({ now: () => new Date(clock) });
    await hq.addStore('S001', '一号店');
    await hq.addStore('S002', '二号店');
    await hq.catalog.upsertMany(Array.from({ length: 120 }, (_, i) => ({ name: `商品${i}`, priceFen: 100 + i, barcodes: [ean(i)] })));
  });
  afterAll(async () => {
    await hq?.close();
    await tdb?.drop();
  });

  it('a new till pulls the whole catalog in pages and ends up to date at HQ’s version', async () => {
    const till = new TillCatalog(hq, 'S001');
    await till.pull(25);
    expect(till.pages).toBe(5);
    expect(till.products.size).toBe(120);
    expect(till.names()).toEqual(await live('S001'));
    expect(till.cursor).toBe((await hq.catalog.state()).version);
    const again = await hq.catalog.page('S001', till.cursor, 25);
    expect(again).toEqual({ changes: [], nextCursor: till.cursor, upToDate: true, reset: false });
  });

  it('later pulls carry only changes: price updates, new products and deletes as tombstones', async () => {
    const till = new TillCatalog(hq, 'S001');
    await till.pull(500);
    const from = till.cursor;
    await hq.catalog.update(ean(3), { priceFen: 999 });
    await hq.catalog.add({ name: '新品', priceFen: 1200, barcodes: [ean(500)] });
    const gone = await hq.catalog.remove(ean(4));
    const page = await hq.catalog.page('S001', from, 100);
    expect(page.changes.map((c) => c.op)).toEqual(['upsert', 'upsert', 'delete']);
    expect(page.changes[2]).toMatchObject({ op: 'delete', hqId: gone.hqId });
    await till.pull(100);
    expect(till.products.has(gone.hqId)).toBe(false);
    expect(till.names()).toEqual(await live('S001'));
    expect(till.names()).toContain('商品3:999');
  });

  it('a product for one store reaches only that store’s tills, and so does its tombstone', async () => {
    const one = new TillCatalog(hq, 'S001');
    const two = new TillCatalog(hq, 'S002');
    await one.pull(50);
    await two.pull(50);
    const only = await hq.catalog.add({ name: '二号店专供', priceFen: 50, barcodes: [ean(600)], storeCode: 'S002' });
    const c1 = one.cursor;
    await one.pull(50);
    await two.pull(50);
    expect(one.products.has(only.hqId)).toBe(false);
    expect(two.products.get(only.hqId)?.name).toBe('二号店专供');
    await hq.catalog.remove(`#${only.hqId}`);
    expect((await hq.catalog.page('S001', c1, 50)).changes).toEqual([]);
    await two.pull(50);
    expect(two.products.has(only.hqId)).toBe(false);
    await expect(hq.catalog.add({ name: 'x', priceFen: 1, storeCode: 'S999' })).rejects.toThrow(/No store S999/);
  });

  it('edits between pages never make a till miss or keep a stale product', async () => {
    const till = new TillCatalog(hq, 'S001');
    let k = 0;
    await till.pull(10, async () => {
      // Each page, HQ changes a product the till already has and one it has not reached yet.
      k++;
      await hq.catalog.update(ean(40 + k), { priceFen: 2000 + k });
      await hq.catalog.update(ean(119 - k), { priceFen: 3000 + k });
      if (k % 3 === 0) await hq.catalog.remove(ean(60 + k));
    });
    await till.pull(10);
    expect(till.names()).toEqual(await live('S001'));
  });

  it('bad products are refused with a reason and leave nothing half-written', async () => {
    const before = await hq.catalog.state();
    await expect(hq.catalog.add({ name: '重复条码', priceFen: 100, barcodes: [ean(10)] })).rejects.toThrow(/already belongs to HQ product/);
    await expect(hq.catalog.add({ name: '坏条码', priceFen: 100, barcodes: ['6901234567890'] })).rejects.toThrow(/check digit/i);
    expect(await hq.catalog.state()).toEqual(before);
    // An import: the bad rows are listed and change nothing; a dry run writes nothing at all.
    const rows = [
      { name: '好的', priceFen: 100, barcodes: [ean(700)] },
      { name: '', priceFen: 100, barcodes: [ean(701)] },
      { name: '抢条码', priceFen: 100, barcodes: [ean(11)] },
      { name: '两个商品的条码', priceFen: 100, barcodes: [ean(13), ean(14)] },
    ];
    const dry = await hq.catalog.upsertMany(rows, { dryRun: true });
    expect(dry.added).toBe(1);
    expect(await hq.catalog.state()).toEqual(before);
    expect(await hq.catalog.list({ search: '好的' })).toEqual([]);
    const r = await hq.catalog.upsertMany(rows);
    expect(r.rejected.map((x) => x.index)).toEqual([1, 3]);
    expect(r.rejected[0].reason).toMatch(/needs a name/);
    expect(r.rejected[1].reason).toMatch(/Barcode \d+ already belongs to HQ product/);
    expect(r).toMatchObject({ added: 1, updated: 1 });
    expect((await hq.catalog.list({ search: ean(14) }))[0].name).toBe('商品14');
    expect((await hq.catalog.list({ search: '好的' })).map((p) => p.name)).toEqual(['好的']);
  });

  it('after compaction a till with an older cursor gets a reset, re-pulls everything once and is exact', async () => {
    const stale = new TillCatalog(hq, 'S001');
    await stale.pull(500);
    const current = new TillCatalog(hq, 'S001');
    // The stale till misses a delete that compaction will forget.
    const victim = await hq.catalog.remove(ean(20));
    await current.pull(500);
    clock += 40 * 86_400_000;
    await hq.catalog.remove(ean(21)); // recent: survives compaction
    const r = await hq.catalog.compact(new Date(clock - 30 * 86_400_000));
    expect(r.removed).toBeGreaterThan(0);
    const state = await hq.catalog.state();
    expect(state.horizon).toBe(r.horizon);
    expect(state.tombstones).toBe(1);

    await stale.pull(7); // small pages: the re-pull must not reset again on its way past the horizon
    expect(stale.resets).toBe(1);
    expect(stale.products.has(victim.hqId)).toBe(false);
    expect(stale.names()).toEqual(await live('S001'));

    await current.pull(7); // its cursor is past the horizon: no reset, just the changes
    expect(current.resets).toBe(0);
    expect(current.names()).toEqual(await live('S001'));
  });

  it('a cursor ahead of HQ (HQ restored from an older backup) gets a reset', async () => {
    const { version } = await hq.catalog.state();
    const page = await hq.catalog.page('S001', version + 50, 1000);
    expect(page.reset).toBe(true);
    expect(page.changes.every((c) => c.op === 'upsert')).toBe(true);
    expect(page.changes.length).toBe((await live('S001')).length);
  });

  it('an import updates products it recognises by barcode and adds the rest, in one version bump', async () => {
    const before = await hq.catalog.state();
    const r = await hq.catalog.upsertMany([
      { name: '商品30', priceFen: 4321, barcodes: [ean(30)] },
      { name: '商品31', priceFen: 131, barcodes: [ean(31)] }, // unchanged
      { name: '进口新品', priceFen: 999, barcodes: [ean(800)], unit: '瓶' },
    ]);
    expect(r).toEqual({ added: 1, updated: 1, unchanged: 1, rejected: [] });
    const page = await hq.catalog.page('S001', before.version, 100);
    expect(page.changes.map((c) => (c.op === 'upsert' ? c.product.name : c.op))).toEqual(['商品30', '进口新品']);
  });

  it('rows of one import that build on each other apply in file order, as if one at a time', async () => {
    const before = await hq.catalog.state();
    const r = await hq.catalog.upsertMany([
      { name: '新品甲', priceFen: 100, barcodes: [ean(900)] }, // added
      { name: '新品甲', priceFen: 120, barcodes: [ean(900)] }, // the product just added: a new price
      { name: '商品32', priceFen: 132, barcodes: [ean(32), ean(901)] }, // an old product gains a code
      { name: '商品32', priceFen: 132, barcodes: [ean(901)] }, // found by the code it just gained
      { name: '称重新品', priceFen: 500, barcodes: [], plu: '20001', weighed: true }, // added by PLU
      { name: '称重新品', priceFen: 550, barcodes: [], plu: '20001', weighed: true }, // same PLU: an update
      { name: '抢新品甲的码', priceFen: 1, barcodes: [ean(902), ean(900)] }, // 900 is 新品甲's now
    ]);
    expect(r).toMatchObject({ added: 2, updated: 4, unchanged: 1 });
    expect(r.rejected.map((x) => x.index)).toEqual([]);
    const byCode = async (code: string) => (await hq.catalog.list({ search: code }))[0];
    expect(await byCode(ean(900))).toMatchObject({ name: '抢新品甲的码', priceFen: 1, barcodes: [ean(900), ean(902)].sort() });
    expect(await byCode(ean(901))).toMatchObject({ name: '商品32', barcodes: [ean(32), ean(901)].sort() });
    expect((await hq.catalog.list({ search: '称重新品' }))[0]).toMatchObject({ priceFen: 550, plu: '20001' });
    const page = await hq.catalog.page('S001', before.version, 100);
    expect(page.changes).toHaveLength(3);
  });
});
