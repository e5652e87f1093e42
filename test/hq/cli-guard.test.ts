// The admin's side of issue 17, through the built CLI on both backends: `till hq quarantine
// list` pages with --till/--limit/--after, `accept` counts a checked sale once with who and
// why, `sales report --json` prints sums beyond 2^53 exactly, and `hq serve --host 0.0.0.0`
// says where it really listens.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HqStore } from '../../src/hq/store.js';
import type { WireSale } from '../../src/sync/protocol.js';
import { till as runTill } from '../helpers/till.js';
import { STORAGES, createTestDb, enrolledTill, item, makeSale, spawnServe, stopChild, type TestDb } from './helpers.js';

/** A consistent one-line sale of `fen` (qty 1). */
function bigSale(store: string, tillCode: string, seq: number, fen: number): WireSale {
  const base = makeSale(store, tillCode, seq);
  const line = { lineNo: 1, productId: null, barcode: null, name: '大额商品', qty: 1, qtyGrams: null, unitPriceFen: fen, discountFen: 0, lineTotalFen: fen };
  return {
    ...base,
    subtotalFen: fen,
    discountFen: 0,
    orderDiscountFen: 0,
    totalFen: fen,
    paidFen: fen,
    changeFen: 0,
    itemCount: 1,
    lines: [line],
    payments: [{ method: 'card', amountFen: fen, tenderedFen: fen, changeFen: 0, reference: 'R1' }],
  };
}

describe.each(STORAGES)('till hq (CLI) guards on %s', (kind) => {
  let tdb: TestDb;
  let hq: HqStore;
  const cli = (args: string[]) => runTill(tdb.home, ['hq', ...args, '--db', tdb.db]);

  beforeAll(async () => {
    tdb = await createTestDb(kind);
    hq = await tdb.open({ maxSaleFen: 0 });
    await hq.addStore('S001', '一号店');
  });
  afterAll(async () => {
    await hq?.close();
    await tdb?.drop();
  });

  it('quarantine list pages one till with --limit/--after; accept counts the checked sale once, with who and why', async () => {
    const capped = await tdb.open(); // the default plausibility cap (¥100,000)
    try {
      const t = (await enrolledTill(capped, 'S001', 'Q1')).principal;
      await enrolledTill(capped, 'S001', 'Q2').then(({ principal }) => capped.ingest(principal, [item({ other: true }, 1)]));
      await capped.ingest(t, [item({ junk: 1 }, 1), item({ junk: 2 }, 2), item(bigSale('S001', 'Q1', 3, 15_000_000))]);
    } finally {
      await capped.close();
    }
    const page1 = cli(['quarantine', 'list', '--till', 'S001/Q1', '--limit', '2', '--json']);
    expect(page1.code).toBe(0);
    const rows1 = JSON.parse(page1.stdout);
    expect(rows1.map((r: { seq: number }) => r.seq)).toEqual([1, 2]);
    expect(page1.stderr).toContain(`--after ${rows1[1].id}`);
    const page2 = JSON.parse(cli(['quarantine', 'list', '--till', 'S001/Q1', '--after', String(rows1[1].id), '--json']).stdout);
    expect(page2).toEqual([expect.objectContaining({ seq: 3, reason: expect.stringMatching(/implausible/) })]);

    const ok = cli(['quarantine', 'accept', `#${page2[0].id}`, '--reason', 'wholesale order, invoice 88', '--by', '王经理']);
    expect(ok.code).toBe(0);
    expect(ok.stderr).toMatch(/Accepted #\d+ \(S001\/Q1 seq 3\).*王经理/);
    const report = JSON.parse(cli(['sales', 'report', '--store', 'S001', '--json']).stdout);
    expect(report.byTill).toContainEqual({ storeCode: 'S001', tillCode: 'Q1', salesCount: 1, totalFen: 15_000_000, returnsFen: 0, netFen: 15_000_000 });
    const again = cli(['quarantine', 'accept', String(page2[0].id), '--reason', 'again', '--by', '王经理']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already accepted by 王经理/);
    expect(JSON.parse(cli(['sales', 'report', '--store', 'S001', '--json']).stdout).byTill).toContainEqual(expect.objectContaining({ tillCode: 'Q1', salesCount: 1 }));
    expect(cli(['quarantine', 'list', '--till', 'S001']).code).toBe(2);
    expect(cli(['quarantine', 'list', '--limit', '0']).code).toBe(2);
  });

  it('sales report --json prints 1,025 sales of 2^53 − 1 fen to the exact fen', async () => {
    const t = (await enrolledTill(hq, 'S001', 'BIG')).principal;
    const max = Number.MAX_SAFE_INTEGER;
    for (let seq = 1; seq <= 1025; seq += 500) {
      const batch = [];
      for (let s = seq; s < Math.min(seq + 500, 1026); s++) batch.push(item(bigSale('S001', 'BIG', s, max)));
      await hq.ingest(t, batch);
    }
    const r = cli(['sales', 'report', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const exact = (1025n * BigInt(max)).toString();
    expect(r.stdout).toMatch(new RegExp(`"tillCode": "BIG",\\s*"salesCount": 1025,\\s*"totalFen": ${exact}\\b`));
    const text = cli(['sales', 'report']);
    expect(text.stdout).toContain(`${exact.slice(0, -2)}.${exact.slice(-2)}`);
  });

  it('hq serve --host 0.0.0.0 prints the address it really listens on', async () => {
    const { child, stderr } = await spawnServe(tdb.home, ['--db', tdb.db, '--host', '0.0.0.0']);
    try {
      expect(stderr()).toMatch(/listening on http:\/\/0\.0\.0\.0:\d+/);
      expect(stderr()).toMatch(/this machine's addresses: .*http:\/\/127\.0\.0\.1:\d+/);
    } finally {
      await stopChild(child);
    }
  });
});
