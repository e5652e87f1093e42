// HQ ingest: every sale taken exactly once, whatever order, repetition or damage the uploads
// carry. The same story runs against SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HqAlert, HqStore, TillPrincipal } from '../../src/hq/store.js';
import type { UploadResponse } from '../../src/sync/protocol.js';
import { STORAGES, createTestDb, enrolledTill, item, makeSale, type TestDb } from './helpers.js';

describe.each(STORAGES)('HQ ingest on %s', (kind) => {
  let tdb: TestDb;
  let hq: HqStore;
  const alerts: HqAlert[] = [];
  let n = 0;
  /** A till of its own for each test, so tests do not share a stream. */
  async function till(store = 'S001'): Promise<TillPrincipal> {
    return (await enrolledTill(hq, store, `T${++n}`)).principal;
  }
  /** The figures of an answer (its per-seq acks are looked at by the tests that need them). */
  const counts = ({ acks: _acks, ...rest }: UploadResponse) => rest;
  const sale = (t: TillPrincipal, seq: number, variant = 0) => makeSale(t.storeCode, t.tillCode, seq, variant);
  const batch = (t: TillPrincipal, seqs: number[]) => seqs.map((s) => item(sale(t, s)));
  const count = async (t: TillPrincipal) => (await hq.listSales({ storeCode: t.storeCode, tillCode: t.tillCode })).map((s) => s.seq).sort((a, b) => a - b);

  beforeAll(async () => {
    tdb = await createTestDb(kind);
    hq = await tdb.open({ onAlert: (a) => alerts.push(a) });
    await hq.addStore('S001', '一号店');
    await hq.addStore('S002', '二号店');
  });
  afterAll(async () => {
    await hq?.close();
    await tdb?.drop();
  });

  it('takes a batch in seq order and acknowledges through its last seq', async () => {
    const t = await till();
    const r = await hq.ingest(t, batch(t, [1, 2, 3, 4, 5]));
    expect(counts(r)).toEqual({ ackedThrough: 5, inserted: 5, duplicates: 0, quarantined: 0 });
    expect(await count(t)).toEqual([1, 2, 3, 4, 5]);
    expect((await hq.syncState(t)).hwm).toBe(5);
    const stored = (await hq.listSales({ tillCode: t.tillCode })).find((s) => s.seq === 1);
    expect(stored).toMatchObject({ receiptNo: sale(t, 1).receiptNo, totalFen: sale(t, 1).totalFen, businessDate: '2026-01-02', status: 'completed' });
  });

  it('re-sent sales with the same content are duplicates, not new rows', async () => {
    const t = await till();
    await hq.ingest(t, batch(t, [1, 2, 3]));
    // An ack lost on the way back: the till sends the same rows again, plus new ones.
    const r = await hq.ingest(t, batch(t, [2, 3, 4]));
    expect(counts(r)).toEqual({ ackedThrough: 4, inserted: 1, duplicates: 2, quarantined: 0 });
    expect(await count(t)).toEqual([1, 2, 3, 4]);
  });

  it('the same sale re-sent with its keys in another order, or with a field HQ does not know, is a duplicate', async () => {
    const t = await till();
    await hq.ingest(t, batch(t, [1]));
    const reversed = Object.fromEntries(Object.entries(sale(t, 1)).reverse());
    const r = await hq.ingest(t, [item(reversed, 1), item({ ...sale(t, 1), note: 'added by a newer till' }, 1)]);
    expect(counts(r)).toEqual({ ackedThrough: 1, inserted: 0, duplicates: 2, quarantined: 0 });
  });

  it('a re-sent seq with different content is quarantined and raises one alert; the stored sale stays', async () => {
    const t = await till();
    await hq.ingest(t, batch(t, [1, 2]));
    const before = alerts.length;
    const changed = item(sale(t, 2, 7));
    const r = await hq.ingest(t, [changed]);
    expect(counts(r)).toEqual({ ackedThrough: 2, inserted: 0, duplicates: 0, quarantined: 1 });
    // The same conflicting upload again: still reported, recorded and alerted once.
    expect((await hq.ingest(t, [changed])).quarantined).toBe(1);
    const q = (await hq.listQuarantine()).filter((x) => x.tillCode === t.tillCode);
    expect(q).toHaveLength(1);
    expect(q[0]).toMatchObject({ seq: 2, kind: 'conflict' });
    expect(alerts.slice(before).map((a) => [a.kind, a.tillCode, a.seq])).toEqual([['conflict', t.tillCode, 2]]);
    const kept = (await hq.listSales({ tillCode: t.tillCode })).find((s) => s.seq === 2)!;
    expect(kept.saleId).toBe(sale(t, 2).id);
  });

  it('a gap stops the batch: nothing after it is taken and HQ says which seq it needs', async () => {
    const t = await till();
    const r = await hq.ingest(t, batch(t, [1, 2, 4, 5]));
    expect(counts(r)).toEqual({ ackedThrough: 2, inserted: 2, duplicates: 0, quarantined: 0, expectedSeq: 3 });
    expect(await count(t)).toEqual([1, 2]);
    const r2 = await hq.ingest(t, batch(t, [3, 4, 5]));
    expect(r2.ackedThrough).toBe(5);
    expect(await count(t)).toEqual([1, 2, 3, 4, 5]);
  });

  it('a batch whose first seq is ahead of HQ takes nothing', async () => {
    const t = await till();
    expect(counts(await hq.ingest(t, batch(t, [3, 4])))).toEqual({ ackedThrough: 0, inserted: 0, duplicates: 0, quarantined: 0, expectedSeq: 1 });
    expect(await count(t)).toEqual([]);
  });

  it('a batch sent out of order is taken in seq order', async () => {
    const t = await till();
    expect((await hq.ingest(t, batch(t, [3, 1, 2]))).ackedThrough).toBe(3);
    expect(await count(t)).toEqual([1, 2, 3]);
  });

  it('poison sales are quarantined with a reason and still advance hwm, so the queue never blocks', async () => {
    const t = await till();
    const bad = sale(t, 2);
    const items = [
      item(sale(t, 1)),
      item({ ...bad, totalFen: bad.totalFen + 1 }, 2), // totals do not add up
      item({ nonsense: true }, 3), // not a sale at all
      item({ ...sale(t, 4), storeCode: 'S002' }, 4), // another store's sale
      item(sale(t, 9), 5), // says seq 9, uploaded as seq 5
      item({ ...sale(t, 6), receiptNo: 'A\u0000B' }, 6), // NUL would break PostgreSQL text
      item(sale(t, 7)),
    ];
    const r = await hq.ingest(t, items);
    expect(counts(r)).toEqual({ ackedThrough: 7, inserted: 2, duplicates: 0, quarantined: 5 });
    expect(await count(t)).toEqual([1, 7]);
    const q = (await hq.listQuarantine()).filter((x) => x.tillCode === t.tillCode);
    expect(q.map((x) => [x.seq, x.kind])).toEqual([
      [2, 'rejected'],
      [3, 'rejected'],
      [4, 'rejected'],
      [5, 'rejected'],
      [6, 'rejected'],
    ]);
    expect(q[0].reason).toMatch(/inconsistent totals: totalFen/);
    expect(q[1].reason).toMatch(/not a valid sale/);
    expect(q[2].reason).toMatch(/belongs to store S002/);
    expect(q[3].reason).toMatch(/says seq 9 but was uploaded as seq 5/);
    expect(q[4].reason).toMatch(/NUL/);
    // Each one raised an alert for the operator, once.
    expect(alerts.filter((a) => a.tillCode === t.tillCode).map((a) => [a.kind, a.seq])).toEqual([2, 3, 4, 5, 6].map((seq) => ['rejected', seq]));
    // Re-sending the poison unchanged is a duplicate (the till may not have seen the ack).
    expect(counts(await hq.ingest(t, items.slice(1, 3)))).toEqual({ ackedThrough: 7, inserted: 0, duplicates: 2, quarantined: 0 });
  });

  it('a sale id HQ already has from another till is quarantined, not overwritten', async () => {
    const a = await till();
    const b = await till();
    await hq.ingest(a, batch(a, [1]));
    const copy = { ...sale(b, 1), id: sale(a, 1).id };
    const r = await hq.ingest(b, [item(copy)]);
    expect(counts(r)).toEqual({ ackedThrough: 1, inserted: 0, duplicates: 0, quarantined: 1 });
    expect(await count(b)).toEqual([]);
    expect(await count(a)).toEqual([1]);
    expect((await hq.listQuarantine()).find((x) => x.tillCode === b.tillCode)?.reason).toMatch(/already has a sale with id/);
  });

  it('one till’s uploads never touch another till’s stream', async () => {
    const a = await till();
    const b = await till('S002');
    await hq.ingest(a, batch(a, [1, 2, 3]));
    expect((await hq.syncState(b)).hwm).toBe(0);
    expect((await hq.ingest(b, batch(b, [1]))).ackedThrough).toBe(1);
    expect((await hq.syncState(a)).hwm).toBe(3);
  });

  it('racing uploads of the same till (two uploaders) store every sale once', async () => {
    const t = await till();
    const all = Array.from({ length: 60 }, (_, i) => i + 1);
    const chunks = (size: number, from: number) => {
      const out: number[][] = [];
      for (let i = from; i < all.length; i += size) out.push(all.slice(i, i + size));
      return out;
    };
    // Two uploaders chase the same queue with different batch sizes, retrying until HQ has all.
    const uploader = async (size: number) => {
      for (let round = 0; round < 200; round++) {
        const hwm = (await hq.syncState(t)).hwm;
        if (hwm >= all.length) return;
        for (const c of chunks(size, hwm).slice(0, 2)) await hq.ingest(t, batch(t, c));
      }
    };
    await Promise.all([uploader(7), uploader(5), uploader(11)]);
    expect(await count(t)).toEqual(all);
  });

  it('the sales report counts and totals completed sales per store, till and day', async () => {
    const t1 = await till('S001');
    const t2 = await till('S002');
    await hq.ingest(t1, batch(t1, [1, 2, 3]));
    const voided = { ...sale(t2, 2), status: 'voided' as const };
    await hq.ingest(t2, [item(sale(t2, 1)), item(voided)]);
    const sum = (t: TillPrincipal, seqs: number[]) => seqs.reduce((s, q) => s + sale(t, q).totalFen, 0);
    const r = await hq.salesReport({ storeCode: t2.storeCode });
    expect(r.byTill.find((g) => g.tillCode === t2.tillCode)).toEqual({ storeCode: 'S002', tillCode: t2.tillCode, salesCount: 1, totalFen: sum(t2, [1]), returnsFen: 0, netFen: sum(t2, [1]) });
    const all = await hq.salesReport();
    const mine = all.byTill.find((g) => g.tillCode === t1.tillCode)!;
    expect(mine).toEqual({ storeCode: 'S001', tillCode: t1.tillCode, salesCount: 3, totalFen: sum(t1, [1, 2, 3]), returnsFen: 0, netFen: sum(t1, [1, 2, 3]) });
    expect(all.voidedCount).toBeGreaterThanOrEqual(1);
    // Overall equals the sum of the stores, and of the days.
    expect(all.byStore.reduce((s, g) => s + BigInt(g.totalFen), 0n)).toBe(BigInt(all.totalFen));
    expect(all.byDay.reduce((s, g) => s + g.salesCount, 0)).toBe(all.salesCount);
    const day = await hq.salesReport({ from: '2026-01-02', to: '2026-01-02', storeCode: 'S001' });
    expect(day.byDay.map((g) => g.day)).toEqual(['2026-01-02']);
  });
});
