// till shift: a cashier's day at the drawer, from the counted float to the counted close, and the
// rules around it: one open shift per drawer (handover = close and open), no close with a held
// sale, a shift across the business-day cutoff, a pay-out the drawer cannot cover, bad input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { beforeCountText } from '../../src/commands/shift.js';
import type { DB } from '../../src/db/open.js';
import { clearOpenCart, saveOpenCart } from '../../src/db/open-cart.js';
import { recordSale } from '../../src/db/sales.js';
import { closeShift, crossedCutoff, currentShift, openShift, payInOut, requireOpenShift, shiftFigures } from '../../src/db/shifts.js';
import { suspendSale, takeSuspended } from '../../src/db/suspended.js';
import { memoryTill, removeDir, tempDir, till } from '../helpers/till.js';

interface SaleJson {
  payments: Array<{ method: string; amountFen: number; tenderedFen: number; changeFen: number }>;
}

describe('till shift (CLI)', () => {
  let home: string;
  beforeAll(() => {
    home = tempDir();
    expect(till(home, ['demo', '--products', '200']).code).toBe(0);
  });
  afterAll(() => removeDir(home));

  it('a day: open with a float, sell, pay in and out, count by denomination; expected follows the formula', () => {
    const open = till(home, ['shift', 'open', '--cashier', '1001', '--float', '200']);
    expect(open.code, open.stderr).toBe(0);
    expect(open.stderr).toMatch(/Shift 1 open for cashier 1001 with a float of ¥200.00/);
    const sim = till(home, ['simulate', 'sales', '--count', '30', '--seed', '3', '--cashier', '1001', '--json']);
    expect(sim.code, sim.stderr).toBe(0);
    expect(sim.stderr).not.toMatch(/opened shift/);
    expect(JSON.parse(sim.stdout)).toMatchObject({ shiftId: 1, openedShift: false });
    expect(till(home, ['shift', 'pay-in', '--amount', '50', '--reason', '零钱']).code).toBe(0);
    const out = till(home, ['shift', 'pay-out', '--amount', '12.5', '--reason', 'milk delivery']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr).toMatch(/Paid out ¥12.50 \(milk delivery\) in shift 1\. The drawer should now hold/);

    const sales = JSON.parse(till(home, ['sales', 'list', '--json']).stdout) as SaleJson[];
    const pays = sales.flatMap((s) => s.payments);
    const cashTaken = pays.filter((p) => p.method === 'cash').reduce((a, p) => a + p.tenderedFen, 0);
    const change = pays.reduce((a, p) => a + p.changeFen, 0);
    expect(change).toBeGreaterThan(0); // the seed gives change: the test would see it counted as cash taken
    const expected = 20000 + cashTaken - change + 5000 - 1250;
    const status = JSON.parse(till(home, ['shift', 'status', '--json']).stdout);
    expect(status).toMatchObject({ open: true, salesCount: 30, floatFen: 20000, cashTakenFen: cashTaken, changeGivenFen: change, payInsFen: 5000, payOutsFen: 1250, expectedCashFen: expected, crossedCutoff: false });
    expect(till(home, ['shift', 'status']).stdout).toMatch(/Shift 1 of cashier 1001[\s\S]*Sales: 30\.[\s\S]*The drawer should hold/);

    // Counted ¥0.30 short, by denomination.
    const short = expected - 30;
    const hundreds = Math.floor(short / 10000);
    const dimes = (short % 10000) / 10;
    const count = `100=${hundreds},0.1=${Math.floor(dimes)}`;
    const countedFen = hundreds * 10000 + Math.floor(dimes) * 10;
    const closed = till(home, ['shift', 'close', '--count', count, '--json']);
    expect(closed.code, closed.stderr).toBe(0);
    const c = JSON.parse(closed.stdout);
    expect(c).toMatchObject({ id: 1, countedFen, expectedCashFen: expected, overShortFen: countedFen - expected, closedBy: '1001' });
    expect(c.countDetail).toEqual([
      { denominationFen: 10000, count: hundreds },
      { denominationFen: 10, count: Math.floor(dimes) },
    ]);

    expect(JSON.parse(till(home, ['shift', 'list', '--json']).stdout)).toEqual([expect.objectContaining({ id: 1, cashierId: '1001', countedFen, expectedCashFen: expected, overShortFen: countedFen - expected })]);
    expect(till(home, ['shift', 'list']).stdout).toMatch(/SHIFT\s+CASHIER[\s\S]*\n1\s+1001\s/);
    expect(till(home, ['shift', 'list', '--limit', '0']).code).toBe(2);
    const twice = till(home, ['shift', 'close', '--counted', '100']);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/No shift is open: shift 1 was closed at/);
    expect(JSON.parse(till(home, ['shift', 'status', '--json']).stdout)).toMatchObject({ open: false, lastClosed: { id: 1, countedFen } });
    const noShift = till(home, ['shift', 'pay-in', '--amount', '5', '--reason', 'x']);
    expect(noShift.code).toBe(1);
    expect(noShift.stderr).toMatch(/No shift is open/);
  });

  it('till simulate with no open shift opens one with a zero float and says so', () => {
    const sim = till(home, ['simulate', 'sales', '--count', '2', '--cashier', '1001']);
    expect(sim.code, sim.stderr).toBe(0);
    expect(sim.stderr).toMatch(/No shift was open: opened shift 2 for cashier 1001 with a zero float/);
    expect(JSON.parse(till(home, ['shift', 'status', '--json']).stdout)).toMatchObject({ open: true, shift: { id: 2 }, floatFen: 0, salesCount: 2 });
    const other = till(home, ['simulate', 'sales', '--count', '1', '--cashier', '9001']);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/in shift 2 of cashier 1001: close it \(handover\)/);
    // Handover to 9001; without --cashier the simulator rings up as the cashier on shift.
    expect(till(home, ['shift', 'close', '--counted', '0', '--by', '9001']).code).toBe(0);
    expect(till(home, ['shift', 'open', '--cashier', '9001', '--float', '0']).code).toBe(0);
    const onShift = till(home, ['simulate', 'sales', '--count', '1', '--json']);
    expect(onShift.code, onShift.stderr).toBe(0);
    expect(JSON.parse(onShift.stdout)).toMatchObject({ shiftId: 3, openedShift: false });
  });

  it('bad input: a negative or 1e3 float, an unknown cashier, a second open, a pay-out beyond the drawer, a close without a count', () => {
    for (const float of ['-5', '1e3', 'abc', '12.345']) {
      const r = till(home, ['shift', 'open', '--cashier', '1001', '--float', float]);
      expect(r.code, float).toBe(2);
      expect(r.stderr).toMatch(/^till: --float: /);
    }
    const unknown = till(home, ['shift', 'open', '--cashier', '4242', '--float', '100']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/No user 4242/);
    const again = till(home, ['shift', 'open', '--cashier', '1001', '--float', '100']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/Shift 3 of cashier 9001 is open on this drawer/);
    const before = JSON.parse(till(home, ['shift', 'status', '--json']).stdout);
    const big = till(home, ['shift', 'pay-out', '--amount', '100000', '--reason', 'rent']);
    expect(big.code).toBe(1);
    expect(big.stderr).toMatch(/The drawer should hold ¥[\d.]+: a pay-out of ¥100000.00 is more than that/);
    expect(JSON.parse(till(home, ['shift', 'status', '--json']).stdout)).toEqual(before);
    expect(till(home, ['shift', 'pay-out', '--amount', '0', '--reason', 'x']).code).toBe(2);
    expect(till(home, ['shift', 'pay-out', '--amount', '1', '--reason', '  ']).code).toBe(1);
    expect(till(home, ['shift', 'close']).code).toBe(2);
    expect(till(home, ['shift', 'close', '--counted', '5', '--count', '100=1']).code).toBe(2);
    expect(till(home, ['shift', 'close', '--count', '30=2']).stderr).toMatch(/--count: "30" is not a note or coin/);
    expect(till(home, ['shift', 'close', '--counted', '-1']).code).toBe(2);
    const cashierClosesOthers = till(home, ['shift', 'close', '--counted', '5', '--by', '4242']);
    expect(cashierClosesOthers.code).toBe(1);
  });

  it("blind close: the status and the pay-out never show what the drawer should hold", () => {
    expect(till(home, ['config', 'set', 'shift.blindClose', 'true']).code).toBe(0);
    const status = till(home, ['shift', 'status']);
    expect(status.stdout).toMatch(/Blind close is on/);
    expect(status.stdout).not.toMatch(/should hold/);
    const json = JSON.parse(till(home, ['shift', 'status', '--json']).stdout);
    expect(json).not.toHaveProperty('expectedCashFen');
    expect(json.blindClose).toBe(true);
    // What a terminal shows before the count (the prompt of `till shift close` with no count given).
    expect(beforeCountText({ id: 2, cashierId: '1001' }, 12345, true)).not.toMatch(/123\.45/);
    expect(beforeCountText({ id: 2, cashierId: '1001' }, 12345, false)).toMatch(/should hold ¥123\.45/);
    const pay = till(home, ['shift', 'pay-in', '--amount', '1', '--reason', 'coins']);
    expect(pay.stderr).not.toMatch(/should/);
    expect(till(home, ['config', 'set', 'shift.blindClose', 'maybe']).code).not.toBe(0);
    expect(till(home, ['config', 'set', 'shift.blindClose', 'false']).code).toBe(0);
  });
});

