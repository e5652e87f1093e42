// The cart reducer as pure code: what the cashier can do to a sale, and what needs a supervisor.
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import {
  EMPTY_CART,
  cartSummary,
  cartTotals,
  draftFromCart,
  isPaid,
  parseCart,
  reduceCart,
  serializeCart,
  type CartAction,
  type CartState,
  type NewLine,
} from '../../src/core/cart.js';
import { buildSale } from '../../src/core/sale.js';

const policy = { discountLimitBp: 1000 }; // 10%
const cola: NewLine = { productId: 1, barcode: '6901234567892', name: '可口可乐500ml', unitPriceFen: 350 };
const noodles: NewLine = { productId: 2, barcode: '6920152400777', name: '康师傅红烧牛肉面', unitPriceFen: 450 };
const banana: NewLine = { productId: 5, barcode: '2210002012508', name: '香蕉', unitPriceFen: 698, qtyGrams: 1250 };

function run(actions: CartAction[], start: CartState = EMPTY_CART): CartState {
  return actions.reduce((cart, a) => {
    const r = reduceCart(cart, a, policy);
    if (!r.ok) throw new Error(`${a.type} refused: ${r.refusal.code}`);
    return r.state;
  }, start);
}

function refusal(cart: CartState, a: CartAction) {
  const r = reduceCart(cart, a, policy);
  return r.ok ? undefined : r.refusal;
}

