// The store's figures, defined once (core/metrics.ts), and the X and Z reports built on them
// (db/zreports.ts), proven over random days: sales with change, returns, pay-ins and pay-outs,
// handovers, training sales, and days that cross the 04:00 cutoff.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { averageBasketFen, netFen, periodMetrics, type PeriodSums } from '../../src/core/metrics.js';
import type { TenderMethod } from '../../src/core/types.js';
import type { DB } from '../../src/db/open.js';
import { recordReturn } from '../../src/db/returns.js';
import { recordSale } from '../../src/db/sales.js';
import { closeShift, currentShift, openShift, payInOut, shiftFigures } from '../../src/db/shifts.js';
import { createUser } from '../../src/db/users.js';
import { takeZReport, xReport, type ReportBody } from '../../src/db/zreports.js';
import { UserError } from '../../src/errors.js';
import { memoryTill } from '../helpers/till.js';

const EMPTY: PeriodSums = {
  sales: { count: 0, grossFen: 0, discountFen: 0 },
  returns: { count: 0, fen: 0, postVoids: 0, postVoidsFen: 0 },
  training: { salesCount: 0, totalFen: 0 },
  tenders: [],
  categories: [],
  cashiers: [],
  cash: { shifts: 0, floatFen: 0, cashTakenFen: 0, changeGivenFen: 0, cashRefundsFen: 0, payInsFen: 0, payOutsFen: 0, expectedCashFen: 0, countedCashFen: 0 },
};

describe('the figures, defined once', () => {
  it('net is gross less discounts less returns', () => {
    expect(netFen(10_000, 500, 1_200)).toBe(8_300);
  });

  it('the average basket is what a sale came to, rounded half up, and 0 on a day without sales', () => {
    expect(averageBasketFen(1_000, 3)).toBe(333);
    expect(averageBasketFen(1_001, 2)).toBe(501);
    expect(averageBasketFen(0, 0)).toBe(0);
  });

  it('every tender is listed, the ones not used at zero; over/short is counted less expected', () => {
    const m = periodMetrics({ ...EMPTY, tenders: [{ method: 'card', salesFen: 900, refundsFen: 100 }], cash: { ...EMPTY.cash, expectedCashFen: 5_000, countedCashFen: 4_970 } });
    expect(m.byTender.map((t) => [t.method, t.netFen])).toEqual([
      ['cash', 0],
      ['card', 800],
      ['wechat', 0],
      ['alipay', 0],
    ]);
    expect(m.cash.overShortFen).toBe(-30);
    expect(m.voidsCount).toBe(0);
  });
});

