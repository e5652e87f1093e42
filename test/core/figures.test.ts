// A sale's figures have one definition everywhere (DESIGN.md): subtotal = Σ qty × unit price
// (gross), discount = Σ line discounts + sale discount, total = subtotal − discount. Over random
// carts — counted and weighed lines, label prices, % and amount discounts on lines and on the
// sale, split tenders — every figure a person can read adds up: on the screen's bar (the cart
// summary), on the printed receipt, in the sale's JSON and in the CSV and NDJSON exports; and
// HQ's check of a sale's totals accepts them.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { commitCart } from '../../src/checkout/service.js';
import { cartSummary, EMPTY_CART, reduceCart, type CartAction, type CartState, type Discount, type NewLine } from '../../src/core/cart.js';
import { parseYuan, weighedLineFen } from '../../src/core/money.js';
import type { Sale } from '../../src/core/types.js';
import { findSale } from '../../src/db/sales.js';
import { exportSales, type SalesRows } from '../../src/export/exports.js';
import { checkSale } from '../../src/hq/rules.js';
import { Output, type Format } from '../../src/export/output.js';
import { layoutReceipt, renderText } from '../../src/print/layout.js';
import { memoryTill } from '../helpers/till.js';
import { openShift } from '../../src/db/shifts.js';

const dir = mkdtempSync(join(tmpdir(), 'till-figures-'));
const db = memoryTill();
openShift(db, { cashierId: '1001', floatFen: 0 }); // selling needs an open shift
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const noLimit = { discountLimitBp: 10000 };

const discountArb: fc.Arbitrary<Discount | null> = fc.oneof(
  fc.constant(null),
  fc.integer({ min: 1, max: 10000 }).map((bp) => ({ kind: 'percent' as const, bp })),
  fc.integer({ min: 1, max: 3000 }).map((fen) => ({ kind: 'amount' as const, fen })),
);

const lineArb = fc.record({
  kind: fc.constantFrom('count', 'weighed', 'label'),
  price: fc.integer({ min: 1, max: 99_999 }),
  qty: fc.integer({ min: 1, max: 12 }),
  grams: fc.integer({ min: 1, max: 5000 }),
  discount: discountArb,
});

const cartArb = fc.record({
  lines: fc.array(lineArb, { minLength: 1, maxLength: 8 }),
  order: discountArb,
  tenders: fc.array(fc.record({ method: fc.constantFrom('card', 'wechat', 'alipay'), share: fc.integer({ min: 1, max: 100 }) }), { maxLength: 3 }),
  extraCash: fc.integer({ min: 0, max: 10_000 }),
});

/** Rings the cart up through the reducer; a refused action (a discount above a price) is skipped. */
type CartSpec = typeof cartArb extends fc.Arbitrary<infer T> ? T : never;

function ringUp(spec: CartSpec): CartState {
  let cart: CartState = EMPTY_CART;
  const apply = (a: CartAction) => {
    const r = reduceCart(cart, a, noLimit);
    if (r.ok) cart = r.state;
  };
  spec.lines.forEach((l, i) => {
    const n: NewLine = { productId: i + 1, barcode: `20000${i}`, name: `item${i + 1}`, unitPriceFen: l.price };
    if (l.kind === 'weighed') n.qtyGrams = l.grams;
    if (l.kind === 'label') n.fixedPriceFen = l.price;
    apply({ type: 'addLine', line: n, qty: l.kind === 'count' ? l.qty : 1 });
    apply({ type: 'setLineDiscount', index: cart.lines.length - 1, discount: l.discount });
  });
  apply({ type: 'setOrderDiscount', discount: spec.order });
  for (const t of spec.tenders) {
    const due = cartSummary(cart).dueFen;
    const fen = Math.floor((due * t.share) / 200);
    if (fen > 0) apply({ type: 'addTender', tender: { method: t.method as 'card', tenderedFen: fen, reference: `REF${fen}` } });
  }
  const due = cartSummary(cart).dueFen;
  if (due > 0) apply({ type: 'addTender', tender: { method: 'cash', tenderedFen: due + spec.extraCash } });
  return cart;
}

const fen = (text: string): number => {
  const t = text.replace('￥', '');
  return t.startsWith("-") ? 0 - parseYuan(t.slice(1)) : parseYuan(t);
};
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const grossOf = (l: { qty: number; qtyGrams: number | null; unitPriceFen: number }) => (l.qtyGrams !== null ? weighedLineFen(l.unitPriceFen, l.qtyGrams) : l.qty * l.unitPriceFen);

