// HQ checks what it counts and never breaks its own report (issue 17): forged arithmetic is
// quarantined, sums stay exact beyond 2^53, a poison sale never blocks a stream, a flood of
// bad uploads is capped, and an admin can accept a checked sale. Both backends.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HqStore, TillPrincipal } from '../../src/hq/store.js';
import type { WireSale } from '../../src/sync/protocol.js';
import { STORAGES, createTestDb, enrolledTill, item, makeSale, type TestDb } from './helpers.js';

type ForgedLine = { qty: number; qtyGrams?: number | null; unitPriceFen: number; discountFen?: number; lineTotalFen: number };

/** A sale whose header agrees with its line totals (so only the lines themselves can be wrong). */
function forge(t: TillPrincipal, seq: number, lines: ForgedLine[], extra: Partial<WireSale> = {}): WireSale {
  const base = makeSale(t.storeCode, t.tillCode, seq);
  const wl = lines.map((l, i) => ({
    lineNo: i + 1,
    productId: null,
    barcode: null,
    name: '商品',
    qty: l.qty,
    qtyGrams: l.qtyGrams ?? null,
    unitPriceFen: l.unitPriceFen,
    discountFen: l.discountFen ?? 0,
    lineTotalFen: l.lineTotalFen,
  }));
  const subtotal = wl.reduce((s, l) => s + l.lineTotalFen, 0);
  return {
    ...base,
    subtotalFen: subtotal,
    discountFen: wl.reduce((s, l) => s + l.discountFen, 0),
    orderDiscountFen: 0,
    totalFen: subtotal,
    paidFen: subtotal,
    changeFen: 0,
    itemCount: wl.reduce((s, l) => s + (l.qtyGrams === null ? l.qty : 1), 0),
    lines: wl,
    payments: [{ method: 'cash', amountFen: subtotal, tenderedFen: subtotal, changeFen: 0, reference: null }],
    ...extra,
  };
}

