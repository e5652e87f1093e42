// The checkout screen as a cashier uses it, rendered by Ink (ink-testing-library): keys and
// scanner bursts go in as raw terminal input, and the tests read the screen and the database.
import { afterEach, describe, expect, test } from 'vitest';
import { listSales } from '../../src/db/sales.js';
import { listApprovals } from '../../src/db/approvals.js';
import { readOpenCart } from '../../src/db/open-cart.js';
import { listSuspended } from '../../src/db/suspended.js';
import { ALIPAY_CODE, BANANA_LABEL, CHIPS, COLA, GONE, KEY, NOODLES, WATER, WECHAT_CODE, renderCheckout, storeDb, tick, type Harness } from './helpers.js';

let h: Harness | undefined;
afterEach(() => {
  h?.unmount();
  h = undefined;
});

function setHarness(next: Harness) {
  h = next;
}

function start(deps: Parameters<typeof renderCheckout>[1] = {}) {
  const db = storeDb();
  h = renderCheckout(db, deps);
  return { db, h };
}

describe('login', () => {
  test('cashier number and PIN sign in; the PIN never shows', async () => {
    const { h } = start();
    await h.waitFor('收银员登录');
    await h.write('1001', KEY.enter, '11');
    expect(h.frame()).toContain('••');
    expect(h.frame()).not.toContain('11\n');
    await h.write('11', KEY.enter);
    await h.waitFor('张三，欢迎');
    expect(h.frame()).toContain('收银员 1001 张三');
  });

  test('a wrong PIN says how many tries are left; five lock the number', async () => {
    const { h } = start();
    await h.write('1001', KEY.enter, '0000', KEY.enter);
    await h.waitFor('密码错误。再错 4 次');
    for (let i = 0; i < 4; i++) await h.write('0000', KEY.enter);
    await h.waitFor('连续 5 次密码错误，已锁定到');
    // Even the right PIN is refused while locked.
    await h.write('1111', KEY.enter);
    await h.waitFor('已锁定到');
    expect(h.view().user).toBeNull();
  });

  test('keys typed before the settings have loaded are kept and handled in order', async () => {
    const { h } = start({ deferSettings: true });
    await h.waitFor('收银员登录');
    await h.write('1001', KEY.enter, '1111', KEY.enter, `${COLA}\r`);
    expect(h.view().user).toBeNull();
    h.controller.configure({ discountLimitPercent: 10, printerUri: 'none', hqUrl: '' });
    await h.waitFor('可口可乐500ml ×1');
    expect(h.frame()).toContain('打印机 无');
  });

  test('an unknown cashier number is refused', async () => {
    const { h } = start();
    await h.write('7777', KEY.enter, '1111', KEY.enter);
    await h.waitFor('工号 7777 不存在或密码错误');
  });
});

