// till report x / z: the store's day closed from the shell. A day is sold, a line comes back, cash
// is paid out, the shift is closed short; the X shows it, the Z closes it (once, even when two are
// asked at the same moment), and the Z is kept as taken, numbered, and printable at 58 and 80 mm.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textWidth } from '../../src/core/text-width.js';
import { recordSale } from '../../src/db/sales.js';
import { openShift } from '../../src/db/shifts.js';
import { recordVoid } from '../../src/db/voids.js';
import { takeZReport, xReport, zReportEvent } from '../../src/db/zreports.js';
import { BIN, memoryTill, removeDir, tempDir, till } from '../helpers/till.js';

let home: string;
const json = (r: { code: number | null; stdout: string; stderr: string }) => {
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};

beforeAll(() => {
  home = tempDir();
  expect(till(home, ['demo', '--products', '100']).code).toBe(0);
});
afterAll(() => removeDir(home));

/** `till report z` taken by `id`, the PIN on stdin. */
const zBy = (id: string, pin = '9999', extra: string[] = []) => till(home, ['report', 'z', '--by', id, '--pin-stdin', ...extra], { input: `${pin}\n` });

/** Runs `till` without waiting, for two at once. */
function tillAsync(args: string[], input: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, TILL_HOME: home, TILL_LANG: '' } });
    p.stdin.end(input);
    let stderr = '';
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('till report x and z', () => {
  it('a Z on a till with nothing sold is refused with a message, exit 1', () => {
    const r = zBy('9001');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Nothing to close: no sale and no return/);
  });

  it('a day: sell, return a line, pay out, close short; X shows it, Z closes it to the fen, and nothing twice', () => {
    expect(till(home, ['shift', 'open', '--cashier', '1001', '--float', '200']).code).toBe(0);
    expect(till(home, ['simulate', 'sales', '--count', '25', '--seed', '7', '--cashier', '1001']).code).toBe(0);
    const sales = json(till(home, ['sales', 'list', '--json'])) as Array<{ receiptNo: string }>;
    expect(till(home, ['sales', 'return', sales[0].receiptNo, '--line', '1', '--qty', '1', '--refund', 'cash', '--supervisor', '9001', '--pin-stdin'], { input: '9999\n' }).code).toBe(0);
    expect(till(home, ['shift', 'pay-out', '--amount', '20', '--reason', 'milk delivery']).code).toBe(0);
    const status = json(till(home, ['shift', 'status', '--json']));
    expect(till(home, ['shift', 'close', '--counted', String((status.expectedCashFen - 150) / 100)]).code).toBe(0);

    const x = json(till(home, ['report', 'x', '--json']));
    expect(x).toMatchObject({ kind: 'X', no: 1, salesCount: 25, returnsCount: 1, voidsCount: 0, voidsFen: 0, trainingSalesCount: 0 });
    expect(x.netFen).toBe(x.grossFen - x.discountFen - x.returnsFen);
    expect(x.returnsFen).toBeGreaterThan(0);
    expect(x.cash).toMatchObject({ shifts: 1, floatFen: 20_000, payOutsFen: 2_000, expectedCashFen: status.expectedCashFen, overShortFen: -150 });
    expect(x.cash.cashRefundsFen).toBe(x.returnsFen);
    // An X changes nothing: the next one is the same, and still numbered as the next Z.
    expect({ ...json(till(home, ['report', 'x', '--json'])), takenAt: x.takenAt }).toEqual(x);

    // A Z takes a supervisor or admin, with their PIN: a cashier, a wrong PIN or no --by are refused.
    expect(till(home, ['report', 'z']).code).toBe(2);
    const cashier = zBy('1001', '1111');
    expect(cashier.code).toBe(1);
    expect(cashier.stderr).toMatch(/A cashier may not take a Z report/);
    expect(zBy('9001', '0000').stderr).toMatch(/User 9001 and PIN do not match; no Z report was taken/);

    const z = json(zBy('9001', '9999', ['--json']));
    const { kind: _zk, takenAt: _zt, takenBy, ...zFigures } = z;
    const { kind: _xk, takenAt: _xt, takenBy: _xb, ...xFigures } = x;
    expect(z.kind).toBe('Z');
    expect(takenBy).toBe('9001');
    expect(zFigures).toEqual(xFigures);
    expect(z.grandTotalFen).toBe(z.netFen);
    expect(z.period.firstSale.receiptNo).toBe(sales[0].receiptNo);

    const again = zBy('9001');
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/Nothing to close: no sale and no return since Z 1/);
    expect(json(till(home, ['report', 'z', 'show', '1', '--json']))).toEqual(z);
    expect(till(home, ['report', 'z', '--list']).stdout).toMatch(/^Z\s+TAKEN\s+DAYS\s+SALES\s+NET\s+GRAND TOTAL\n1\s/);
    // After the Z, the X starts again from nothing.
    expect(json(till(home, ['report', 'x', '--json']))).toMatchObject({ no: 2, salesCount: 0, netFen: 0, grandTotalFen: z.grandTotalFen });
  });

  it('two `till report z` at the same moment make one Z; the other is refused', async () => {
    expect(till(home, ['shift', 'open', '--cashier', '1001', '--float', '100']).code).toBe(0);
    expect(till(home, ['simulate', 'sales', '--count', '5', '--seed', '8', '--cashier', '1001']).code).toBe(0);
    const z = ['report', 'z', '--by', '9001', '--pin-stdin', '--json'];
    const both = await Promise.all([tillAsync(z, '9999\n'), tillAsync(z, '9999\n')]);
    expect(both.map((r) => r.code).sort()).toEqual([0, 1]);
    // Refused for having nothing left to close, not by a lock or a failed write.
    expect(both.find((r) => r.code === 1)!.stderr).toMatch(/Nothing to close: no sale and no return since Z 2/);
    const list = json(till(home, ['report', 'z', '--list', '--json'])) as Array<{ no: number; salesCount: number }>;
    expect(list.map((z) => [z.no, z.salesCount])).toEqual([
      [2, 5],
      [1, 25],
    ]);
  });

  it('a Z prints at 58 mm within 32 columns, marked COPY when printed again', () => {
    expect(till(home, ['config', 'set', 'printer.width', '58']).code).toBe(0);
    const r = till(home, ['report', 'z', 'show', '2', '--print']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Z 报表 \/ Z REPORT #2\n\s+重印 \/ COPY/);
    expect(r.stdout).toMatch(/净销售 NET/);
    for (const line of r.stdout.trimEnd().split('\n')) expect(textWidth(line)).toBeLessThanOrEqual(32);
    expect(till(home, ['config', 'set', 'printer.width', '80']).code).toBe(0);
    const wide = till(home, ['report', 'x', '--print']);
    expect(wide.stdout).toMatch(/X 报表 \/ X REPORT/);
    expect(Math.max(...wide.stdout.trimEnd().split('\n').map((l) => textWidth(l)))).toBe(48);
  });

  it('bad input: a Z number that is not one exits 2; one never taken exits 1', () => {
    expect(till(home, ['report', 'z', 'show', 'abc']).code).toBe(2);
    expect(till(home, ['report', 'z', 'show', '0']).code).toBe(2);
    const missing = till(home, ['report', 'z', 'show', '99']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/No Z report 99: this till's Z reports are numbered 1 to 2/);
    expect(till(home, ['report', 'z', '--list', '--print']).code).toBe(2);
  });
});

