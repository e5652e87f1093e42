// A sale discount shared over its lines by largest remainder: the shares add up to the discount
// to the fen, each within its line, each less than a fen from its exact proportional share.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocateByLargestRemainder, saleDiscountByLine } from '../../src/core/sale.js';

describe('allocating a sale discount to its lines', () => {
  it('¥10 off three lines of ¥10 each: 3.34, 3.33, 3.33 — the first line takes the odd fen', () => {
    expect(allocateByLargestRemainder(1000, [1000, 1000, 1000])).toEqual([334, 333, 333]);
  });

  it('the largest remainder takes the leftover fen, not the first line', () => {
    // Exact shares 0.6 / 1.4 fen of 2: floors 0 and 1, the 0.6 remainder beats 0.4.
    expect(allocateByLargestRemainder(2, [300, 700])).toEqual([1, 1]);
    expect(allocateByLargestRemainder(1, [300, 700])).toEqual([0, 1]);
  });

  it('for any lines and any discount up to their worth, the shares sum exactly, stay within each line and within a fen of exact', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 10_000_000 }), { minLength: 1, maxLength: 60 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (weights, f) => {
          const worth = weights.reduce((a, b) => a + b, 0);
          const amount = Math.floor(worth * f);
          const shares = allocateByLargestRemainder(amount, weights);
          expect(shares.reduce((a, b) => a + b, 0)).toBe(amount);
          shares.forEach((s, i) => {
            expect(s).toBeGreaterThanOrEqual(0);
            expect(s).toBeLessThanOrEqual(weights[i]);
            if (worth > 0) expect(Math.abs(s - (amount * weights[i]) / worth)).toBeLessThan(1);
          });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('a sale’s discount goes by what each line costs after its own discount; more than the lines are worth is refused', () => {
    expect(saleDiscountByLine({ orderDiscountFen: 500, lines: [{ lineTotalFen: 3220 }, { lineTotalFen: 2000 }] })).toEqual([308, 192]);
    expect(() => allocateByLargestRemainder(5221, [3220, 2000])).toThrow(/cannot allocate/);
  });
});