describe('scanning', () => {
  test('a scanner burst of two codes in one chunk adds two lines', async () => {
    const { h } = start();
    await h.login();
    await h.write(`${COLA}\r${NOODLES}\r`);
    await h.waitFor('康师傅红烧牛肉面');
    expect(h.view().cart.lines.map((l) => l.name)).toEqual(['可口可乐500ml', '康师傅红烧牛肉面']);
    expect(h.frame()).toContain('应收 ¥8.00');
  });

  test('a code split across writes is one scan', async () => {
    const { h } = start();
    await h.login();
    await h.write('69012', '3456', '7892', '\r', WATER.slice(0, 6), WATER.slice(6) + '\r');
    await h.waitFor('农夫山泉550ml');
    expect(h.view().cart.lines.map((l) => [l.name, l.qty])).toEqual([
      ['可口可乐500ml', 1],
      ['农夫山泉550ml', 1],
    ]);
  });

  test('a burst of 200 scans in one chunk: none lost, merged or split', async () => {
    const { h } = start();
    await h.login();
    const codes = Array.from({ length: 200 }, (_, i) => [COLA, NOODLES, WATER, CHIPS][i % 4]);
    await h.write(codes.join('\r') + '\r');
    await h.waitFor('件数 200');
    expect(h.view().cart.lines.map((l) => l.qty)).toEqual([50, 50, 50, 50]);
    expect(h.frame()).toContain('应收 ¥' + ((350 + 450 + 200 + 780) * 50 / 100).toFixed(2));
  });

  test('3* before a scan sets the quantity; also typed in one go', async () => {
    const { h } = start();
    await h.login();
    await h.write('3*', KEY.enter);
    await h.waitFor('数量 3：请扫描商品');
    expect(h.frame()).toContain('×3 扫码 >');
    await h.write(COLA + '\r');
    await h.waitFor('可口可乐500ml ×3');
    await h.write('2*' + WATER + '\r', NOODLES + '\r');
    await h.waitFor('康师傅红烧牛肉面 ×1');
    expect(h.view().cart.lines.map((l) => l.qty)).toEqual([3, 2, 1]);
  });

  test('a scale label adds a weighed line priced from its weight', async () => {
    const { h } = start();
    await h.login();
    await h.write(BANANA_LABEL + '\r');
    await h.waitFor('香蕉');
    expect(h.frame()).toMatch(/香蕉\s+1\.250kg\s+6\.98\/kg\s+8\.73/);
  });

  test('an unknown code rings the bell, says so, and the screen keeps working', async () => {
    const { h } = start();
    await h.login();
    await h.write('6909999999996\r');
    await h.waitFor('未知条码 6909999999996');
    expect(h.bells).toBe(1);
    await h.write('6901234567891\r'); // bad check digit
    await h.waitFor('校验位不符');
    await h.write(GONE + '\r');
    await h.waitFor('已下架饼干 已下架');
    await h.write(COLA + '\r');
    await h.waitFor('可口可乐500ml ×1');
    expect(h.view().cart.lines).toHaveLength(1);
  });

  test('a failure underneath (here the database is gone) costs one scan and a message, not the screen', async () => {
    const { db, h } = start();
    await h.login();
    db.close();
    await h.write(`${COLA}\r`);
    await h.waitFor('出现意外错误');
    await h.write('kk');
    await tick(60); // the search runs after a pause in typing
    await h.waitFor('出现意外错误');
    await h.write(KEY.esc);
    expect(h.view().mode).toBe('sale');
  });

  test('a payment code scanned during the sale says to press F10 first', async () => {
    const { h } = start();
    await h.login();
    await h.write(COLA + '\r', WECHAT_CODE + '\r');
    await h.waitFor('扫到付款码 — 请先按 F10');
    expect(h.view().cart.lines).toHaveLength(1);
  });
});

describe('search', () => {
  test('letters open a search by pinyin initials; arrows choose, Enter adds', async () => {
    const { h } = start();
    await h.login();
    await h.write('k', 'k', 'k', 'l');
    await h.waitFor('搜索“kkkl”：1 个结果');
    expect(h.frame()).toContain('可口可乐500ml');
    await h.write(KEY.enter);
    await h.waitFor('可口可乐500ml ×1');
    expect(h.view().mode).toBe('sale');
    // By name, several results: ↓ picks the second.
    await h.write('n', 'f');
    await h.waitFor('搜索“nf”：1 个结果');
    expect(h.frame()).toContain('农夫山泉550ml');
    // Backspacing the query away closes the search; digits are a code, not a search.
    await h.write('\x7f', '\x7f');
    await h.waitFor('扫码 >');
    // Chinese typed through an input method: name-prefix matches first (乐事…), then 可口可乐.
    await h.write('乐');
    await h.waitFor('搜索“乐”：2 个结果');
    await h.write(KEY.down, KEY.enter);
    await h.waitFor('可口可乐500ml ×2');
    await h.write('乐', KEY.enter);
    await h.waitFor('搜索“乐”：2 个结果');
    await h.write(KEY.enter);
    await h.waitFor('乐事薯片原味70g ×1');
  });

  test('Esc closes the search without adding anything', async () => {
    const { h } = start();
    await h.login();
    await h.write('kkkl');
    await h.waitFor('1 个结果');
    await h.write(KEY.esc);
    await h.waitFor('扫码 >');
    expect(h.view().cart.lines).toHaveLength(0);
  });
});

