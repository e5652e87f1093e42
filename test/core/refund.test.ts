// What a return refunds (core/refund.ts): what the customer paid for each line, the sale discount
// shared out; back to the tenders that paid, cash last; never more than was sold or paid.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planRefund, RefundError, type PriorReturn, type RefundableSale, type RefundPlan } from '../../src/core/refund.js';
import { buildSale, computeTotals, lineGrossFen, priceLines, saleDiscountByLine, type LineDraft, type TenderDraft } from '../../src/core/sale.js';
import type { TenderMethod } from '../../src/core/types.js';

const ctx = { id: 'x', receiptNo: 'S001-T01-20261208-0001', storeCode: 'S001', tillCode: 'T01', seq: 1, createdAt: '2026-12-08T02:00:00.000Z' };

/** A committed sale as the till's return sees it. */
function refundable(lines: LineDraft[], orderDiscountFen: number, tenders: (total: number) => TenderDraft[]): RefundableSale {
  const total = computeTotals(priceLines(lines), orderDiscountFen).totalFen;
  const sale = buildSale({ cashierId: '1001', cashierName: '张三', lines, orderDiscountFen, tenders: total > 0 ? tenders(total) : [] }, ctx);
  const shares = saleDiscountByLine(sale);
  return {
    totalFen: sale.totalFen,
    lines: sale.lines.map((l, i) => ({ lineNo: l.lineNo, name: l.name, qty: l.qty, qtyGrams: l.qtyGrams, lineTotalFen: l.lineTotalFen, saleDiscountFen: shares[i] })),
    payments: sale.payments.map((p, i) => ({ idx: i + 1, method: p.method, amountFen: p.amountFen })),
  };
}

const asPrior = (p: RefundPlan): PriorReturn => ({ lines: p.lines, tenders: p.tenders });
const cola = { productId: 1, barcode: '6901234567892', name: '可口可乐', qty: 3, qtyGrams: null, unitPriceFen: 350 };
const chips = { productId: 2, barcode: '6901234567893', name: '薯片', qty: 1, qtyGrams: null, unitPriceFen: 650 };
const bananas = { productId: 3, barcode: null, name: '香蕉', qty: 1, qtyGrams: 1234, unitPriceFen: 698 };

