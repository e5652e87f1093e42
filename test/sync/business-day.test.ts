// A sale's business day is decided once, on the till, from the store's time zone and cutoff
// (config store.timeZone, store.dayCutoff), and travels with the sale; HQ files the sale under
// that day instead of reading one out of the receipt number. A protocol 1 sale without it
// still gets a day at HQ.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initTill } from '../../src/commands/init.js';
import { openDatabase } from '../../src/db/open.js';
import { pendingBatch } from '../../src/db/outbox.js';
import { recordSale } from '../../src/db/sales.js';
import { dbPath } from '../../src/home.js';
import type { HqStore } from '../../src/hq/store.js';
import { STORAGES, createTestDb, enrolledTill, item, makeSale, type TestDb } from '../hq/helpers.js';
import { removeDir, tempDir } from '../helpers/till.js';

const cola = { productId: 1, barcode: '6901234567892', name: '可口可乐500ml', qty: 1, qtyGrams: null, unitPriceFen: 350 };
const sell = (db: ReturnType<typeof openDatabase>, at: Date) => recordSale(db, { cashierId: '1', cashierName: 'Admin', lines: [cola], tenders: [{ method: 'cash', tenderedFen: 350 }] }, at);

describe('the business day on the till', () => {
  it('a sale at 02:30 in Shanghai belongs to the day before (cutoff 04:00), and its upload says so', async () => {
    const home = tempDir('till-day-');
    try {
      await initTill({ home, store: 'S1', till: 'T1', adminId: '1', adminPin: '1234' });
      const db = openDatabase(dbPath(home));
      try {
        const late = sell(db, new Date('2026-03-01T18:30:00Z')); // 02:30 on 2 March in Shanghai
        const morning = sell(db, new Date('2026-03-01T20:30:00Z')); // 04:30 on 2 March
        expect([late.receiptNo, morning.receiptNo]).toEqual(['S1-T1-20260301-0001', 'S1-T1-20260302-0001']);
        expect(pendingBatch(db, 10).map((r) => JSON.parse(r.payload).businessDate)).toEqual(['2026-03-01', '2026-03-02']);
        // A store in another zone with a 06:00 cutoff, set in the till's config.
        writeFileSync(join(home, 'config.json'), JSON.stringify({ store: { timeZone: 'Europe/Berlin', dayCutoff: '06:00' } }));
        const berlin = sell(db, new Date('2026-03-02T04:00:00Z')); // 05:00 in Berlin: still 1 March's business
        expect(JSON.parse(pendingBatch(db, 10)[2].payload).businessDate).toBe('2026-03-01');
        expect(berlin.receiptNo).toBe('S1-T1-20260301-0002');
      } finally {
        db.close();
      }
    } finally {
      removeDir(home);
    }
  });
});

describe.each(STORAGES)('the business day at HQ on %s', (kind) => {
  let tdb: TestDb;
  let hq: HqStore;
  beforeAll(async () => {
    tdb = await createTestDb(kind);
    hq = await tdb.open();
  });
  afterAll(async () => {
    await hq.close();
    await tdb.drop();
  });

  it('files a sale under the business day it carries, not the receipt number\'s', async () => {
    const { principal: t } = await enrolledTill(hq, 'S1', 'D1');
    const sale = { ...makeSale('S1', 'D1', 1), businessDate: '2025-12-31' };
    expect(sale.receiptNo).toMatch(/-20260102-/);
    await hq.ingest(t, [item(sale)]);
    expect((await hq.listSales({ tillCode: 'D1' })).map((s) => s.businessDate)).toEqual(['2025-12-31']);
  });

  it('a protocol 1 sale without one is filed under the day of its receipt number', async () => {
    const { principal: t } = await enrolledTill(hq, 'S1', 'D2');
    await hq.ingest(t, [item(makeSale('S1', 'D2', 1))]);
    expect((await hq.listSales({ tillCode: 'D2' })).map((s) => s.businessDate)).toEqual(['2026-01-02']);
  });

  it('a business day that is no real day is quarantined, not filed', async () => {
    const { principal: t } = await enrolledTill(hq, 'S1', 'D3');
    const r = await hq.ingest(t, [item({ ...makeSale('S1', 'D3', 1), businessDate: '2026-02-30' })]);
    expect(r.quarantined).toBe(1);
    expect(await hq.listSales({ tillCode: 'D3' })).toEqual([]);
  });
});
