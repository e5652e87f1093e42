// HQ ingest of the stream's events other than sales (protocol 3): the sales' exactly-once rules
// hold for every kind — a re-sent event is a duplicate, other content at its seq a conflict, a
// poison event is quarantined without blocking the stream — and the report nets returns out.
// The same story runs against SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HqStore, TillPrincipal } from '../../src/hq/store.js';
import type { EventKind, WireEvent, WireEventBody } from '../../src/sync/protocol.js';
import { STORAGES, createTestDb, enrolledTill, item, makeSale, saleId, type TestDb } from './helpers.js';

function event<K extends EventKind>(t: TillPrincipal, seq: number, kind: K, body: WireEventBody<K>, day = '2026-01-02'): WireEvent<K> {
  return { id: saleId(t.storeCode, t.tillCode, seq, 999), kind, storeCode: t.storeCode, tillCode: t.tillCode, seq, createdAt: `${day}T09:00:00.000Z`, businessDate: day, body };
}
const ev = (e: WireEvent) => ({ seq: e.seq, hash: 'till-hash', kind: e.kind, event: e });

describe.each(STORAGES)('HQ events on %s', (kind) => {
  let tdb: TestDb;
  let hq: HqStore;
  let n = 0;
  const till = async () => (await enrolledTill(hq, 'S001', `V${++n}`)).principal;

  beforeAll(async () => {
    tdb = await createTestDb(kind);
    hq = await tdb.open();
    await hq.addStore('S001', '一号店');
  });
  afterAll(async () => {
    await hq?.close();
    await tdb?.drop();
  });

  const refund = (t: TillPrincipal, seq: number, sale: ReturnType<typeof makeSale>, qty: number, fen: number) =>
    event(t, seq, 'return', {
      returnNo: `${t.storeCode}-${t.tillCode}-20260102-R${seq}`,
      saleId: sale.id,
      receiptNo: sale.receiptNo,
      type: 'return',
      cashierId: '1001',
      supervisorId: '7',
      reason: '',
      refundMode: 'cash',
      refundFen: fen,
      lines: [{ lineNo: 1, qty, qtyGrams: null, refundFen: fen }],
      tenders: [{ method: 'cash', amountFen: fen }],
    });

  it('a return after its sale is held once: re-sent it is a duplicate, other content at its seq a conflict, and the day nets it out', async () => {
    const t = await till();
    const sale = makeSale(t.storeCode, t.tillCode, 1); // business day 2026-01-02, line 1 qty 2
    const ret = refund(t, 2, sale, 1, sale.lines[0].unitPriceFen);
    const first = await hq.ingest(t, [item(sale), ev(ret)]);
    expect(first).toMatchObject({ ackedThrough: 2, inserted: 2, duplicates: 0, quarantined: 0 });
    expect(first.acks!.map((a) => [a.seq, a.saleId, a.status])).toEqual([
      [1, sale.id, 'held'],
      [2, ret.id, 'held'],
    ]);
    const again = await hq.ingest(t, [ev(ret)]);
    expect(again).toMatchObject({ ackedThrough: 2, inserted: 0, duplicates: 1, quarantined: 0 });
    const other = await hq.ingest(t, [ev({ ...ret, body: { ...ret.body, reason: '改过' } })]);
    expect(other).toMatchObject({ ackedThrough: 2, quarantined: 1 });
    expect(other.acks![0].status).toBe('conflict');
    const r = await hq.salesReport({ storeCode: 'S001', from: '2026-01-02', to: '2026-01-02' });
    const mine = r.byTill.find((g) => g.tillCode === t.tillCode)!;
    expect(mine).toEqual({ storeCode: 'S001', tillCode: t.tillCode, salesCount: 1, totalFen: sale.totalFen, returnsFen: ret.body.refundFen, netFen: sale.totalFen - ret.body.refundFen });
    expect((await hq.held(t, [2]))[0]).toMatchObject({ seq: 2, saleId: ret.id, status: 'held' });
  });

  it('a poison event (not a valid event, or another till’s) is quarantined and the stream goes on', async () => {
    const t = await till();
    const z = event(t, 3, 'z-report', { no: 1, takenAt: '2026-01-02T22:00:00.000Z', businessDate: '2026-01-02', salesCount: 1, grossFen: 500, discountFen: 0, returnsFen: 0, netFen: 500, grandTotalFen: 500 });
    const r = await hq.ingest(t, [
      { seq: 1, hash: 'x', kind: 'return', event: { nonsense: true } },
      ev({ ...event(t, 2, 'approval', { cashierId: '1', supervisorId: '7', reason: 'r', action: 'a', detail: 'd' }), tillCode: 'T99' }),
      ev(z),
    ]);
    expect(r).toMatchObject({ ackedThrough: 3, inserted: 1, quarantined: 2 });
    expect(r.acks!.map((a) => a.status)).toEqual(['quarantined', 'quarantined', 'held']);
    expect(await hq.listZ({ tillCode: t.tillCode })).toEqual([expect.objectContaining({ no: 1, netFen: 500, businessDate: '2026-01-02' })]);
    // An admin cannot "accept" an event as a sale: it stays in quarantine.
    const [, other] = await hq.listQuarantine({ till: { storeCode: t.storeCode, tillCode: t.tillCode } });
    await expect(hq.acceptQuarantined(other.id, '王经理', 'checked')).rejects.toThrow(/approval event, not a sale/);
  });

  it('a line returned beyond what was sold (two tills, offline) is kept, counted and flagged, with an alert', async () => {
    const a = await till();
    const b = await till();
    const sale = makeSale(a.storeCode, a.tillCode, 1); // line 1: qty 2
    await hq.ingest(a, [item(sale), ev(refund(a, 2, sale, 2, 100))]);
    const late = refund(b, 1, sale, 1, 50);
    expect(await hq.ingest(b, [ev(late)])).toMatchObject({ inserted: 1, quarantined: 0 });
    const alerts = await hq.listAlerts();
    expect(alerts).toContainEqual(expect.objectContaining({ kind: 'over-return', tillCode: b.tillCode }));
    const r = await hq.salesReport({ storeCode: 'S001', from: '2026-01-02', to: '2026-01-02' });
    expect(r.byTill.find((g) => g.tillCode === b.tillCode)).toMatchObject({ salesCount: 0, returnsFen: 50, netFen: -50 });
  });
  it('a return of a sale HQ quarantined is held with it, and counted only when an admin accepts the sale', async () => {
    // A till whose sales break HQ's rule (over its per-sale cap): the sale is quarantined.
    const strict = await tdb.open({ maxSaleFen: 1 });
    try {
      const t = await till();
      const sale = makeSale(t.storeCode, t.tillCode, 1); // business day 2026-01-02, line 1 qty 2
      const ret = refund(t, 2, sale, 1, sale.lines[0].unitPriceFen);
      const day = { tillCode: t.tillCode, from: '2026-01-02', to: '2026-01-02' };
      expect((await strict.ingest(t, [item(sale)])).acks![0].status).toBe('quarantined');
      const r = await strict.ingest(t, [ev(ret)]);
      expect(r).toMatchObject({ ackedThrough: 2, inserted: 0, quarantined: 1 });
      expect(r.acks).toEqual([expect.objectContaining({ seq: 2, saleId: ret.id, status: 'quarantined' })]);
      const [held, heldRet] = await hq.listQuarantine({ till: t });
      expect(heldRet).toMatchObject({ seq: 2, reason: `its sale ${sale.id} is not counted at HQ (quarantined #${held.id})` });
      expect(await hq.salesReport(day)).toMatchObject({ salesCount: 0, returnsFen: 0, netFen: 0 });
      // The till re-sends the return: a duplicate, still quarantined; the stream goes on.
      expect(await strict.ingest(t, [ev(ret)])).toMatchObject({ duplicates: 1, acks: [expect.objectContaining({ status: 'quarantined' })] });

      await hq.acceptQuarantined(held.id, '王经理', 'checked the receipt');
      expect(await hq.salesReport(day)).toMatchObject({ salesCount: 1, totalFen: sale.totalFen, returnsFen: ret.body.refundFen, netFen: sale.totalFen - ret.body.refundFen });
      const all = await hq.listQuarantine({ till: t, includeAccepted: true });
      expect(all.find((x) => x.id === heldRet.id)!.accepted).toMatchObject({ by: '王经理', reason: `with its sale #${held.id}` });
      expect(await hq.held(t, [2])).toEqual([expect.objectContaining({ seq: 2, saleId: ret.id, status: 'held' })]);
      await expect(hq.acceptQuarantined(held.id, '王经理', 'again')).rejects.toThrow(/already accepted/);
      await expect(hq.acceptQuarantined(heldRet.id, '王经理', 'again')).rejects.toThrow(/already accepted/);
      expect(await hq.ingest(t, [ev(ret)])).toMatchObject({ duplicates: 1, inserted: 0 });
      expect(await hq.salesReport(day)).toMatchObject({ salesCount: 1, netFen: sale.totalFen - ret.body.refundFen });
    } finally {
      await strict.close();
    }
  });

  it('a sale quarantined and its return in the same upload: both held, the return counted when the sale is accepted', async () => {
    const strict = await tdb.open({ maxSaleFen: 1 });
    try {
      const t = await till();
      const sale = makeSale(t.storeCode, t.tillCode, 1);
      const ret = refund(t, 2, sale, 1, 100);
      const r = await strict.ingest(t, [item(sale), ev(ret)]);
      expect(r.acks!.map((a) => a.status)).toEqual(['quarantined', 'quarantined']);
      const [held, heldRet] = await hq.listQuarantine({ till: t });
      expect(heldRet.reason).toBe(`its sale ${sale.id} is not counted at HQ (quarantined in the same upload)`);
      await hq.acceptQuarantined(held.id, '王经理', 'checked');
      expect(await hq.salesReport({ tillCode: t.tillCode, from: '2026-01-02', to: '2026-01-02' })).toMatchObject({ salesCount: 1, returnsFen: 100, netFen: sale.totalFen - 100 });
    } finally {
      await strict.close();
    }
  });

  it('a return of a sale HQ has never seen is held in quarantine, not counted', async () => {
    const t = await till();
    const ghost = makeSale(t.storeCode, t.tillCode, 7);
    const r = await hq.ingest(t, [ev(refund(t, 1, ghost, 1, 100))]);
    expect(r).toMatchObject({ inserted: 0, quarantined: 1 });
    expect((await hq.listQuarantine({ till: t }))[0].reason).toBe(`its sale ${ghost.id} is not counted at HQ (unknown)`);
    expect(await hq.salesReport({ tillCode: t.tillCode, from: '2026-01-02', to: '2026-01-02' })).toMatchObject({ returnsFen: 0, netFen: 0 });
  });
});