/** The printed receipt, read back as a person reads it: item amounts, their discounts, the totals. */
function checkReceipt(sale: Sale, paper: 58 | 80): void {
  const text = renderText(layoutReceipt({ sale, identity: { storeCode: 'S001', tillCode: 'T01', storeName: '测试便利店', storeAddress: '' }, footer: '', paper }));
  const sections = text.split(paper === 80 ? /^-{48}$/m : /^-{32}$/m);
  // 80 mm: "name qty price amount" rows; 58 mm: the name on its own line, then "  qty × price  amount".
  const items = sections[2].split('\n').filter((l) => l.trim() && !l.startsWith('品名') && (paper === 80 || l.startsWith('  ')) && !l.includes('数量 × 单价'));
  const amounts: number[] = [];
  const lineDiscounts: number[] = [];
  for (const row of items) {
    const cells = row.trim().split(/\s+/).filter((c) => c !== '×');
    const amount = fen(cells[cells.length - 1]);
    if (cells[0] === '优惠') {
      lineDiscounts.push(amount);
      continue;
    }
    // [name,] quantity (n or kg), unit price (or price/kg), amount: the amount is qty × price.
    const [qty, unit] = paper === 80 ? cells.slice(1) : cells;
    const expected = qty.endsWith('kg')
      ? weighedLineFen(fen(unit.replace('/kg', '')), Number(qty.replace('kg', '').replace('.', '')))
      : Number(qty) * fen(unit);
    expect(amount, row).toBe(expected);
    amounts.push(amount);
  }
  expect(amounts).toHaveLength(sale.lines.length);
  expect(lineDiscounts).toHaveLength(sale.lines.filter((l) => l.discountFen > 0).length);
  const totals = sections[3].split('\n').filter((l) => l.trim());
  const value = (label: RegExp) => {
    const row = totals.find((l) => label.test(l));
    return row === undefined ? undefined : fen(row.trim().split(/\s+/).pop()!);
  };
  const subtotal = value(/小计/)!;
  const total = value(/^合计/)!;
  const totalAt = totals.findIndex((l) => /^合计/.test(l));
  expect(subtotal, text).toBe(sum(amounts));
  expect(subtotal).toBe(sale.subtotalFen);
  expect(total).toBe(sale.totalFen);
  // Between 小计 and 合计: the discounts, each shown negative; 小计 plus them is 合计.
  const between = totals.slice(1, totalAt).map((l) => fen(l.trim().split(/\s+/).pop()!));
  expect(subtotal + sum(between), text).toBe(total);
  expect(value(/单品优惠/) ?? 0, text).toBe(sum(lineDiscounts));
  expect(0 - (value(/整单优惠/) ?? 0)).toBe(sale.orderDiscountFen + 0);
  // After 合计: what each tender handed over, then the change; handed over − change = 合计.
  const after = totals.slice(totalAt + 1);
  const change = value(/找零/) ?? 0;
  const handed = after.filter((l) => !/找零/.test(l)).map((l) => fen(l.trim().split(/\s+/).pop()!));
  expect(sum(handed) - change, text).toBe(total);
}

/** The sale's JSON (`till sales show --json`) adds up on its own. */
function checkJson(sale: Record<string, unknown> & Sale): void {
  const gross = sale.lines.map(grossOf);
  sale.lines.forEach((l, i) => expect(l.lineTotalFen + l.discountFen).toBe(gross[i]));
  expect(sale.subtotalFen).toBe(sum(gross));
  expect(sale.discountFen).toBe(sum(sale.lines.map((l) => l.discountFen)) + sale.orderDiscountFen);
  expect(sale.totalFen).toBe(sale.subtotalFen - sale.discountFen);
  for (const p of sale.payments) expect(p.tenderedFen - p.changeFen).toBe(p.amountFen);
  expect(sale.paidFen).toBe(sum(sale.payments.map((p) => p.amountFen)));
  expect(sale.paidFen).toBe(sale.totalFen);
  expect(sale.changeFen).toBe(sum(sale.payments.map((p) => p.changeFen)));
}

let n = 0;
async function exported(rows: SalesRows, format: Format): Promise<string> {
  const file = join(dir, `x${n++}.${format}`);
  const out = new Output({ file });
  await exportSales(db, {}, rows, format, out);
  await out.close();
  return readFileSync(file, 'utf8');
}

