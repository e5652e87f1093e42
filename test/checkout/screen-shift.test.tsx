// The store's day at the checkout: a cashier opens their shift with the counted float right
// after sign-in, pays cash in or out with a reason, and counts the drawer to close the shift.
// Another cashier's open shift is theirs; a training session needs none and touches nothing.
import { afterEach, describe, expect, test } from 'vitest';
import { EMPTY_CART, reduceCart } from '../../src/core/cart.js';
import { commitCart, lineFor } from '../../src/checkout/service.js';
import { findProductByBarcode } from '../../src/db/products.js';
import { listSales } from '../../src/db/sales.js';
import { currentShift, lastClosedShift, shiftFigures, shiftMovements } from '../../src/db/shifts.js';
import { createUser } from '../../src/db/users.js';
import { COLA, KEY, NOODLES, renderCheckout, storeDb, type Harness } from './helpers.js';

let h: Harness | undefined;
afterEach(() => {
  h?.unmount();
  h = undefined;
});

const CTRL_P = '\x10';
const CTRL_E = '\x05';

async function signIn(h: Harness, id: string, pin: string) {
  await h.write(id, KEY.enter, pin, KEY.enter);
}

/** Sells one cola for exact cash (F10 pay, F6 exact). */
async function sellCola(h: Harness) {
  await h.write(`${COLA}\r`);
  await h.waitFor('可口可乐500ml ×1');
  await h.write(KEY.f10);
  await h.waitFor('收款');
  await h.write(KEY.f6);
  await h.waitFor(/交易 (T-)?S001-T01-/);
}

describe('selling needs an open shift', () => {
  test('a cashier without a shift counts the float after sign-in, and then sells in that shift', async () => {
    const db = storeDb(false);
    h = renderCheckout(db);
    await signIn(h, '1001', '1111');
    await h.waitFor('清点钱箱里的备用金');
    expect(h.view().dialog?.kind).toBe('float');
    await h.write('1e3', KEY.enter);
    await h.waitFor('“1e3”不是有效金额');
    await h.write('-5', KEY.enter);
    await h.waitFor('“-5”不是有效金额');
    expect(currentShift(db)).toBeUndefined();
    await h.write('200', KEY.enter);
    await h.waitFor('已开班，备用金 ¥200.00');
    const shift = currentShift(db)!;
    expect(shift.cashierId).toBe('1001');
    await sellCola(h);
    expect(shiftFigures(db, shift)).toMatchObject({ salesCount: 1, expectedCashFen: 20350 });
  });

  test('Esc at the float signs out: no shift, no selling', async () => {
    const db = storeDb(false);
    h = renderCheckout(db);
    await signIn(h, '1001', '1111');
    await h.waitFor('开班');
    await h.write(KEY.esc);
    await h.waitFor('已退出登录');
    expect(h.view().mode).toBe('login');
    expect(currentShift(db)).toBeUndefined();
  });

  test('the commit itself refuses a sale without the cashier’s open shift (E_NO_SHIFT, E_OTHER_SHIFT)', () => {
    const db = storeDb(false);
    const cola = findProductByBarcode(db, COLA)!;
    const cart = reduceCart(EMPTY_CART, { type: 'addLine', line: lineFor(cola, COLA), qty: 1 }, { discountLimitBp: 1000 });
    if (!cart.ok) throw new Error('cart');
    const paid = reduceCart(cart.state, { type: 'addTender', tender: { method: 'cash', tenderedFen: 350 } }, { discountLimitBp: 1000 });
    if (!paid.ok) throw new Error(JSON.stringify(paid.refusal));
    expect(() => commitCart(db, paid.state, { id: '1001', name: '张三' })).toThrow(expect.objectContaining({ code: 'E_NO_SHIFT' }));
    // The drawer in the other cashier's shift:
    const other = storeDb(true);
    createUser(other, { id: '1002', name: '王五', role: 'cashier', pin: '2222' });
    expect(() => commitCart(other, paid.state, { id: '1002', name: '王五' })).toThrow(expect.objectContaining({ code: 'E_OTHER_SHIFT' }));
    expect(listSales(db)).toHaveLength(0);
    // A training sale needs no shift.
    expect(commitCart(db, paid.state, { id: '1001', name: '张三', training: true }).totalFen).toBe(350);
  });

  test('another cashier’s open shift: a clear message; a supervisor may count and close it', async () => {
    const db = storeDb(); // 1001's shift is open
    createUser(db, { id: '1002', name: '王五', role: 'cashier', pin: '2222' });
    h = renderCheckout(db);
    await signIn(h, '1002', '2222');
    await h.waitFor('钱箱正处于收银员 1001 的班次');
    expect(h.frame()).toContain('或由主管代为交班');
    await h.write(CTRL_E);
    await h.waitFor('这是收银员 1001 的班次');
    await h.write(KEY.esc);
    await h.waitFor('已退出登录');
    await signIn(h, '9001', '9999');
    await h.waitFor('钱箱正处于收银员 1001 的班次');
    await h.write(CTRL_E);
    await h.waitFor('几张/枚');
    await h.write(KEY.f2, '200', KEY.enter);
    await h.waitFor('账实相符');
    expect(lastClosedShift(db)).toMatchObject({ cashierId: '1001', closedBy: '9001', countedFen: 20000, overShortFen: 0 });
    await h.write(KEY.enter);
    await h.waitFor('已交班，已退出登录');
    // The drawer is free: the supervisor's own sign-in now asks for a float.
    await signIn(h, '9001', '9999');
    await h.waitFor('清点钱箱里的备用金');
  });
});

