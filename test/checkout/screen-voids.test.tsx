// Voids leave a trace, and dropping a sale drops it (issue 11, findings 2 and 6): a cancelled
// sale, a removed line and a sale dropped on leaving are journaled with the change; a sale left
// open goes back to the cashier who rang it up, and another cashier may void it or resume it
// with a supervisor.
import { afterEach, describe, expect, test } from 'vitest';
import { createUser } from '../../src/db/users.js';
import { listApprovals } from '../../src/db/approvals.js';
import { readOpenCart } from '../../src/db/open-cart.js';
import { listVoids } from '../../src/db/voids.js';
import { COLA, KEY, NOODLES, renderCheckout, storeDb, tick, type Harness } from './helpers.js';

let h: Harness | undefined;
afterEach(() => {
  h?.unmount();
  h = undefined;
});

describe('voids journal', () => {
  test('Ctrl+C, Y: the sale is dropped, a restart does not bring it back, and the drop is journaled', async () => {
    const db = storeDb();
    h = renderCheckout(db);
    await h.login();
    await h.write(`${COLA}\r${NOODLES}\r`);
    await h.waitFor('应收 ¥8.00');
    await tick(400); // the open cart has been saved meanwhile
    await h.write(KEY.ctrlC, 'y');
    await tick(20);
    expect(h.exited).toBe(true);
    expect(readOpenCart(db)).toBeUndefined();
    h.unmount();
    h = renderCheckout(db);
    await h.login();
    expect(h.view().cart.lines).toHaveLength(0);
    const [v] = listVoids(db);
    expect(v).toMatchObject({ kind: 'sale-dropped', cashierId: '1001', approverId: null, amountFen: 800, saleTotalFen: 800, paidFen: 0 });
    expect(v.lines.map((l) => [l.name, l.qty, l.grossFen])).toEqual([
      ['可口可乐500ml', 1, 350],
      ['康师傅红烧牛肉面', 1, 450],
    ]);
    expect(v.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    expect(v.businessDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  test('Ctrl+C, F6: the sale is held and the till left; after a restart it is held, not also restored (no double charge)', async () => {
    const db = storeDb();
    h = renderCheckout(db);
    await h.login();
    await h.write(`${COLA}\r`);
    await h.waitFor('应收 ¥3.50');
    await tick(400); // the open cart has been saved meanwhile
    await h.write(KEY.ctrlC, KEY.f6);
    await tick(20);
    expect(h.exited).toBe(true);
    expect(readOpenCart(db)).toBeUndefined();
    h.unmount();
    h = renderCheckout(db);
    await h.login();
    expect(h.view().cart.lines).toHaveLength(0);
    expect(h.view().status.suspended).toBe(1);
  });

  test('a held sale taken back is the open cart at once: a crash right after resuming loses nothing', async () => {
    const db = storeDb();
    h = renderCheckout(db);
    await h.login();
    await h.write(`${COLA}\r`, KEY.f6);
    await h.waitFor('挂单');
    await h.write(KEY.f7);
    await tick(20);
    await h.write(KEY.enter);
    await h.waitFor('应收 ¥3.50');
    expect(JSON.parse(readOpenCart(db)!.cart).lines).toHaveLength(1);
  });

  test('cancelling a sale with money taken says to give it back, how much and how it was paid', async () => {
    h = renderCheckout(storeDb(), { lang: 'en' });
    await h.login();
    await h.write(`${COLA}\r${NOODLES}\r`);
    await h.waitFor('8.00');
    await h.write(KEY.f10);
    await tick(20);
    await h.write('5', KEY.enter);
    await h.waitFor(/Paid ¥5\.00/);
    await h.write(KEY.esc);
    await tick(20);
    await h.write(KEY.f8);
    await tick(20);
    await h.write('y');
    await tick(20);
    await h.write('9001', KEY.enter, '9999', KEY.enter);
    await h.waitFor('Give the customer back ¥5.00');
    expect(h.view().cart.lines).toHaveLength(0);
  });

  test('a removed line and a cancelled sale are journaled with their amounts; the approver when one was needed', async () => {
    const db = storeDb();
    h = renderCheckout(db);
    await h.login();
    await h.write(`2*${COLA}\r${NOODLES}\r`);
    await h.waitFor('应收 ¥11.50');
    await h.write(KEY.up, KEY.del);
    await h.waitFor('已删除：可口可乐500ml');
    await h.write(KEY.enter, '2', KEY.enter); // ¥2 cash taken
    await h.waitFor('还需 ¥2.50');
    await h.write(KEY.esc, KEY.f8, 'y');
    await h.waitFor('需要主管授权');
    await h.write('9001', KEY.enter, '9999', KEY.enter);
    await h.waitFor('交易已取消');
    const voids = listVoids(db);
    expect(voids.map((v) => [v.kind, v.amountFen, v.saleTotalFen, v.paidFen, v.cashierId, v.approverId])).toEqual([
      ['line-removed', 700, 1150, 0, '1001', null],
      ['sale-cancelled', 450, 450, 200, '1001', '9001'],
    ]);
    expect(voids[0].lines).toEqual([expect.objectContaining({ name: '可口可乐500ml', qty: 2, unitPriceFen: 350, grossFen: 700, discountFen: 0 })]);
    expect(listApprovals(db)).toHaveLength(1);
  });
});

describe('a sale left open at a restart', () => {
  async function leftOpenBy1001() {
    const db = storeDb();
    createUser(db, { id: '1002', name: '王五', role: 'cashier', pin: '2222' });
    h = renderCheckout(db);
    await h.login();
    await h.write(`${COLA}\r`);
    await h.waitFor('可口可乐500ml ×1');
    h.unmount(); // the till stops with the sale open
    h = renderCheckout(db);
    return db;
  }

  test('goes back to the cashier who rang it up', async () => {
    await leftOpenBy1001();
    await h!.write('1002', KEY.enter, '2222', KEY.enter);
    await h!.waitFor('收银员 1001 留下一笔未完成的交易');
    expect(h!.view().cart.lines).toHaveLength(0);
    await h!.write(KEY.esc);
    await h!.waitFor('已退出登录');
    await h!.write('1001', KEY.enter, '1111', KEY.enter);
    await h!.waitFor('已恢复');
    expect(h!.view().cart.lines.map((l) => l.name)).toEqual(['可口可乐500ml']);
  });

  test('another cashier may void it (journaled) or resume it with a supervisor', async () => {
    const db = await leftOpenBy1001();
    await h!.write('1002', KEY.enter, '2222', KEY.enter);
    await h!.waitFor('未完成的交易');
    await h!.write(`${NOODLES}\r`); // a scan is no answer
    await h!.waitFor('未处理');
    await h!.write('y');
    await h!.waitFor('交易已取消');
    expect(readOpenCart(db)).toBeUndefined();
    expect(listVoids(db).map((v) => [v.kind, v.cashierId, v.amountFen])).toEqual([['sale-cancelled', '1002', 350]]);
  });

  test('resuming it needs a supervisor, who is journaled', async () => {
    const db = await leftOpenBy1001();
    await h!.write('1002', KEY.enter, '2222', KEY.enter);
    await h!.waitFor('未完成的交易');
    await h!.write(KEY.f7);
    await h!.waitFor('需要主管授权');
    await h!.write(KEY.esc);
    await h!.waitFor('未完成的交易'); // still to be answered
    await h!.write(KEY.f7, '9001', KEY.enter, '9999', KEY.enter);
    await h!.waitFor('可口可乐500ml');
    expect(h!.view().mode).toBe('sale');
    expect(h!.view().cart.lines).toHaveLength(1);
    expect(listApprovals(db).map((a) => [a.cashierId, a.supervisorId, a.reason])).toEqual([['1002', '9001', 'resume-foreign']]);
  });
});