describe('cart changes', () => {
  test('F2 changes the quantity of the chosen line; Del removes it', async () => {
    const { h } = start();
    await h.login();
    await h.write(`${COLA}\r${NOODLES}\r`);
    await h.waitFor('康师傅红烧牛肉面 ×1');
    await h.write(KEY.up, KEY.f2);
    await h.waitFor('第 1 行 可口可乐500ml：现为 1 件');
    await h.write('4', KEY.enter);
    await h.waitFor('应收 ¥18.50');
    await h.write(KEY.down, KEY.del);
    await h.waitFor('已删除：');
    expect(h.view().cart.lines.map((l) => [l.name, l.qty])).toEqual([['可口可乐500ml', 4]]);
  });

  test('a discount within the limit applies; above it needs a supervisor PIN, and the approval is journaled', async () => {
    const { db, h } = start();
    await h.login();
    await h.write('10*' + COLA + '\r'); // ¥35.00
    await h.waitFor('应收 ¥35.00');
    await h.write(KEY.f4, '10%', KEY.enter);
    await h.waitFor('应收 ¥31.50');
    // 20% on the whole sale: over the 10% limit.
    await h.write(KEY.f5, '20%', KEY.enter);
    await h.waitFor('需要主管授权');
    await h.waitFor('折扣超过 10%');
    // A cashier cannot approve.
    await h.write('1001', KEY.enter, '1111', KEY.enter);
    await h.waitFor('1001 不是主管');
    // A wrong supervisor PIN is refused.
    await h.write('9001', KEY.enter, '0000', KEY.enter);
    await h.waitFor('密码错误');
    await h.write('9999', KEY.enter);
    await h.waitFor('折扣已生效');
    expect(h.frame()).toContain('应收 ¥25.20');
    expect(h.frame()).toContain('优惠 -¥9.80');
    // Only the approval given is in the journal, not the refused attempts.
    expect(listApprovals(db)).toEqual([
      expect.objectContaining({ cashierId: '1001', supervisorId: '9001', reason: 'discount-over-limit', action: 'setOrderDiscount', detail: 'order discount 20%; total ¥31.50 → ¥25.20, paid ¥0.00' }),
    ]);
  });

  test('removing a line after the first payment needs a supervisor', async () => {
    const { db, h } = start();
    await h.login();
    await h.write(`${COLA}\r${NOODLES}\r`);
    await h.waitFor('应收 ¥8.00');
    await h.write(KEY.enter, '2', KEY.enter); // ¥2 cash, partly paid
    await h.waitFor('已付 ¥2.00，还需 ¥6.00');
    await h.write(KEY.esc, KEY.del);
    await h.waitFor('已收款后减少金额需要主管授权');
    await h.write(KEY.esc);
    expect(h.view().cart.lines).toHaveLength(2);
    await h.write(KEY.del, '9001', KEY.enter, '9999', KEY.enter);
    await h.waitFor('已删除：');
    expect(listApprovals(db).map((a) => [a.reason, a.detail])).toEqual([['after-payment', 'line 2 康师傅红烧牛肉面 removed; total ¥8.00 → ¥3.50, paid ¥2.00']]);
    expect(h.view().cart.lines.map((l) => l.name)).toEqual(['可口可乐500ml']);
    await h.write(KEY.enter, KEY.enter);
    await h.waitFor('交易 S001-T01-');
    const [sale] = listSales(db);
    expect(sale.lines.map((l) => l.name)).toEqual(['可口可乐500ml']);
    expect(sale.payments.map((p) => [p.method, p.amountFen])).toEqual([
      ['cash', 200],
      ['cash', 150],
    ]);
  });

  test('F8 cancels the whole sale after asking; once paid in part it needs a supervisor', async () => {
    const { db, h } = start();
    await h.login();
    await h.write(`${COLA}\r${NOODLES}\r`, KEY.f8);
    await h.waitFor('取消整笔交易（2 件，¥8.00）？');
    await h.write(KEY.esc);
    expect(h.view().cart.lines).toHaveLength(2);
    await h.write(KEY.f8, 'y');
    await h.waitFor('交易已取消');
    expect(h.view().cart.lines).toHaveLength(0);
    // With ¥5 cash taken: the supervisor must approve, then undo the payment (Del in payment).
    await h.write(`${COLA}\r${NOODLES}\r`, KEY.enter, '5', KEY.enter);
    await h.waitFor('已付 ¥5.00，还需 ¥3.00');
    await h.write(KEY.del);
    await h.waitFor('需要主管授权');
    await h.write('9001', KEY.enter, '9999', KEY.enter);
    await h.waitFor('已撤销上一笔付款');
    expect(h.view().cart.tenders).toHaveLength(0);
    expect(listSales(db)).toHaveLength(0);
  });

  test('F9 signs out only between sales', async () => {
    const { h } = start();
    await h.login();
    await h.write(`${COLA}\r`, KEY.f9);
    await h.waitFor('请先完成当前交易，或按 F6 挂单');
    await h.write(KEY.enter, KEY.enter, KEY.f9);
    await h.waitFor('已退出登录');
    expect(h.view().mode).toBe('login');
  });

  test('suspend a sale, serve someone else, resume it', async () => {
    const { db, h } = start();
    await h.login();
    await h.write(`2*${COLA}\r${NOODLES}\r`);
    await h.waitFor('应收 ¥11.50');
    await h.write(KEY.f6);
    await h.waitFor('已挂单，单号 #');
    expect(h.view().cart.lines).toHaveLength(0);
    expect(listSuspended(db)).toHaveLength(1);
    await h.waitFor('挂单 1');
    // Another customer, paid at once.
    await h.write(`${WATER}\r`, KEY.enter, KEY.enter);
    await h.waitFor('交易 S001-T01-');
    await h.write(KEY.f7);
    await h.waitFor('挂单列表');
    expect(h.frame()).toContain('可口可乐500ml 等 3 件，¥11.50');
    await h.write(KEY.enter);
    await h.waitFor('已取回挂单');
    expect(h.view().cart.lines.map((l) => [l.name, l.qty])).toEqual([
      ['可口可乐500ml', 2],
      ['康师傅红烧牛肉面', 1],
    ]);
    expect(listSuspended(db)).toHaveLength(0);
    await h.write(KEY.enter, KEY.enter);
    await h.waitFor('交易 S001-T01-20');
    expect(listSales(db).map((s) => s.totalFen)).toEqual([200, 1150]);
  });
});

