// Property: HQ's checks never quarantine a real sale. Whatever basket the checkout's cart
// reducer builds (counted, weighed and label-priced lines, amount and percent discounts on
// lines and on the order, several tenders with change) and commitCart writes, the outbox row
// the till uploads passes every rule HQ applies — arithmetic, item count, totals, plausibility.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commitCart } from '../../src/checkout/service.js';
import { EMPTY_CART, cartTotals, reduceCart, type CartAction, type CartState } from '../../src/core/cart.js';
import { pendingBatch } from '../../src/db/outbox.js';
import { examineSale, ruleBroken } from '../../src/hq/rules.js';
import { memoryTill } from '../helpers/till.js';
import { openShift } from '../../src/db/shifts.js';

const POLICY = { discountLimitBp: 10_000 };

const lineArb = fc.oneof(
  fc.record({ kind: fc.constant('unit' as const), price: fc.integer({ min: 0, max: 50_000 }), qty: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ kind: fc.constant('weighed' as const), price: fc.integer({ min: 1, max: 50_000 }), qty: fc.integer({ min: 1, max: 20_000 }) }),
  fc.record({ kind: fc.constant('label' as const), price: fc.integer({ min: 1, max: 50_000 }), qty: fc.constant(1) }),
);
const discountArb = fc.option(
  fc.oneof(fc.record({ kind: fc.constant('amount' as const), fen: fc.integer({ min: 0, max: 5_000 }) }), fc.record({ kind: fc.constant('percent' as const), bp: fc.integer({ min: 1, max: 10_000 }) })),
  { nil: null },
);
const basketArb = fc.record({
  lines: fc.array(fc.record({ line: lineArb, discount: discountArb }), { minLength: 1, maxLength: 8 }),
  orderDiscount: discountArb,
  split: fc.integer({ min: 0, max: 100 }),
  overpay: fc.oneof(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 1_000_000_000 })), // a typo in the cash handed over is real too
});

function act(cart: CartState, action: CartAction): CartState {
  const r = reduceCart(cart, action, POLICY);
  return r.ok ? r.state : cart;
}

describe('HQ rules against the till’s own sales', () => {
  it('every sale commitCart produces passes HQ’s checks (no false quarantine)', () => {
    const db = memoryTill();
    openShift(db, { cashierId: '1001', floatFen: 0 }); // selling needs an open shift
    let committed = 0;
    fc.assert(
      fc.property(basketArb, (b) => {
        let cart = EMPTY_CART;
        for (const { line, discount } of b.lines) {
          const base = { productId: null, barcode: null, name: '测试商品', unitPriceFen: line.price };
          if (line.kind === 'unit') cart = act(cart, { type: 'addLine', line: base, qty: line.qty });
          else if (line.kind === 'weighed') cart = act(cart, { type: 'addLine', line: { ...base, qtyGrams: line.qty } });
          else cart = act(cart, { type: 'addLine', line: { ...base, fixedPriceFen: line.price } });
          if (discount) cart = act(cart, { type: 'setLineDiscount', index: cart.lines.length - 1, discount });
        }
        if (b.orderDiscount) cart = act(cart, { type: 'setOrderDiscount', discount: b.orderDiscount });
        const total = cartTotals(cart).totalFen;
        const card = Math.floor((total * b.split) / 100);
        if (card > 0) cart = act(cart, { type: 'addTender', tender: { method: 'card', tenderedFen: card, reference: 'REF1' } });
        cart = act(cart, { type: 'addTender', tender: { method: 'cash', tenderedFen: total - card + b.overpay } });
        const sale = commitCart(db, cart, { id: '1001', name: '张三' });
        committed++;
        const row = pendingBatch(db, 1, sale.seq - 1)[0];
        const e = examineSale(JSON.parse(row.payload));
        expect(ruleBroken(e, sale.seq, { storeCode: 'S001', tillCode: 'T01' })).toBeNull();
      }),
      { numRuns: 300 },
    );
    expect(committed).toBe(300);
  });
});