describe("the store's business day is set once", () => {
  it('store.timeZone takes an IANA zone and store.dayCutoff a time HH:MM; anything else is refused', () => {
    expect(till(home, ['config', 'set', 'store.timeZone', 'Asia/Urumqi']).code).toBe(0);
    expect(till(home, ['config', 'set', 'store.dayCutoff', '05:30']).code).toBe(0);
    const zone = till(home, ['config', 'set', 'store.timeZone', 'Mars/Olympus']);
    expect(zone.code).not.toBe(0);
    expect(zone.stderr).toMatch(/IANA/);
    for (const bad of ['4:00', '24:00', '04:60', '0400']) expect(till(home, ['config', 'set', 'store.dayCutoff', bad]).stderr, bad).toMatch(/not a time of day: use HH:MM/);
    expect(json(till(home, ['report', 'x', '--json'])).kind).toBe('X');
  });
});

describe('voids at the checkout', () => {
  it('are counted and valued apart in X and in exactly one Z, never in net', () => {
    const db = memoryTill();
    openShift(db, { cashierId: '1001', floatFen: 0 });
    recordSale(db, { cashierId: '1001', cashierName: '张三', lines: [{ productId: null, barcode: null, name: '水', qty: 1, qtyGrams: null, unitPriceFen: 200 }], tenders: [{ method: 'cash', tenderedFen: 200 }] });
    const voidOf = (fen: number) =>
      db.transaction(() =>
        recordVoid(db, { at: new Date().toISOString(), businessDate: '2026-12-08', kind: 'line-removed', cashierId: '1001', approverId: null, lines: [], amountFen: fen, saleTotalFen: fen, paidFen: 0 }),
      )();
    voidOf(350);
    voidOf(780);
    expect(xReport(db)).toMatchObject({ voidsCount: 2, voidsFen: 1130, netFen: 200 });
    expect(takeZReport(db)).toMatchObject({ voidsCount: 2, voidsFen: 1130, netFen: 200 });
    voidOf(450);
    recordSale(db, { cashierId: '1001', cashierName: '张三', lines: [{ productId: null, barcode: null, name: '水', qty: 1, qtyGrams: null, unitPriceFen: 200 }], tenders: [{ method: 'cash', tenderedFen: 200 }] });
    expect(takeZReport(db)).toMatchObject({ no: 2, voidsCount: 1, voidsFen: 450 });
    db.close();
  });
});