describe('a crash or power cut in the middle of a sale', () => {
  test('the next sign-in brings the open sale back, payments taken included, and finishing it leaves nothing to restore', async () => {
    const db = storeDb();
    const first = renderCheckout(db);
    await first.login();
    await first.write(`${COLA}\r${NOODLES}\r${WATER}\r`);
    await first.waitFor('应收 ¥10.00');
    await first.write(KEY.enter, '5', KEY.enter); // ¥5 cash taken
    await first.waitFor('已付 ¥5.00，还需 ¥5.00');
    await tick(450); // the cart is saved a moment after the last change
    first.ink.unmount(); // the process dies: no clean shutdown

    setHarness(renderCheckout(db));
    await h!.write('1001', KEY.enter, '1111', KEY.enter); // the cashier who rang it up signs in again
    await h!.waitFor('已恢复收银机停止前未完成的交易：3 件，合计 ¥10.00，已收 ¥5.00');
    expect(h!.view().cart.lines.map((l) => l.name)).toEqual(['可口可乐500ml', '康师傅红烧牛肉面', '农夫山泉550ml']);
    await h!.write(KEY.enter, KEY.enter); // the remaining ¥5 in cash
    await h!.waitFor('交易 S001-T01-');
    const [sale] = listSales(db);
    expect(sale.payments.map((p) => [p.method, p.amountFen])).toEqual([
      ['cash', 500],
      ['cash', 500],
    ]);
    expect(readOpenCart(db)).toBeUndefined();
    h!.ink.unmount(); // straight after the sale: still nothing to bring back

    setHarness(renderCheckout(db));
    await h!.login();
    expect(h!.view().cart.lines).toEqual([]);
  });
});