describe('cart', () => {
  test('scanning the same product twice makes one line of 2; another product a new line', () => {
    const cart = run([{ type: 'addLine', line: cola }, { type: 'addLine', line: noodles }, { type: 'addLine', line: cola }]);
    expect(cart.lines.map((l) => [l.name, l.qty])).toEqual([
      ['可口可乐500ml', 2],
      ['康师傅红烧牛肉面', 1],
    ]);
    expect(cartTotals(cart).totalFen).toBe(350 * 2 + 450);
  });

  test('a quantity prefix adds that many; a weighed line is priced from its grams (half-up)', () => {
    const cart = run([{ type: 'addLine', line: cola, qty: 3 }, { type: 'addLine', line: banana }]);
    const t = cartTotals(cart);
    expect(t.lines[0].lineTotalFen).toBe(1050);
    expect(t.lines[1].lineTotalFen).toBe(873); // 6.98 × 1.25 = 8.725 → 8.73
    expect(t.itemCount).toBe(4);
    expect(refusal(cart, { type: 'addLine', line: banana, qty: 2 })?.code).toBe('qty-weighed');
    expect(refusal(cart, { type: 'setQty', index: 1, qty: 2 })?.code).toBe('qty-weighed');
    expect(refusal(cart, { type: 'addLine', line: cola, qty: 0 })?.code).toBe('bad-qty');
  });

  test('a discount up to the limit applies; above it the cart asks for a supervisor', () => {
    const cart = run([{ type: 'addLine', line: cola, qty: 10 }]); // ¥35.00
    const ten = run([{ type: 'setLineDiscount', index: 0, discount: { kind: 'percent', bp: 1000 } }], cart);
    expect(cartTotals(ten).totalFen).toBe(3150);
    expect(refusal(cart, { type: 'setLineDiscount', index: 0, discount: { kind: 'percent', bp: 1500 } })).toEqual({ code: 'needs-approval', reason: 'discount-over-limit' });
    expect(refusal(cart, { type: 'setOrderDiscount', discount: { kind: 'amount', fen: 351 } })).toEqual({ code: 'needs-approval', reason: 'discount-over-limit' });
    const approved = run([{ type: 'setOrderDiscount', discount: { kind: 'amount', fen: 1000 }, approvedBy: '9001' }], cart);
    expect(cartTotals(approved).totalFen).toBe(2500);
    expect(refusal(cart, { type: 'setLineDiscount', index: 0, discount: { kind: 'amount', fen: 3501 }, approvedBy: '9001' })?.code).toBe('discount-too-big');
  });

  test('after the first payment, removing or lowering needs a supervisor and cannot go below what is paid', () => {
    const cart = run([
      { type: 'addLine', line: cola },
      { type: 'addLine', line: noodles },
      { type: 'addTender', tender: { method: 'card', tenderedFen: 400, reference: null } },
    ]);
    expect(cartTotals(cart)).toMatchObject({ totalFen: 800, paidFen: 400, dueFen: 400 });
    expect(refusal(cart, { type: 'removeLine', index: 0 })).toEqual({ code: 'needs-approval', reason: 'after-payment' });
    expect(refusal(cart, { type: 'setOrderDiscount', discount: { kind: 'amount', fen: 10 } })).toEqual({ code: 'needs-approval', reason: 'after-payment' });
    expect(refusal(cart, { type: 'clear' })).toEqual({ code: 'needs-approval', reason: 'after-payment' });
    const removed = run([{ type: 'removeLine', index: 0, approvedBy: '9001' }], cart);
    expect(cartTotals(removed)).toMatchObject({ totalFen: 450, paidFen: 400, dueFen: 50 });
    // Removing the noodles too would leave ¥3.50 against ¥4.00 paid by card.
    expect(refusal(cart, { type: 'removeLine', index: 1, approvedBy: '9001' })?.code).toBe('below-paid');
    // Adding goods after a payment needs nobody.
    expect(cartTotals(run([{ type: 'addLine', line: cola }], cart)).totalFen).toBe(1150);
  });

  test('tenders: card and QR cannot overpay, cash can (change); the sale settles when covered', () => {
    const cart = run([{ type: 'addLine', line: cola }, { type: 'addLine', line: noodles }]); // ¥8.00
    expect(refusal(cart, { type: 'addTender', tender: { method: 'wechat', tenderedFen: 801, reference: '134567890123456789' } })).toEqual({ code: 'tender-over-due', fen: 800 });
    expect(refusal(cart, { type: 'addTender', tender: { method: 'cash', tenderedFen: 0 } })?.code).toBe('bad-amount');
    const split = run([
      { type: 'addTender', tender: { method: 'card', tenderedFen: 300, reference: '123456' } },
      { type: 'addTender', tender: { method: 'cash', tenderedFen: 1000 } },
    ], cart);
    expect(isPaid(split)).toBe(true);
    expect(cartTotals(split)).toMatchObject({ paidFen: 800, changeFen: 500, dueFen: 0 });
    expect(refusal(split, { type: 'addTender', tender: { method: 'cash', tenderedFen: 100 } })?.code).toBe('already-paid');
    const sale = buildSale(draftFromCart(split, { id: '1001', name: '张三' }), { id: 'x', receiptNo: 'r', storeCode: 'S', tillCode: 'T', seq: 1, createdAt: '2026-01-01T00:00:00Z' });
    expect(sale.payments).toEqual([
      { method: 'card', amountFen: 300, tenderedFen: 300, changeFen: 0, reference: '123456' },
      { method: 'cash', amountFen: 500, tenderedFen: 1000, changeFen: 500, reference: null },
    ]);
    expect(sale.totalFen).toBe(800);
  });

  test('undoing a payment needs a supervisor', () => {
    const cart = run([{ type: 'addLine', line: cola }, { type: 'addTender', tender: { method: 'cash', tenderedFen: 100 } }]);
    expect(refusal(cart, { type: 'removeLastTender' })).toEqual({ code: 'needs-approval', reason: 'after-payment' });
    expect(run([{ type: 'removeLastTender', approvedBy: '9001' }], cart).tenders).toEqual([]);
  });

  test('the on-screen summary always equals the full pricing', () => {
    const line = fc.record({
      productId: fc.integer({ min: 1, max: 5 }),
      unitPriceFen: fc.integer({ min: 0, max: 99999 }),
      grams: fc.option(fc.integer({ min: 1, max: 20000 })),
      fixed: fc.option(fc.integer({ min: 1, max: 99999 })),
      qty: fc.integer({ min: 1, max: 20 }),
      discountBp: fc.option(fc.integer({ min: 0, max: 10000 })),
    });
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 12 }), fc.option(fc.integer({ min: 0, max: 10000 })), fc.integer({ min: 0, max: 50000 }), (lines, orderBp, cash) => {
        let cart = EMPTY_CART;
        const loose = { discountLimitBp: 10000 };
        for (const l of lines) {
          const n: NewLine = { productId: l.productId, barcode: `b${l.productId}`, name: `p${l.productId}`, unitPriceFen: l.unitPriceFen, qtyGrams: l.fixed === null ? l.grams : null, ...(l.fixed !== null ? { fixedPriceFen: l.fixed } : {}) };
          const r = reduceCart(cart, { type: 'addLine', line: n, qty: l.grams === null && l.fixed === null ? l.qty : 1 }, loose);
          if (r.ok) cart = r.state;
          if (l.discountBp !== null) {
            const d = reduceCart(cart, { type: 'setLineDiscount', index: cart.lines.length - 1, discount: { kind: 'percent', bp: l.discountBp } }, loose);
            if (d.ok) cart = d.state;
          }
        }
        if (orderBp !== null) {
          const d = reduceCart(cart, { type: 'setOrderDiscount', discount: { kind: 'percent', bp: orderBp } }, loose);
          if (d.ok) cart = d.state;
        }
        if (cash > 0) {
          const t = reduceCart(cart, { type: 'addTender', tender: { method: 'cash', tenderedFen: cash } }, loose);
          if (t.ok) cart = t.state;
        }
        const { lines: _priced, ...full } = cartTotals(cart);
        expect(cartSummary(cart)).toEqual(full);
      }),
    );
  });

  test('a suspended cart reads back the same (lines, discounts), without tenders', () => {
    const cart = run([
      { type: 'addLine', line: cola, qty: 2 },
      { type: 'addLine', line: banana },
      { type: 'setLineDiscount', index: 0, discount: { kind: 'amount', fen: 50 } },
      { type: 'setOrderDiscount', discount: { kind: 'percent', bp: 500 } },
    ]);
    const back = parseCart(serializeCart(cart));
    expect(cartTotals(back)).toEqual(cartTotals(cart));
    expect(back.lines.map((l) => l.name)).toEqual(['可口可乐500ml', '香蕉']);
    expect(() => parseCart('{"v":1,"lines":[{"name":3}]}')).toThrow();
    expect(refusal(cart, { type: 'restore', cart: back })?.code).toBe('cart-not-empty');
  });

  test('an open cart saved with payments taken reads back with them; a damaged payment is refused', () => {
    const cart = run([
      { type: 'addLine', line: cola, qty: 2 },
      { type: 'addTender', tender: { method: 'card', tenderedFen: 300, reference: 'POS-778' } },
    ]);
    const back = parseCart(serializeCart(cart));
    expect(back.tenders).toEqual([{ method: 'card', tenderedFen: 300, reference: 'POS-778' }]);
    expect(cartTotals(back)).toMatchObject({ paidFen: 300, dueFen: cartTotals(cart).totalFen - 300 });
    expect(() => parseCart(serializeCart(cart).replace('"card"', '"cheque"'))).toThrow(/bad tender/);
  });
});
