// Expected cash in the drawer: float + cash taken − change given − cash refunds + pay-ins −
// pay-outs, one definition (core/cash.ts). The change handed back is never cash taken.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CountParseError, cashOfPayments, drawerFigures, overShort, parseDenominationCount, type CashMovement } from '../../src/core/cash.js';
import { settleTenders } from '../../src/core/sale.js';
import type { Payment, TenderMethod } from '../../src/core/types.js';

describe('expected cash', () => {
  it('a ¥100 note for a ¥35 sale leaves ¥65 change: the drawer gains ¥35, not ¥100', () => {
    const { payments } = settleTenders(3500, [{ method: 'cash', tenderedFen: 10000 }]);
    const cash = cashOfPayments(payments);
    expect(cash).toEqual({ cashTakenFen: 10000, changeGivenFen: 6500 });
    const f = drawerFigures({ movements: [{ kind: 'float', amountFen: 20000 }], ...cash, cashRefundsFen: 0 });
    expect(f.expectedCashFen).toBe(20000 + 3500);
  });

  it('a card part-payment brings no cash; the cash rest and its change do', () => {
    const { payments } = settleTenders(5000, [
      { method: 'card', tenderedFen: 2000 },
      { method: 'cash', tenderedFen: 5000 },
    ]);
    expect(cashOfPayments(payments)).toEqual({ cashTakenFen: 5000, changeGivenFen: 2000 });
  });

  it('pay-ins add, pay-outs and cash refunds take away', () => {
    const movements: CashMovement[] = [
      { kind: 'float', amountFen: 10000 },
      { kind: 'pay-in', amountFen: 5000 },
      { kind: 'pay-out', amountFen: 1200 },
      { kind: 'pay-out', amountFen: 300 },
    ];
    const f = drawerFigures({ movements, cashTakenFen: 8000, changeGivenFen: 1500, cashRefundsFen: 700 });
    expect(f).toEqual({ floatFen: 10000, cashTakenFen: 8000, changeGivenFen: 1500, cashRefundsFen: 700, payInsFen: 5000, payOutsFen: 1500, expectedCashFen: 10000 + 8000 - 1500 - 700 + 5000 - 1500 });
    expect(overShort(18000, f.expectedCashFen)).toBe(-1300);
  });

  it('for any day of sales, movements and refunds, expected follows the formula and equals a drawer counted note by note', () => {
    const method = fc.constantFrom<TenderMethod>('cash', 'card', 'wechat', 'alipay');
    const sale = fc.record({
      totalFen: fc.integer({ min: 1, max: 500_000 }),
      tenders: fc.array(fc.record({ method, share: fc.double({ min: 0.01, max: 1.5, noNaN: true }) }), { minLength: 1, maxLength: 3 }),
    });
    const movement = fc.record({ kind: fc.constantFrom<'pay-in' | 'pay-out'>('pay-in', 'pay-out'), amountFen: fc.integer({ min: 1, max: 100_000 }) });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.array(sale, { maxLength: 40 }), fc.array(movement, { maxLength: 10 }), fc.integer({ min: 0, max: 50_000 }), (floatFen, sales, moves, cashRefundsFen) => {
        const payments: Payment[] = [];
        let drawer = floatFen; // a drawer that sees every note go in and out
        let cashPaidTowardSales = 0;
        for (const s of sales) {
          let due = s.totalFen;
          const tenders = [];
          for (const t of s.tenders) {
            if (due <= 0) break;
            // Cash may be more than is due (change); other tenders at most what is due.
            const fen = Math.max(1, Math.round(s.totalFen * t.share));
            const tenderedFen = t.method === 'cash' ? fen : Math.min(fen, due);
            tenders.push({ method: t.method, tenderedFen });
            due -= tenderedFen;
          }
          if (due > 0) tenders.push({ method: 'cash' as const, tenderedFen: due });
          const settled = settleTenders(s.totalFen, tenders);
          for (const p of settled.payments) {
            if (p.method === 'cash') {
              drawer += p.tenderedFen;
              cashPaidTowardSales += p.amountFen;
            }
            drawer -= p.changeFen;
          }
          payments.push(...settled.payments);
        }
        for (const m of moves) drawer += m.kind === 'pay-in' ? m.amountFen : -m.amountFen;
        drawer -= cashRefundsFen;

        const cash = cashOfPayments(payments);
        const movements: CashMovement[] = [{ kind: 'float', amountFen: floatFen }, ...moves];
        const f = drawerFigures({ movements, ...cash, cashRefundsFen });
        const payIns = moves.filter((m) => m.kind === 'pay-in').reduce((a, m) => a + m.amountFen, 0);
        const payOuts = moves.filter((m) => m.kind === 'pay-out').reduce((a, m) => a + m.amountFen, 0);
        expect(f.expectedCashFen).toBe(floatFen + cash.cashTakenFen - cash.changeGivenFen - cashRefundsFen + payIns - payOuts);
        expect(f.expectedCashFen).toBe(drawer);
        // Change is never cash taken: what stays from sales is exactly what cash paid toward them.
        expect(cash.cashTakenFen - cash.changeGivenFen).toBe(cashPaidTowardSales);
        expect(f.expectedCashFen).toBe(floatFen + cashPaidTowardSales - cashRefundsFen + payIns - payOuts);
      }),
      { numRuns: 300 },
    );
  });
});

describe('counting the drawer by denomination', () => {
  it('3 × ¥100, 1 × ¥50, 4 × ¥0.5 and 7 × ¥0.1 make ¥352.70', () => {
    const r = parseDenominationCount('100=3, 50=1,0.5=4,0.1=7');
    expect(r.totalFen).toBe(35270);
    expect(r.counts).toEqual([
      { denominationFen: 10000, count: 3 },
      { denominationFen: 5000, count: 1 },
      { denominationFen: 50, count: 4 },
      { denominationFen: 10, count: 7 },
    ]);
  });

  it('refuses a note that does not exist, a value counted twice, and a count that is not whole', () => {
    expect(() => parseDenominationCount('30=1')).toThrow(CountParseError);
    expect(() => parseDenominationCount('100=1,100=2')).toThrow(/counted twice/);
    expect(() => parseDenominationCount('100=1.5')).toThrow(/value=how many/);
    expect(() => parseDenominationCount('')).toThrow(CountParseError);
  });
});