describe('reprinting a receipt', () => {
  test('F12 reprints the last sale marked COPY without opening the drawer, between sales only, and after a restart too', async () => {
    const db = storeDb();
    const printed: Array<[string, boolean, boolean]> = [];
    const print = async (sale: { receiptNo: string }, drawer: boolean, copy?: boolean) => {
      printed.push([sale.receiptNo, drawer, copy ?? false]);
      return { ok: true as const };
    };
    setHarness(renderCheckout(db, { print }));
    await h!.login();
    await h!.write(KEY.f12);
    await h!.waitFor('本机还没有交易，没有可重印的小票');
    await h!.write(`${COLA}\r`, KEY.enter, KEY.enter);
    const receipt = /交易 (S001-T01-\S+) 完成/.exec(await h!.waitFor(/交易 S001-T01-\S+ 完成/))![1];
    await h!.write(`${WATER}\r`, KEY.f12);
    await h!.waitFor('请先完成当前交易');
    await h!.write(KEY.f8);
    await h!.write('y'); // confirm the cancel
    await h!.write(KEY.f12);
    await h!.waitFor(`已重印小票 ${receipt}（标明重印）`);
    expect(printed).toEqual([
      [receipt, true, false],
      [receipt, false, true],
    ]);
    h!.unmount();

    setHarness(renderCheckout(db, { print }));
    await h!.login();
    await h!.write(KEY.f12);
    await h!.waitFor(`已重印小票 ${receipt}`);
    expect(printed.at(-1)).toEqual([receipt, false, true]);
  });
});

describe('payment', () => {
  test('fast path: scan, scan, Enter, Enter takes exact cash and saves the sale', async () => {
    const { db, h } = start();
    await h.login();
    await h.write(`${COLA}\r`, `${NOODLES}\r`, KEY.enter);
    await h.waitFor('现金：输入金额后回车；直接回车 = 正好 ¥8.00');
    await h.write(KEY.enter);
    await h.waitFor('交易 S001-T01-');
    const sales = listSales(db);
    expect(sales).toHaveLength(1);
    expect(sales[0]).toMatchObject({ totalFen: 800, paidFen: 800, changeFen: 0, status: 'completed', cashierId: '1001' });
    expect(sales[0].payments).toEqual([{ method: 'cash', amountFen: 800, tenderedFen: 800, changeFen: 0, reference: null }]);
    // A fresh sale starts at once.
    expect(h.view().cart.lines).toHaveLength(0);
  });

  test('cash with change: F8 takes ¥100 and the screen shows the change', async () => {
    const { db, h } = start();
    await h.login();
    await h.write(`${CHIPS}\r`, KEY.f10, KEY.f8);
    await h.waitFor('找零 ¥92.20');
    expect(listSales(db)[0].payments[0]).toMatchObject({ method: 'cash', tenderedFen: 10000, changeFen: 9220 });
  });

  test('split tenders: card with a reference, WeChat by payment code, then cash', async () => {
    const { db, h } = start();
    await h.login();
    await h.write(`5*${CHIPS}\r`); // ¥39.00
    await h.waitFor('应收 ¥39.00');
    await h.write(KEY.enter, KEY.f3, '10', KEY.enter);
    await h.waitFor('输入签购单参考号');
    await h.write('A12345', KEY.enter);
    await h.waitFor('已付 ¥10.00，还需 ¥29.00');
    await h.write(KEY.f4, '20', KEY.enter);
    await h.waitFor('请扫描顾客的付款码');
    await h.write(WECHAT_CODE + '\r');
    await h.waitFor('付款码 1345…6789：设备显示成功后按回车');
    await h.write(KEY.enter);
    await h.waitFor('已付 ¥30.00，还需 ¥9.00');
    await h.write('10', KEY.enter);
    await h.waitFor('找零 ¥1.00');
    const [sale] = listSales(db);
    expect(sale.payments).toEqual([
      { method: 'card', amountFen: 1000, tenderedFen: 1000, changeFen: 0, reference: 'A12345' },
      { method: 'wechat', amountFen: 2000, tenderedFen: 2000, changeFen: 0, reference: WECHAT_CODE },
      { method: 'cash', amountFen: 900, tenderedFen: 1000, changeFen: 100, reference: null },
    ]);
  });

  test('scanning an Alipay code in payment pays the rest after confirmation; Esc if the device failed', async () => {
    const { db, h } = start();
    await h.login();
    await h.write(`${COLA}\r`, KEY.enter, ALIPAY_CODE + '\r');
    await h.waitFor('支付宝 ¥3.50，付款码 2812…3456');
    await h.write(KEY.esc);
    await h.waitFor('支付宝：输入金额后回车');
    expect(listSales(db)).toHaveLength(0);
    await h.write(ALIPAY_CODE + '\r', KEY.enter);
    await h.waitFor('交易 S001-T01-');
    expect(listSales(db)[0].payments).toEqual([{ method: 'alipay', amountFen: 350, tenderedFen: 350, changeFen: 0, reference: ALIPAY_CODE }]);
  });

  test('a card cannot pay more than is due; a typo in the amount is explained', async () => {
    const { db, h } = start();
    await h.login();
    await h.write(`${COLA}\r`, KEY.enter, KEY.f3, '5', KEY.enter);
    await h.waitFor('银行卡不能超过待付金额（¥3.50）');
    await h.write(KEY.f2, '1.234', KEY.enter);
    await h.waitFor('“1.234”不是有效金额');
    expect(listSales(db)).toHaveLength(0);
  });

  test('the printer result shows on screen: the preview, or the error (sale kept)', async () => {
    const { db, h } = start({ print: async (sale) => ({ ok: true, preview: `RECEIPT ${sale.receiptNo}\n合计 ${sale.totalFen}` }) });
    await h.login();
    await h.write(`${COLA}\r`, KEY.enter, KEY.enter);
    await h.waitFor('合计 350');
    h.unmount();
    const failing = renderCheckout(db, { printerUri: 'tcp://10.0.0.9:9100', print: async () => ({ ok: false, message: 'printer offline' }) });
    setHarness(failing);
    await failing.login();
    await failing.write(`${COLA}\r`, KEY.enter, KEY.enter);
    await failing.waitFor('小票未打印：printer offline。交易已保存，按 F12 补打。');
    expect(failing.frame()).toContain('打印机 故障');
    expect(listSales(db)).toHaveLength(2);
  });
});