type Op =
  | { op: 'sale'; training: boolean; lines: Array<{ price: number; qty: number; discount: number }>; orderDiscount: number; tender: TenderMethod | 'split'; overpay: number }
  | { op: 'return'; pick: number; whole: boolean; cash: boolean }
  | { op: 'pay'; kind: 'pay-in' | 'pay-out'; amount: number }
  | { op: 'handover'; countedDelta: number; float: number }
  | { op: 'z' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant('sale' as const),
      training: fc.boolean(),
      lines: fc.array(fc.record({ price: fc.integer({ min: 1, max: 20_000 }), qty: fc.integer({ min: 1, max: 4 }), discount: fc.integer({ min: 0, max: 100 }) }), { minLength: 1, maxLength: 3 }),
      orderDiscount: fc.integer({ min: 0, max: 300 }),
      tender: fc.constantFrom<TenderMethod | 'split'>('cash', 'card', 'wechat', 'alipay', 'split'),
      overpay: fc.integer({ min: 0, max: 5_000 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('return' as const), pick: fc.nat(), whole: fc.boolean(), cash: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('pay' as const), kind: fc.constantFrom<'pay-in' | 'pay-out'>('pay-in', 'pay-out'), amount: fc.integer({ min: 1, max: 10_000 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('handover' as const), countedDelta: fc.integer({ min: -500, max: 500 }), float: fc.integer({ min: 0, max: 50_000 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('z' as const) }) },
);

interface DayRun {
  zs: ReportBody[];
  /** The X of what was left open at the end. */
  rest: ReportBody;
  realSales: number;
  trainingSales: number;
  refundedFen: number;
}

/** Plays a day on a fresh till: each op a few minutes to a few hours after the one before. */
function play(ops: Op[], gaps: number[], withTraining: boolean): DayRun {
  const db: DB = memoryTill();
  createUser(db, { id: '1002', name: '王五', role: 'cashier', pin: '2580' });
  let t = Date.parse('2026-03-01T15:00:00Z'); // 23:00 in Shanghai: the first cutoff comes soon
  const at = (i: number) => new Date((t += gaps[i % gaps.length] * 60_000));
  let cashier = '1001';
  openShift(db, { cashierId: cashier, floatFen: 10_000 }, new Date(t));
  const receipts: string[] = [];
  const run: DayRun = { zs: [], rest: undefined as unknown as ReportBody, realSales: 0, trainingSales: 0, refundedFen: 0 };
  const tolerate = (f: () => void) => {
    try {
      f();
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
    }
  };
  ops.forEach((o, i) => {
    const now = at(i);
    if (o.op === 'sale') {
      if (o.training && !withTraining) return;
      const lines = o.lines.map((l, n) => ({ productId: null, barcode: null, name: `商品${n}`, qty: l.qty, qtyGrams: null, unitPriceFen: l.price, discountFen: Math.min(l.discount, l.price * l.qty - 1) }));
      const after = lines.reduce((s, l) => s + l.unitPriceFen * l.qty - l.discountFen, 0);
      const orderDiscountFen = Math.max(0, Math.min(o.orderDiscount, after - 1));
      const due = after - orderDiscountFen;
      const tenders =
        o.tender === 'split' && due > 1
          ? [{ method: 'wechat' as const, tenderedFen: Math.floor(due / 2) }, { method: 'cash' as const, tenderedFen: due - Math.floor(due / 2) + o.overpay }]
          : [{ method: o.tender === 'split' ? ('cash' as const) : o.tender, tenderedFen: due + (o.tender === 'cash' || o.tender === 'split' ? o.overpay : 0) }];
      const sale = recordSale(db, { cashierId: cashier, cashierName: cashier, lines, orderDiscountFen, tenders }, now, { training: o.training });
      if (o.training) run.trainingSales++;
      else (run.realSales++, receipts.push(sale.receiptNo));
    } else if (o.op === 'return') {
      if (receipts.length === 0) return;
      const receiptNo = receipts[o.pick % receipts.length];
      tolerate(() => {
        const r = recordReturn(db, { receiptNo, lines: o.whole ? undefined : [{ lineNo: 1, qty: 1 }], refund: o.cash ? 'cash' : 'original', supervisorId: '9001', cashierId: cashier }, now);
        run.refundedFen += r.refundFen;
      });
    } else if (o.op === 'pay') {
      tolerate(() => payInOut(db, { kind: o.kind, amountFen: o.amount, reason: 'test' }, now));
    } else if (o.op === 'handover') {
      // Counted: what the drawer should hold, give or take (a shortage when negative).
      const expected = shiftFigures(db, currentShift(db)!).expectedCashFen;
      closeShift(db, { countedFen: Math.max(0, expected + o.countedDelta) }, now);
      cashier = cashier === '1001' ? '1002' : '1001';
      openShift(db, { cashierId: cashier, floatFen: o.float }, at(i));
    } else {
      const x = xReport(db, now);
      try {
        const z = takeZReport(db, now);
        expect({ ...z, kind: 'X' }).toEqual(x); // X taken just before Z equals Z, to the fen
        run.zs.push(z);
        expect(() => takeZReport(db, now)).toThrow(/Nothing to close/); // never twice for the same events
      } catch (e) {
        if (!(e instanceof UserError)) throw e;
        expect(x.salesCount + x.returnsCount + x.postVoidsCount).toBe(0); // refused only with nothing to close
      }
    }
  });
  run.rest = xReport(db, at(ops.length));
  db.close();
  return run;
}

describe('X and Z over random days', () => {
  it('X equals Z, every figure adds up, no Z number is skipped, training sales change nothing', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 40 }), fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 10 }), (ops, gaps) => {
        const run = play(ops, gaps, true);
        const reports = [...run.zs, run.rest];
        run.zs.forEach((z, i) => {
          expect(z.no).toBe(i + 1);
          expect(z.grandTotalFen).toBe(run.zs.slice(0, i + 1).reduce((s, r) => s + r.netFen, 0));
        });
        for (const r of reports) {
          expect(r.netFen).toBe(r.grossFen - r.discountFen - r.returnsFen);
          const sum = (xs: Array<{ netFen: number }>) => xs.reduce((s, x) => s + x.netFen, 0);
          expect(sum(r.byTender)).toBe(r.netFen);
          expect(sum(r.byCategory)).toBe(r.netFen);
          expect(sum(r.byCashier)).toBe(r.netFen);
          expect(r.byCashier.reduce((s, c) => s + c.salesCount, 0)).toBe(r.salesCount);
          const c = r.cash;
          expect(c.expectedCashFen).toBe(c.floatFen + c.cashTakenFen - c.changeGivenFen - c.cashRefundsFen + c.payInsFen - c.payOutsFen);
          expect(c.overShortFen).toBe(c.countedCashFen - c.expectedCashFen);
          if (r.period.businessDayFrom) expect(r.period.businessDayFrom <= r.period.businessDayTo!).toBe(true);
        }
        // Every event lands in exactly one report.
        expect(reports.reduce((s, r) => s + r.salesCount, 0)).toBe(run.realSales);
        expect(reports.reduce((s, r) => s + r.returnsFen, 0)).toBe(run.refundedFen);
        expect(reports.reduce((s, r) => s + r.trainingSalesCount, 0)).toBe(run.trainingSales);
        // The same day without its training sales gives the same reports, training count apart.
        const plain = play(ops, gaps, false);
        const strip = (r: ReportBody) => ({ ...r, trainingSalesCount: 0, trainingTotalFen: 0, period: { ...r.period, after: { ...r.period.after, trainingSeq: 0 }, upTo: { ...r.period.upTo, trainingSeq: 0 } } });
        expect(plain.zs.map(strip)).toEqual(run.zs.map(strip));
      }),
      { numRuns: 25 },
    );
  });
});