test('a sale another cashier left open is offered first; once voided, whose shift the drawer is in', async () => {
  const db = storeDb();
  createUser(db, { id: '1002', name: '王五', role: 'cashier', pin: '2222' });
  h = renderCheckout(db);
  await h.login();
  await h.write(`${COLA}\r`);
  await h.waitFor('可口可乐500ml ×1');
  h.unmount(); // the till stops with 1001's sale open
  h = renderCheckout(db);
  await signIn(h, '1002', '2222');
  await h.waitFor('收银员 1001 留下一笔未完成的交易');
  await h.write('y');
  await h.waitFor('交易已取消');
  await h.waitFor('本钱箱上收银员 1001 的班次 1 尚未交班');
  expect(h.view().dialog?.kind).toBe('other-shift');
});

describe('pay-in and pay-out at the checkout', () => {
  test('Ctrl+P pays out with a reason; F2 switches to pay-in; a pay-out above the drawer is refused', async () => {
    const db = storeDb();
    h = renderCheckout(db);
    await h.login();
    await h.write(CTRL_P);
    await h.waitFor('取出：金额');
    await h.write('50', KEY.enter);
    await h.waitFor('原因');
    await h.write(KEY.enter);
    await h.waitFor('请输入原因');
    await h.write('供应商送货', KEY.enter);
    await h.waitFor('已取出 ¥50.00（供应商送货）');
    await h.write(CTRL_P, KEY.f2);
    await h.waitFor('存入：金额');
    await h.write('20', KEY.enter, '银行换零', KEY.enter);
    await h.waitFor('已存入 ¥20.00（银行换零）');
    await h.write(CTRL_P, '500', KEY.enter);
    // Refused at the amount, before any reason is asked; a smaller amount goes on.
    await h.waitFor('钱箱应有 ¥170.00：取出金额不能超过此数');
    expect(h.view().dialog).toMatchObject({ kind: 'cash-move', field: 'amount' });
    await h.write(KEY.esc);
    const shift = currentShift(db)!;
    expect(shiftMovements(db, shift).map((m) => [m.kind, m.amountFen, m.reason])).toEqual([
      ['float', 20000, 'opening float'],
      ['pay-out', 5000, '供应商送货'],
      ['pay-in', 2000, '银行换零'],
    ]);
    expect(shiftFigures(db, shift).expectedCashFen).toBe(17000);
  });

  test('not in the middle of a sale', async () => {
    h = renderCheckout(storeDb());
    await h.login();
    await h.write(`${COLA}\r`, CTRL_P);
    await h.waitFor('请先完成当前交易');
    expect(h.view().dialog).toBeNull();
  });
});