describe('planning a refund', () => {
  it('one cola of three, on a sale with ¥2 off: the cola line bore ¥1.24 of it, one cola refunds a third of what was paid', () => {
    // Lines after their own discounts: cola 1050, chips 650 → ¥2.00 off shared 1235.29…/764.70… → 124 / 76.
    const sale = refundable([cola, chips], 200, (t) => [{ method: 'cash', tenderedFen: t }]);
    expect(sale.lines.map((l) => l.saleDiscountFen)).toEqual([124, 76]);
    const plan = planRefund(sale, [], { lines: [{ lineNo: 1, qty: 1 }], mode: 'original' });
    expect(plan.lines).toEqual([{ lineNo: 1, qty: 1, qtyGrams: null, refundFen: 308 }]); // floor(926 / 3)
    // The other two colas refund the rest of the line exactly: 926 in all.
    const rest = planRefund(sale, [asPrior(plan)], { lines: [{ lineNo: 1, qty: 2 }], mode: 'original' });
    expect(rest.refundFen).toBe(926 - 308);
  });

  it('refunds go back to card and WeChat first, in the order they paid, and cash last', () => {
    const sale = refundable([cola, chips], 0, () => [
      { method: 'cash', tenderedFen: 500 },
      { method: 'card', tenderedFen: 700, reference: '123456' },
      { method: 'wechat', tenderedFen: 500, reference: '134567890123456789' },
    ]);
    const plan = planRefund(sale, [], { lines: [{ lineNo: 1, qty: 3 }], mode: 'original' });
    expect(plan.tenders).toEqual([
      { paymentIdx: 2, method: 'card', amountFen: 700 },
      { paymentIdx: 3, method: 'wechat', amountFen: 350 },
    ]);
    const cashOnly = planRefund(sale, [], { lines: [{ lineNo: 2 }], mode: 'cash' });
    expect(cashOnly.tenders).toEqual([{ paymentIdx: null, method: 'cash', amountFen: 650 }]);
  });

  it('refuses a line beyond what was sold, a line returned twice, a weighed line in part, a line not on the sale', () => {
    const sale = refundable([cola, bananas], 0, (t) => [{ method: 'cash', tenderedFen: t }]);
    const first = planRefund(sale, [], { lines: [{ lineNo: 1, qty: 2 }], mode: 'original' });
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as RefundError).code;
      }
      return 'accepted';
    };
    expect(code(() => planRefund(sale, [asPrior(first)], { lines: [{ lineNo: 1, qty: 2 }], mode: 'original' }))).toBe('E_BEYOND_SOLD');
    const second = planRefund(sale, [asPrior(first)], { lines: [{ lineNo: 1 }], mode: 'original' });
    expect(code(() => planRefund(sale, [asPrior(first), asPrior(second)], { lines: [{ lineNo: 1, qty: 1 }], mode: 'original' }))).toBe('E_ALREADY_RETURNED');
    expect(code(() => planRefund(sale, [], { lines: [{ lineNo: 2, qty: 500 }], mode: 'original' }))).toBe('E_WEIGHED_PARTIAL');
    expect(code(() => planRefund(sale, [], { lines: [{ lineNo: 3 }], mode: 'original' }))).toBe('E_NOT_ON_SALE');
    expect(planRefund(sale, [], { lines: [{ lineNo: 2 }], mode: 'original' }).lines).toEqual([{ lineNo: 2, qty: 1, qtyGrams: 1234, refundFen: 861 }]);
  });

  const METHODS: TenderMethod[] = ['cash', 'card', 'wechat', 'alipay'];
  const line = fc.record({
    weighed: fc.boolean(),
    qty: fc.integer({ min: 1, max: 6 }),
    grams: fc.integer({ min: 1, max: 5000 }),
    price: fc.integer({ min: 0, max: 20_000 }),
    discountPart: fc.double({ min: 0, max: 1, noNaN: true }),
  });
  const arbitrarySale = fc
    .record({
      lines: fc.array(line, { minLength: 1, maxLength: 8 }),
      orderPart: fc.double({ min: 0, max: 1, noNaN: true }),
      splits: fc.array(fc.record({ method: fc.constantFrom(...METHODS), part: fc.double({ min: 0.05, max: 1, noNaN: true }) }), { minLength: 1, maxLength: 3 }),
    })
    .map(({ lines, orderPart, splits }) => {
      const drafts: LineDraft[] = lines.map((l, i) => {
        const d: LineDraft = { productId: i + 1, barcode: null, name: `p${i + 1}`, qty: l.weighed ? 1 : l.qty, qtyGrams: l.weighed ? l.grams : null, unitPriceFen: l.price };
        return { ...d, discountFen: Math.floor(lineGrossFen(d) * l.discountPart * 0.5) };
      });
      const net = computeTotals(priceLines(drafts)).totalFen;
      const order = Math.floor(net * orderPart * 0.3);
      return refundable(drafts, order, (total) => {
        // Split the total over the tenders in order; the last takes what is left.
        const out: TenderDraft[] = [];
        let left = total;
        splits.forEach((s, i) => {
          if (left <= 0) return;
          const amount = i === splits.length - 1 ? left : Math.min(left, Math.max(1, Math.floor(total * s.part)));
          out.push({ method: s.method, tenderedFen: amount, reference: s.method === 'cash' ? null : '1' });
          left -= amount;
        });
        return out;
      });
    });
  const step = fc.record({
    picks: fc.array(fc.record({ line: fc.integer({ min: 1, max: 9 }), qty: fc.option(fc.integer({ min: 1, max: 7 }), { nil: undefined }) }), { minLength: 1, maxLength: 4 }),
    cash: fc.boolean(),
  });

  it('over random sales and sequences of partial returns: never beyond the sold qty, never more than was paid, and returning everything refunds exactly the total', () => {
    fc.assert(
      fc.property(arbitrarySale, fc.array(step, { maxLength: 6 }), (sale, steps) => {
        const prior: PriorReturn[] = [];
        const returned = new Map<number, number>();
        for (const s of steps) {
          try {
            const plan = planRefund(sale, prior, { lines: s.picks.map((p) => ({ lineNo: p.line, qty: p.qty })), mode: s.cash ? 'cash' : 'original' });
            prior.push(asPrior(plan));
            for (const l of plan.lines) returned.set(l.lineNo, (returned.get(l.lineNo) ?? 0) + l.qty);
            expect(plan.tenders.reduce((a, t) => a + t.amountFen, 0)).toBe(plan.refundFen);
          } catch (e) {
            if (!(e instanceof RefundError)) throw e;
          }
          for (const l of sale.lines) expect(returned.get(l.lineNo) ?? 0).toBeLessThanOrEqual(l.qty);
          const refunded = prior.reduce((a, r) => a + r.lines.reduce((b, l) => b + l.refundFen, 0), 0);
          expect(refunded).toBeLessThanOrEqual(sale.totalFen);
          // A tender is never refunded more than it paid.
          for (const p of sale.payments) {
            const back = prior.reduce((a, r) => a + r.tenders.filter((t) => t.paymentIdx === p.idx).reduce((b, t) => b + t.amountFen, 0), 0);
            expect(back).toBeLessThanOrEqual(p.amountFen);
          }
        }
        // Whatever is left, returned in one go: the sale's refunds come to its total, to the fen.
        const everythingBack = sale.lines.every((l) => (returned.get(l.lineNo) ?? 0) === l.qty);
        if (!everythingBack) prior.push(asPrior(planRefund(sale, prior, { mode: 'original' })));
        expect(prior.reduce((a, r) => a + r.lines.reduce((b, l) => b + l.refundFen, 0), 0)).toBe(sale.totalFen);
        if (prior.every((r) => r.tenders.every((t) => t.paymentIdx !== null))) {
          // All refunds went back to the tenders: each tender got back exactly what it paid.
          for (const p of sale.payments) {
            expect(prior.reduce((a, r) => a + r.tenders.filter((t) => t.paymentIdx === p.idx).reduce((b, t) => b + t.amountFen, 0), 0)).toBe(p.amountFen);
          }
        }
      }),
      { numRuns: 400 },
    );
  });
});