describe('leaving and help', () => {
  test('Ctrl+C asks before dropping a sale in progress; Esc keeps selling', async () => {
    const { h } = start();
    await h.login();
    await h.write(`${COLA}\r`);
    await h.waitFor('可口可乐500ml ×1');
    await h.write(KEY.ctrlC);
    await h.waitFor('当前交易未完成（1 件，¥3.50）');
    expect(h.exited).toBe(false);
    await h.write(KEY.esc);
    expect(h.view().cart.lines).toHaveLength(1);
    await h.write(KEY.ctrlC, KEY.f6);
    await tick(20);
    expect(h.exited).toBe(true);
  });

  test('Ctrl+C with an empty sale leaves at once', async () => {
    const { h } = start();
    await h.login();
    await h.write(KEY.ctrlC);
    expect(h.exited).toBe(true);
  });

  test('F1 lists the keys of the screen, from the key map', async () => {
    const { h } = start();
    await h.login();
    await h.write(KEY.f1);
    await h.waitFor('按键说明 — 收银');
    for (const words of ['F10', '结账', 'Del / F3', '删除行', 'F6', '挂单', 'F7', '取单', 'Ctrl+C', '退出收银', '先输 3* 再扫码：数量 3', 'kkkl → 可口可乐']) expect(h.frame()).toContain(words);
    await h.write(KEY.esc, `${COLA}\r`, KEY.enter, KEY.f1);
    await h.waitFor('按键说明 — 结账');
    expect(h.frame()).toContain('支付宝');
  });

  test('English with lang en', async () => {
    const { h } = start({ lang: 'en' });
    await h.waitFor('Sign in');
    await h.login();
    await h.write(`${COLA}\r`, KEY.enter, '5', KEY.enter);
    await h.waitFor('CHANGE ¥1.50');
  });
});