describe('closing the shift at the checkout', () => {
  test('counted by note and coin, the expected amount in view; the shortage is shown after', async () => {
    const db = storeDb();
    h = renderCheckout(db);
    await h.login();
    await sellCola(h); // expected: 200 + 3.50
    await h.write(CTRL_E);
    await h.waitFor('¥100.00：几张/枚？（1/8');
    expect(h.frame()).toContain('钱箱应有：¥203.50');
    // 2 × 100, none of 50/20/10/5, 3 × 1, nothing of 0.5, 4 × 0.1 = 203.40
    await h.write('2', KEY.enter, KEY.enter, KEY.enter, KEY.enter, KEY.enter, '3', KEY.enter, KEY.enter);
    await h.waitFor('¥0.10：几张/枚？（8/8，已清点 ¥203.00）');
    await h.write('x', KEY.enter);
    await h.waitFor('“x”不是张数/枚数');
    await h.write('4', KEY.enter);
    await h.waitFor('短款 ¥0.10');
    expect(h.frame()).toContain('实点 ¥203.40 · 应有 ¥203.50');
    const closed = lastClosedShift(db)!;
    expect(closed).toMatchObject({ countedFen: 20340, expectedCashFen: 20350, overShortFen: -10 });
    expect(closed.countDetail).toEqual([
      { denominationFen: 10000, count: 2 },
      { denominationFen: 100, count: 3 },
      { denominationFen: 10, count: 4 },
    ]);
    await h.write(KEY.esc);
    await h.waitFor('已交班，已退出登录');
    expect(h.view().mode).toBe('login');
  });

  test('blind close never shows the expected amount before the count', async () => {
    const db = storeDb();
    h = renderCheckout(db, { blindClose: true });
    await h.login();
    await h.write(CTRL_E);
    await h.waitFor('盲点：清点完成后才显示应有金额');
    await h.write(KEY.f2);
    await h.waitFor('现金总额');
    expect(h.frame()).not.toContain('¥200.00');
    await h.write('210', KEY.enter);
    await h.waitFor('长款 ¥10.00');
    expect(h.frame()).toContain('应有 ¥200.00');
  });

  test('refused while a held sale waits, and says so', async () => {
    const db = storeDb();
    h = renderCheckout(db);
    await h.login();
    await h.write(`${NOODLES}\r`, KEY.f6);
    await h.waitFor('已挂单');
    await h.write(CTRL_E);
    await h.waitFor('本机有 1 笔挂单');
    expect(h.view().dialog).toBeNull();
    expect(currentShift(db)).toBeDefined();
  });
});

describe('training mode', () => {
  test('F3 at sign-in: marked 练习 throughout, training sales without a shift, the drawer shut', async () => {
    const db = storeDb(false);
    const drawers: boolean[] = [];
    h = renderCheckout(db, { print: async (_s, openDrawer) => (drawers.push(openDrawer), { ok: true }) });
    await h.write(KEY.f3);
    await h.waitFor('练习模式 — 此处交易不是销售');
    await signIn(h, '1001', '1111');
    await h.waitFor('练习模式：这里的交易都不是销售');
    expect(h.frame()).toContain('[练习]');
    await sellCola(h);
    expect(h.frame()).toContain('[练习]');
    expect(currentShift(db)).toBeUndefined();
    expect(listSales(db)).toHaveLength(0);
    expect(listSales(db, { includeTraining: true }).map((s) => s.training)).toEqual([true]);
    expect(drawers).toEqual([false]);
    // No shift, no cash: Ctrl+P and Ctrl+E refuse.
    await h.write(CTRL_P);
    await h.waitFor('练习模式：不能存取现金');
    // A held sale is real: training neither holds one nor resumes one.
    await h.write(`${COLA}\r`, KEY.f6);
    await h.waitFor('练习模式：不能挂单或取单');
    expect(h.view().cart.lines).toHaveLength(1);
  });

  test('cannot be switched on in the middle of a sale (F3 at sign-in only)', async () => {
    const db = storeDb();
    h = renderCheckout(db);
    await h.login();
    await h.write(`${COLA}\r`, KEY.f3);
    await h.waitFor('已删除：可口可乐500ml'); // F3 on the sale screen is what it always was
    expect(h.view().training).toBe(false);
  });

  test('`--training` (deps.training) starts the screen in training mode', async () => {
    h = renderCheckout(storeDb(), { training: true });
    await h.waitFor('练习模式 — 此处交易不是销售');
  });
});
