// What the till commits, HQ accepts: any sale `recordSale` writes passes HQ's own check (the
// protocol's zod schema, the NUL rule and the totals, hq/rules.ts checkSale); anything else is
// refused at the till with a reason, before a write, instead of quarantined at HQ later.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { SaleError, type LineDraft, type SaleDraft } from '../../src/core/sale.js';
import { recordSale } from '../../src/db/sales.js';
import { checkSale } from '../../src/hq/rules.js';
import { LIMITS } from '../../src/sync/protocol.js';
import { memoryTill } from '../helpers/till.js';

const db = memoryTill();
afterAll(() => db.close());

// Text near and past each limit, sometimes with a control character (a NUL above all).
const textArb = (max: number) =>
  fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom('可口可乐', 'POS-778', 'Coca-Cola Zero 330ml') },
    { weight: 1, arbitrary: fc.string({ minLength: 0, maxLength: 12 }) },
    { weight: 1, arbitrary: fc.integer({ min: max - 1, max: max + 2 }).map((n) => 'x'.repeat(Math.max(n, 0))) },
    { weight: 1, arbitrary: fc.tuple(fc.string({ maxLength: 6 }), fc.constantFrom('\u0000', '\u001b', '\n', '\u007f', '\u0085'), fc.string({ maxLength: 6 })).map(([a, c, b]) => `可${a}${c}${b}`) },
  );

const lineArb: fc.Arbitrary<LineDraft> = fc.record({
  productId: fc.option(fc.integer({ min: 1, max: 1000 }), { nil: null }),
  barcode: fc.option(textArb(LIMITS.barcode), { nil: null }),
  name: textArb(LIMITS.productName),
  qty: fc.integer({ min: 1, max: 5 }),
  qtyGrams: fc.option(fc.integer({ min: 1, max: 3000 }), { nil: null }),
  unitPriceFen: fc.integer({ min: 100, max: 5000 }),
});

const draftArb: fc.Arbitrary<SaleDraft> = fc
  .record({
    cashierName: textArb(LIMITS.cashierName),
    lines: fc.array(lineArb, { minLength: 1, maxLength: 4 }),
    /** Pad the sale up to about the line limit. */
    pad: fc.constantFrom(0, 0, 0, 0, 0, 0, LIMITS.saleLines - 4, LIMITS.saleLines),
    references: fc.array(fc.option(textArb(LIMITS.paymentReference), { nil: null }), { maxLength: 3 }),
    manyTenders: fc.integer({ min: 0, max: 9 }).map((n) => n < 2),
  })
  .map(({ cashierName, lines, pad, references, manyTenders }) => {
    const all = [...lines, ...Array.from({ length: pad }, () => ({ ...lines[0] }))];
    const refs = manyTenders ? Array.from({ length: LIMITS.saleTenders + 1 }, (_, i) => references[0] ?? `R${i}`) : references;
    // Card tenders of 1 fen each, the rest in cash: what is due is not known here, so pay a lot of cash last.
    const tenders = [...refs.map((reference) => ({ method: 'card' as const, tenderedFen: 1, reference })), { method: 'cash' as const, tenderedFen: 1e9 }];
    return { cashierId: '1001', cashierName, lines: all, tenders };
  });

describe('every sale the till commits passes HQ’s sale check', () => {
  it('a random sale is either refused by recordSale with a SaleError or accepted by HQ', () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(draftArb, (draft) => {
        let sale;
        try {
          sale = recordSale(db, draft);
        } catch (e) {
          // The tenders may not settle a tiny total (a card tender over what is due): also a refusal.
          if (!(e instanceof SaleError)) throw e;
          refused++;
          return;
        }
        accepted++;
        const verdict = checkSale(JSON.parse(JSON.stringify(sale)), sale.seq, { storeCode: 'S001', tillCode: 'T01' });
        expect(verdict.ok ? null : verdict.reason).toBeNull();
      }),
      { numRuns: 150 },
    );
    // Both sides of the property were exercised.
    expect(accepted).toBeGreaterThan(10);
    expect(refused).toBeGreaterThan(10);
  });

  it('501 lines, 21 payments, a 65-character card reference or cashier name, a NUL in a name: each refused with its reason', () => {
    const line: LineDraft = { productId: 1, barcode: '6901234567892', name: '可口可乐', qty: 1, qtyGrams: null, unitPriceFen: 100 };
    const base: SaleDraft = { cashierId: '1001', cashierName: '张三', lines: [line], tenders: [{ method: 'cash', tenderedFen: 100000 }] };
    const refused = (d: SaleDraft) => {
      try {
        recordSale(db, d);
        return 'accepted';
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(refused({ ...base, lines: Array.from({ length: 501 }, () => line) })).toMatch(/at most 500 lines/);
    expect(refused({ ...base, tenders: [...Array.from({ length: 20 }, () => ({ method: 'card' as const, tenderedFen: 1, reference: null })), { method: 'cash', tenderedFen: 1000 }] })).toMatch(/at most 20 payments/);
    expect(refused({ ...base, tenders: [{ method: 'card', tenderedFen: 100, reference: 'R'.repeat(65) }] })).toMatch(/payment 1's reference is longer than 64/);
    expect(refused({ ...base, cashierName: '张'.repeat(65) })).toMatch(/cashier name is longer than 64/);
    expect(refused({ ...base, lines: [{ ...line, name: '可口\u0000可乐' }] })).toMatch(/line 1's name holds a control character \(U\+0000/);
    expect(refused(base)).toBe('accepted');
  });
});

describe('a cashier’s name is held to the limit of the sales it goes on', () => {
  it('a name over 64 characters, or with a control character, is refused when the user is made', async () => {
    const { createUser } = await import('../../src/db/users.js');
    expect(() => createUser(db, { id: '2001', name: '王'.repeat(LIMITS.cashierName + 1), role: 'cashier', pin: '2468' })).toThrow(/longer than 64/);
    expect(() => createUser(db, { id: '2002', name: '王\u0000五', role: 'cashier', pin: '2468' })).toThrow(/control character/);
    expect(createUser(db, { id: '2003', name: '王'.repeat(LIMITS.cashierName), role: 'cashier', pin: '2468' }).name).toHaveLength(64);
  });
});