describe.each(STORAGES)('HQ guards on %s', (kind) => {
  let tdb: TestDb;
  let hq: HqStore;
  let n = 0;
  const till = async () => (await enrolledTill(hq, 'S001', `G${++n}`)).principal;
  const reasonOf = async (t: TillPrincipal, seq: number) => (await hq.listQuarantine({ till: t })).find((x) => x.seq === seq)?.reason;

  beforeAll(async () => {
    tdb = await createTestDb(kind);
    hq = await tdb.open({ quarantineCap: 5 });
    await hq.addStore('S001', '一号店');
  });
  afterAll(async () => {
    await hq?.close();
    await tdb?.drop();
  });

  it('5 × ¥1,000 billed ¥7, an item count of 99 for 2 items and a ¥50 discount on a ¥7 line are quarantined, not counted', async () => {
    const t = await till();
    const r = await hq.ingest(t, [
      item(forge(t, 1, [{ qty: 5, unitPriceFen: 100_000, lineTotalFen: 700 }])),
      item(forge(t, 2, [{ qty: 2, unitPriceFen: 350, lineTotalFen: 700 }], { itemCount: 99 })),
      item(forge(t, 3, [{ qty: 1, unitPriceFen: 700, discountFen: 5_000, lineTotalFen: 700 }])),
      item(forge(t, 4, [{ qty: 1, qtyGrams: 1234, unitPriceFen: 1280, lineTotalFen: 1579 }])), // 1579.52 rounds half-up to 1580
      item(forge(t, 5, [{ qty: 2, unitPriceFen: 350, lineTotalFen: 700 }, { qty: 1, qtyGrams: 1234, unitPriceFen: 1280, lineTotalFen: 1580 }])),
    ]);
    expect(r).toMatchObject({ ackedThrough: 5, inserted: 1, quarantined: 4 });
    const cardChange = forge(t, 6, [{ qty: 2, unitPriceFen: 350, lineTotalFen: 700 }]);
    cardChange.payments = [{ method: 'card', amountFen: 700, tenderedFen: 10_000, changeFen: 9_300, reference: 'R' }];
    cardChange.changeFen = 9_300;
    expect(await hq.ingest(t, [item(cardChange)])).toMatchObject({ ackedThrough: 6, quarantined: 1 });
    expect(await reasonOf(t, 6)).toMatch(/payment 1: card gives no change/);
    expect(await reasonOf(t, 1)).toMatch(/line 1: lineTotalFen 700 != 5 × 100000/);
    expect(await reasonOf(t, 2)).toMatch(/itemCount 99 != 2/);
    expect(await reasonOf(t, 3)).toMatch(/line 1: discountFen 5000 exceeds the line's price 700/);
    expect(await reasonOf(t, 4)).toMatch(/line 1: lineTotalFen 1579 != 1234 g × 1280\/kg/);
    expect((await hq.salesReport({ tillCode: t.tillCode })).salesCount).toBe(1);
  });

  it('a consistent sale above the plausibility cap (default ¥100,000) is quarantined; one at the cap is counted', async () => {
    const t = await till();
    const r = await hq.ingest(t, [
      item(forge(t, 1, [{ qty: 1, unitPriceFen: 10_000_000, lineTotalFen: 10_000_000 }])),
      item(forge(t, 2, [{ qty: 1, unitPriceFen: 10_000_001, lineTotalFen: 10_000_001 }])),
    ]);
    expect(r).toMatchObject({ ackedThrough: 2, inserted: 1, quarantined: 1 });
    expect(await reasonOf(t, 2)).toMatch(/implausible: 10000001 fen .* cap of 10000000/);
  });

  it('1,025 consistent sales of 2^53 − 1 fen sum exactly, on the report and per till and day', async () => {
    const big = await tdb.open({ maxSaleFen: 0 });
    try {
      const t = (await enrolledTill(big, 'S001', 'BIG')).principal;
      const max = Number.MAX_SAFE_INTEGER;
      for (let seq = 1; seq <= 1025; seq += 500) {
        const batch = [];
        for (let s = seq; s < Math.min(seq + 500, 1026); s++) batch.push(item(forge(t, s, [{ qty: 1, unitPriceFen: max, lineTotalFen: max }])));
        expect((await big.ingest(t, batch)).quarantined).toBe(0);
      }
      const r = await big.salesReport({ tillCode: 'BIG' });
      const exact = 1025n * BigInt(max);
      expect(r.salesCount).toBe(1025);
      expect(r.totalFen).toBe(exact);
      expect(r.byTill).toEqual([{ storeCode: 'S001', tillCode: 'BIG', salesCount: 1025, totalFen: exact, returnsFen: 0, netFen: exact }]);
      expect(r.byDay.reduce((s, g) => s + BigInt(g.totalFen), 0n)).toBe(exact);
    } finally {
      await big.close();
    }
  });

  it('three sales of 2^53 − 1 fen sum to the fen (SQLite used to round sums between 2^53 and 2^63)', async () => {
    const big = await tdb.open({ maxSaleFen: 0 });
    try {
      const t = (await enrolledTill(big, 'S001', 'MID')).principal;
      const max = Number.MAX_SAFE_INTEGER;
      await big.ingest(t, [1, 2, 3].map((s) => item(forge(t, s, [{ qty: 1, unitPriceFen: max, lineTotalFen: max }]))));
      const r = await big.salesReport({ tillCode: 'MID' });
      expect(r.totalFen).toBe(27_021_597_764_222_973n); // odd: no double holds it
    } finally {
      await big.close();
    }
  });

  it('a NUL in a rejected sale’s store code or cashier never blocks the stream: quarantined, and the next sale is taken', async () => {
    const t = await till();
    const poison = { ...makeSale(t.storeCode, t.tillCode, 1), storeCode: 'S0\u00001' };
    const junk = { id: 'x\u0000', seq: 2, storeCode: '\u0000', lines: 'not lines\u0000' };
    for (let attempt = 0; attempt < 2; attempt++) {
      const r = await hq.ingest(t, [item(poison, 1), item(junk, 2), item(makeSale(t.storeCode, t.tillCode, 3))]);
      expect(r.ackedThrough).toBe(3);
    }
    expect(await reasonOf(t, 1)).toContain('S0\\u00001');
    expect((await hq.listSales({ tillCode: t.tillCode })).map((s) => s.seq)).toEqual([3]);
  });

  it('a flood of bad uploads is capped per till: beyond the cap it is counted, not stored, and another till’s quarantine stays visible', async () => {
    const flood = await till();
    const other = await till();
    await hq.ingest(other, [item(forge(other, 1, [{ qty: 5, unitPriceFen: 100_000, lineTotalFen: 700 }]))]);
    const bad = Array.from({ length: 12 }, (_, i) => item({ junk: 'x'.repeat(1000), n: i }, i + 1));
    const r = await hq.ingest(flood, bad);
    expect(r).toMatchObject({ ackedThrough: 12, quarantined: 12 });
    expect(await hq.listQuarantine({ till: flood })).toHaveLength(5);
    expect(await hq.listQuarantine({ till: other })).toHaveLength(1);
    const report = await hq.salesReport({ tillCode: flood.tillCode });
    expect(report.quarantinedCount).toBe(12);
  });

  it('quarantine list pages by id: --limit and --after walk every row once', async () => {
    const t = await till();
    await hq.ingest(t, Array.from({ length: 4 }, (_, i) => item({ bad: i }, i + 1)));
    const seen: number[] = [];
    let after: number | undefined;
    for (let pages = 0; pages < 5; pages++) {
      const page = await hq.listQuarantine({ till: t, limit: 3, afterId: after });
      if (page.length === 0) break;
      seen.push(...page.map((x) => x.seq));
      after = page.at(-1)!.id;
    }
    expect(seen).toEqual([1, 2, 3, 4]);
  });

  it('an admin accepts a checked quarantined sale: it is counted once, with who and why recorded', async () => {
    const t = await till();
    await hq.ingest(t, [item(forge(t, 1, [{ qty: 1, unitPriceFen: 12_000_000, lineTotalFen: 12_000_000 }])), item({ bad: true }, 2)]);
    const [real, junk] = await hq.listQuarantine({ till: t });
    const before = await hq.salesReport({ tillCode: t.tillCode });
    expect(before).toMatchObject({ salesCount: 0, quarantinedCount: 2 });
    const accepted = await hq.acceptQuarantined(real.id, 'admin 王', 'wholesale order, invoice 123');
    expect(accepted.accepted).toMatchObject({ by: 'admin 王', reason: 'wholesale order, invoice 123' });
    const after = await hq.salesReport({ tillCode: t.tillCode });
    expect(after).toMatchObject({ salesCount: 1, totalFen: 12_000_000, quarantinedCount: 1 });
    await expect(hq.acceptQuarantined(real.id, 'admin 王', 'again')).rejects.toThrow(/already accepted by admin 王/);
    await expect(hq.acceptQuarantined(junk.id, 'admin 王', 'why not')).rejects.toThrow(/cannot be counted: .*not a valid sale/);
    expect((await hq.salesReport({ tillCode: t.tillCode })).salesCount).toBe(1);
    // The till re-sends the accepted seq: a duplicate, not a second count.
    const r = await hq.ingest(t, [item(forge(t, 1, [{ qty: 1, unitPriceFen: 12_000_000, lineTotalFen: 12_000_000 }]))]);
    expect(r).toMatchObject({ duplicates: 1, inserted: 0 });
    expect(await hq.listQuarantine({ till: t })).toEqual([expect.objectContaining({ id: junk.id })]);
  });
});