describe('Z reports are kept as taken', () => {
  it('a Z is never changed, never deleted, and never numbered with a gap', () => {
    const db = memoryTill();
    openShift(db, { cashierId: '1001', floatFen: 0 });
    recordSale(db, { cashierId: '1001', cashierName: '张三', lines: [{ productId: null, barcode: null, name: '水', qty: 1, qtyGrams: null, unitPriceFen: 200 }], tenders: [{ method: 'cash', tenderedFen: 200 }] });
    takeZReport(db);
    expect(() => db.prepare('UPDATE z_reports SET net_fen = 0').run()).toThrow(/never changed/);
    expect(() => db.prepare('DELETE FROM z_reports').run()).toThrow(/never deleted/);
    const copy = "INSERT INTO z_reports (no, store_code, till_code, created_at, business_day_from, business_day_to, first_sale_seq, last_sale_seq, first_return_rowid, last_return_rowid, last_training_seq, last_shift_id, sales_count, taken_by, net_fen, grand_total_fen, body) SELECT ?, store_code, till_code, created_at, business_day_from, business_day_to, first_sale_seq, last_sale_seq, first_return_rowid, last_return_rowid, last_training_seq, last_shift_id, sales_count, taken_by, net_fen, grand_total_fen + net_fen, body FROM z_reports WHERE no = 1";
    expect(() => db.prepare(copy.replace('grand_total_fen + net_fen', 'net_fen')).run(3)).toThrow(/without gaps/);
    expect(() => db.prepare(copy.replace('grand_total_fen + net_fen', 'grand_total_fen')).run(2)).toThrow(/grand total/);
    db.close();
  });

  it('a 02:30 sale belongs to the business day before (04:00 cutoff, Shanghai); the Z says which days it spans', () => {
    const db = memoryTill();
    const sell = (iso: string) =>
      recordSale(db, { cashierId: '1001', cashierName: '张三', lines: [{ productId: null, barcode: null, name: '水', qty: 1, qtyGrams: null, unitPriceFen: 200 }], tenders: [{ method: 'card', tenderedFen: 200 }] }, new Date(iso));
    sell('2026-03-01T14:00:00+08:00');
    sell('2026-03-02T02:30:00+08:00');
    const z = takeZReport(db, new Date('2026-03-02T03:00:00+08:00'));
    expect(z.period).toMatchObject({ businessDayFrom: '2026-03-01', businessDayTo: '2026-03-01' });
    expect(z.businessDate).toBe('2026-03-01');
    sell('2026-03-02T04:30:00+08:00');
    const x = xReport(db, new Date('2026-03-02T05:00:00+08:00'), { rule: { timeZone: 'Asia/Shanghai', cutoffMinutes: 5 * 60 } });
    expect(x.period).toMatchObject({ businessDayFrom: '2026-03-01', businessDayTo: '2026-03-01' });
    db.close();
  });

  it('a sale made before discount shares were stored still adds up by category', () => {
    const db = memoryTill();
    db.prepare("INSERT INTO products (id, name, price_fen, category, updated_at) VALUES (1, '可乐', 300, '饮料', '2026-01-01'), (2, '薯片', 700, '零食', '2026-01-01')").run();
    const sale = recordSale(db, {
      cashierId: '1001',
      cashierName: '张三',
      lines: [
        { productId: 1, barcode: null, name: '可乐', qty: 1, qtyGrams: null, unitPriceFen: 300 },
        { productId: 2, barcode: null, name: '薯片', qty: 1, qtyGrams: null, unitPriceFen: 700 },
      ],
      orderDiscountFen: 101,
      tenders: [{ method: 'card', tenderedFen: 899 }],
    });
    db.prepare('UPDATE sale_lines SET sale_discount_fen = NULL WHERE sale_id = ?').run(sale.id);
    const x = xReport(db);
    expect(x.byCategory.map((c) => [c.category, c.netFen])).toEqual([
      ['零食', 700 - 71],
      ['饮料', 300 - 30],
    ]);
    expect(x.byCategory.reduce((s, c) => s + c.netFen, 0)).toBe(x.netFen);
    db.close();
  });

  it('the Z is an event for HQ: its body is the report as taken', () => {
    const db = memoryTill();
    recordSale(db, { cashierId: '1001', cashierName: '张三', lines: [{ productId: null, barcode: null, name: '水', qty: 2, qtyGrams: null, unitPriceFen: 200 }], tenders: [{ method: 'cash', tenderedFen: 500 }] });
    const z = takeZReport(db);
    expect(zReportEvent(z)).toEqual({ type: 'z-report', id: 'S001-T01-Z1', body: z });
    expect(() => zReportEvent(xReport(db))).toThrow();
    db.close();
  });
});
