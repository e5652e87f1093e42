// What the cart refuses so that the sale it becomes is one HQ accepts (core/limits.ts), and the
// discount limit read against the whole sale: stacked discounts need a supervisor too.
import { describe, expect, it } from 'vitest';
import { EMPTY_CART, cartSummary, reduceCart, type CartAction, type CartState, type NewLine } from '../../src/core/cart.js';
import { LIMITS } from '../../src/sync/protocol.js';

const policy = { discountLimitBp: 1000 }; // 10%
const wine: NewLine = { productId: 1, barcode: '6901234567892', name: '长城干红', unitPriceFen: 10000 };
const gum: NewLine = { productId: 2, barcode: '6920152400777', name: '益达口香糖', unitPriceFen: 1000 };

function run(actions: CartAction[], start: CartState = EMPTY_CART): CartState {
  return actions.reduce((cart, a) => {
    const r = reduceCart(cart, a, policy);
    if (!r.ok) throw new Error(`${a.type} refused: ${r.refusal.code}`);
    return r.state;
  }, start);
}

const refusal = (cart: CartState, a: CartAction) => {
  const r = reduceCart(cart, a, policy);
  return r.ok ? undefined : r.refusal;
};

describe('the discount limit applies to the sale’s whole discount against its gross', () => {
  it('10% on a line plus 10% on the sale (19% off) needs a supervisor when the limit is 10%', () => {
    const cart = run([{ type: 'addLine', line: wine }, { type: 'setLineDiscount', index: 0, discount: { kind: 'percent', bp: 1000 } }]);
    expect(refusal(cart, { type: 'setOrderDiscount', discount: { kind: 'percent', bp: 1000 } })).toEqual({ code: 'needs-approval', reason: 'discount-over-limit' });
    const approved = run([{ type: 'setOrderDiscount', discount: { kind: 'percent', bp: 1000 }, approvedBy: '9001' }], cart);
    expect(cartSummary(approved)).toMatchObject({ subtotalFen: 10000, discountFen: 1900, totalFen: 8100 });
  });

  it('the same in the other order: a sale discount first, then a line discount on top', () => {
    const cart = run([{ type: 'addLine', line: wine }, { type: 'setOrderDiscount', discount: { kind: 'percent', bp: 1000 } }]);
    expect(refusal(cart, { type: 'setLineDiscount', index: 0, discount: { kind: 'percent', bp: 500 } })).toEqual({ code: 'needs-approval', reason: 'discount-over-limit' });
  });

  it('an approved 50% off does not grow with the sale unseen: more goods under it need a supervisor again', () => {
    const cart = run([{ type: 'addLine', line: gum }, { type: 'setOrderDiscount', discount: { kind: 'percent', bp: 5000 }, approvedBy: '9001' }]);
    expect(cartSummary(cart).discountFen).toBe(500);
    expect(refusal(cart, { type: 'addLine', line: wine })).toEqual({ code: 'needs-approval', reason: 'discount-over-limit' });
    expect(refusal(cart, { type: 'addLine', line: gum, qty: 998 })).toEqual({ code: 'needs-approval', reason: 'discount-over-limit' });
    expect(refusal(cart, { type: 'setQty', index: 0, qty: 5 })).toEqual({ code: 'needs-approval', reason: 'discount-over-limit' });
    const more = run([{ type: 'addLine', line: wine, approvedBy: '9002' }], cart);
    expect(cartSummary(more)).toMatchObject({ subtotalFen: 11000, discountFen: 5500 });
    // Fewer goods under it lower the discount: nobody needed.
    expect(refusal(more, { type: 'removeLine', index: 1 })).toBeUndefined();
  });

  it('discounts that together stay within the limit need nobody', () => {
    const cart = run([
      { type: 'addLine', line: wine },
      { type: 'addLine', line: gum },
      { type: 'setLineDiscount', index: 1, discount: { kind: 'percent', bp: 1000 } }, // ¥1 off
      { type: 'setOrderDiscount', discount: { kind: 'amount', fen: 1000 } }, // ¥10 off: ¥11 of ¥110 = 10%
    ]);
    expect(cartSummary(cart)).toMatchObject({ subtotalFen: 11000, discountFen: 1100 });
  });

  it('removing the full-price goods under an amount off the sale cannot raise the discount past the limit unseen', () => {
    const cart = run([{ type: 'addLine', line: wine }, { type: 'addLine', line: gum }, { type: 'setOrderDiscount', discount: { kind: 'amount', fen: 1000 } }]);
    expect(refusal(cart, { type: 'removeLine', index: 0 })).toEqual({ code: 'needs-approval', reason: 'discount-over-limit' });
    expect(refusal(cart, { type: 'removeLine', index: 0, approvedBy: '9001' })).toBeUndefined();
  });

  it('10% off never exceeds a 10% limit by rounding alone', () => {
    const odd: NewLine = { ...gum, unitPriceFen: 1005 };
    const cart = run([{ type: 'addLine', line: odd }, { type: 'setOrderDiscount', discount: { kind: 'percent', bp: 1000 } }]);
    expect(cartSummary(cart).discountFen).toBe(101);
  });
});

describe('the cart refuses what HQ would quarantine', () => {
  it(`line ${LIMITS.saleLines + 1} is refused: the sale is full`, () => {
    let cart: CartState = EMPTY_CART;
    for (let i = 0; i < LIMITS.saleLines; i++) cart = run([{ type: 'addLine', line: { ...gum, productId: i + 1, barcode: `B${i}` } }], cart);
    expect(refusal(cart, { type: 'addLine', line: { ...gum, productId: 9999, barcode: 'B9999' } })).toEqual({ code: 'too-many-lines', n: LIMITS.saleLines });
    // One more of goods already on the sale only raises that line's quantity.
    expect(refusal(cart, { type: 'addLine', line: { ...gum, productId: 1, barcode: 'B0' } })).toBeUndefined();
  });

  it(`payment ${LIMITS.saleTenders + 1} is refused`, () => {
    let cart = run([{ type: 'addLine', line: wine }]);
    for (let i = 0; i < LIMITS.saleTenders; i++) cart = run([{ type: 'addTender', tender: { method: 'card', tenderedFen: 1, reference: `R${i}` } }], cart);
    expect(refusal(cart, { type: 'addTender', tender: { method: 'cash', tenderedFen: 10000 } })).toEqual({ code: 'too-many-tenders', n: LIMITS.saleTenders });
  });

  it('a card reference longer than the protocol allows, or holding a control character, is refused', () => {
    const cart = run([{ type: 'addLine', line: wine }]);
    const tender = (reference: string): CartAction => ({ type: 'addTender', tender: { method: 'card', tenderedFen: 100, reference } });
    expect(refusal(cart, tender('R'.repeat(LIMITS.paymentReference)))).toBeUndefined();
    expect(refusal(cart, tender('R'.repeat(LIMITS.paymentReference + 1)))?.code).toBe('bad-reference');
    expect(refusal(cart, tender('POS\u0000778'))?.code).toBe('bad-reference');
  });

  it('a product whose name or code HQ would refuse does not go on the sale', () => {
    expect(refusal(EMPTY_CART, { type: 'addLine', line: { ...gum, name: '口香糖\u0000' } })?.code).toBe('bad-line');
    expect(refusal(EMPTY_CART, { type: 'addLine', line: { ...gum, name: 'x'.repeat(LIMITS.productName + 1) } })?.code).toBe('bad-line');
    expect(refusal(EMPTY_CART, { type: 'addLine', line: { ...gum, barcode: '9'.repeat(LIMITS.barcode + 1) } })?.code).toBe('bad-line');
  });
});