async function checkExports(sale: Sale): Promise<void> {
  const csv = (text: string) => parse(text, { columns: true }) as Array<Record<string, string>>;
  const [s] = csv(await exported('sales', 'csv'));
  expect(fen(s.subtotal) - fen(s.discount)).toBe(fen(s.total));
  expect(fen(s.subtotal)).toBe(sale.subtotalFen);
  const lines = csv(await exported('lines', 'csv'));
  for (const l of lines) {
    expect(fen(l.gross) - fen(l.discount), JSON.stringify(l)).toBe(fen(l.line_total));
    if (l.weight_kg === '') expect(Number(l.qty) * fen(l.unit_price)).toBe(fen(l.gross));
  }
  expect(sum(lines.map((l) => fen(l.gross)))).toBe(fen(s.subtotal));
  expect(sum(lines.map((l) => fen(l.discount))) + fen(s.order_discount)).toBe(fen(s.discount));
  const pays = csv(await exported('payments', 'csv'));
  for (const p of pays) expect(fen(p.tendered) - fen(p.change)).toBe(fen(p.amount));
  expect(sum(pays.map((p) => fen(p.amount)))).toBe(fen(s.total));

  const nd = (text: string) => text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);
  const [js] = nd(await exported('sales', 'ndjson'));
  checkJson(js as unknown as Sale & Record<string, unknown>);
  const jl = nd(await exported('lines', 'ndjson'));
  for (const l of jl) expect(l.grossFen - l.discountFen).toBe(l.lineTotalFen);
  expect(sum(jl.map((l) => l.grossFen))).toBe(js.subtotalFen);
}

describe('a sale’s figures add up wherever a person reads them', () => {
  it('the screen’s bar, the receipt, the sale JSON and the exports agree and add up, for any cart', async () => {
    await fc.assert(
      fc.asyncProperty(cartArb, async (spec) => {
        const cart = ringUp(spec);
        const bar = cartSummary(cart);
        try {
          const sale = commitCart(db, cart, { id: '1001', name: '张三' });
          // The bar: 小计 is the gross, 优惠 every discount, 应收 what is left.
          expect(bar.subtotalFen).toBe(sum(sale.lines.map(grossOf)));
          expect(bar.subtotalFen - bar.discountFen).toBe(bar.totalFen);
          expect({ subtotal: bar.subtotalFen, discount: bar.discountFen, total: bar.totalFen }).toEqual({ subtotal: sale.subtotalFen, discount: sale.discountFen, total: sale.totalFen });
          checkJson(JSON.parse(JSON.stringify(findSale(db, sale.receiptNo))));
          checkReceipt(sale, 80);
          checkReceipt(sale, 58);
          await checkExports(sale);
          // HQ reads the same figures and accepts them.
          const atHq = checkSale(JSON.parse(JSON.stringify(sale)), sale.seq, { storeCode: 'S001', tillCode: 'T01' });
          expect(atHq.ok ? null : atHq.reason).toBeNull();
        } finally {
          db.exec('DELETE FROM payments; DELETE FROM sale_lines; DELETE FROM outbox; DELETE FROM sales;');
        }
      }),
      { numRuns: 100 },
    );
  });

  it('30% off a line and ¥5 off the sale: 小计 is the gross, 优惠 both discounts, 应收 the rest', () => {
    let cart: CartState = EMPTY_CART;
    const apply = (a: CartAction) => {
      const r = reduceCart(cart, a, noLimit);
      if (!r.ok) throw new Error(r.refusal.code);
      cart = r.state;
    };
    apply({ type: 'addLine', line: { productId: 1, barcode: '6901234567892', name: '红酒', unitPriceFen: 4600 } });
    apply({ type: 'addLine', line: { productId: 2, barcode: '6920152400777', name: '牛肉干', unitPriceFen: 2000 } });
    apply({ type: 'setLineDiscount', index: 0, discount: { kind: 'percent', bp: 3000 } });
    apply({ type: 'setOrderDiscount', discount: { kind: 'amount', fen: 500 } });
    expect(cartSummary(cart)).toMatchObject({ subtotalFen: 6600, discountFen: 1380 + 500, orderDiscountFen: 500, totalFen: 6600 - 1880 });
  });

  it('HQ takes the gross subtotal, still takes the net one older tills send, and refuses any other', () => {
    const sale = commitCart(db, ringUp({ lines: [{ kind: 'count', price: 4600, qty: 1, grams: 1, discount: { kind: 'percent', bp: 3000 } }], order: { kind: 'amount', fen: 500 }, tenders: [], extraCash: 0 }), { id: '1001', name: '张三' });
    const till = { storeCode: 'S001', tillCode: 'T01' };
    const wire = JSON.parse(JSON.stringify(sale)) as Sale;
    expect(wire).toMatchObject({ subtotalFen: 4600, discountFen: 1880, orderDiscountFen: 500, totalFen: 2720 });
    expect(checkSale(wire, sale.seq, till).ok).toBe(true);
    expect(checkSale({ ...wire, subtotalFen: 3220 }, sale.seq, till).ok).toBe(true);
    expect(checkSale({ ...wire, subtotalFen: 4000 }, sale.seq, till)).toMatchObject({ ok: false, reason: expect.stringMatching(/subtotalFen 4000/) });
    db.exec('DELETE FROM payments; DELETE FROM sale_lines; DELETE FROM outbox; DELETE FROM sales;');
  });
});