describe('shift rules (db/shifts.ts)', () => {
  let db: DB;
  beforeAll(() => {
    db = memoryTill();
  });
  afterAll(() => db.close());

  const sell = (cashierId: string, totalFen: number, tenderedFen: number, at: Date) => {
    requireOpenShift(db, cashierId);
    return recordSale(db, { cashierId, cashierName: cashierId, lines: [{ productId: null, barcode: null, name: '水', qty: 1, qtyGrams: null, unitPriceFen: totalFen }], tenders: [{ method: 'cash', tenderedFen }] }, at);
  };

  it('a shift open across the 04:00 cutoff keeps its business day, says it crossed, and keeps the late sales', () => {
    // 02:00 in Shanghai on 8 Dec: still business day 7 Dec.
    const shift = openShift(db, { cashierId: '1001', floatFen: 10000 }, new Date('2026-12-07T18:00:00Z'));
    expect(shift.businessDate).toBe('2026-12-07');
    sell('1001', 350, 500, new Date('2026-12-07T19:00:00Z'));
    expect(crossedCutoff(shift, new Date('2026-12-07T19:59:00Z'))).toBe(false);
    expect(crossedCutoff(shift, new Date('2026-12-07T20:01:00Z'))).toBe(true); // 04:01
    sell('1001', 1000, 1000, new Date('2026-12-07T20:30:00Z'));
    expect(shiftFigures(db, shift)).toMatchObject({ salesCount: 2, cashTakenFen: 1500, changeGivenFen: 150, expectedCashFen: 10000 + 1350 });
  });

  it('a held sale, or a sale being rung up, stops the close until it is finished', () => {
    const held = suspendSale(db, { cashierId: '1001', label: '#1', cart: '{}' });
    expect(() => closeShift(db, { countedFen: 11350 }, new Date('2026-12-07T21:00:00Z'))).toThrow(/1 held sale\(s\) wait on this till/);
    expect(currentShift(db)?.closedAt).toBeNull();
    takeSuspended(db, held.id);
    saveOpenCart(db, '1001', '{"lines":[1]}');
    expect(() => closeShift(db, { countedFen: 11350 })).toThrow(/A sale of cashier 1001 is being rung up/);
    clearOpenCart(db);
  });

  it('two cashiers, one drawer: the second waits for a handover; a cashier cannot close another’s shift, a supervisor can', () => {
    expect(() => openShift(db, { cashierId: '9001', floatFen: 0 })).toThrow(/Shift \d+ of cashier 1001 is open/);
    expect(() => requireOpenShift(db, '9001')).toThrow(/close it \(handover\)/);
    db.prepare("INSERT INTO users (id, name, role, pin_hash, created_at) VALUES ('1002', '王五', 'cashier', 'x', 'now')").run();
    expect(() => closeShift(db, { countedFen: 11350, byId: '1002' })).toThrow(/may not close another cashier's shift/);
    const { shift } = closeShift(db, { countedFen: 11350, byId: '9001' }, new Date('2026-12-07T21:00:00Z'));
    expect(shift).toMatchObject({ closedBy: '9001', expectedCashFen: 11350, overShortFen: 0 });
    expect(() => sell('1001', 100, 100, new Date('2026-12-07T21:01:00Z'))).toThrow(/No shift is open/);
    const next = openShift(db, { cashierId: '1002', floatFen: 11350 }, new Date('2026-12-07T21:02:00Z'));
    expect(requireOpenShift(db, '1002').id).toBe(next.id);
    expect(() => openShift(db, { cashierId: '1002', floatFen: 0 })).toThrow(new RegExp(`Shift ${next.id} is already open`));
  });

  it('a reason with a printer command is refused; the ledger is append-only and a closed shift is final', () => {
    expect(() => payInOut(db, { kind: 'pay-in', amountFen: 500, reason: 'coins\u001b@' })).toThrow(/The reason holds a control character/);
    payInOut(db, { kind: 'pay-in', amountFen: 500, reason: 'coins' });
    expect(() => db.prepare('UPDATE cash_movements SET amount_fen = 1').run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM cash_movements').run()).toThrow(/append-only/);
    expect(() => db.prepare('UPDATE shifts SET counted_fen = 0 WHERE closed_at IS NOT NULL').run()).toThrow(/never changed/);
  });
});
