// A locked cashier is unlocked by a supervisor at the checkout (issue 11, finding 10), and a
// supervisor never approves their own action (finding 13).
import { afterEach, describe, expect, test } from 'vitest';
import { listApprovals } from '../../src/db/approvals.js';
import { COLA, KEY, renderCheckout, storeDb, type Harness } from './helpers.js';

let h: Harness | undefined;
afterEach(() => {
  h?.unmount();
  h = undefined;
});

describe('supervisor at the sign-in screen', () => {
  test('five wrong PINs lock the cashier; F2 and a supervisor PIN unlock, journaled', async () => {
    const db = storeDb();
    h = renderCheckout(db);
    await h.write('1001', KEY.enter);
    for (let i = 0; i < 5; i++) await h.write('0000', KEY.enter);
    await h.waitFor('已锁定到');
    await h.write(KEY.f2);
    await h.waitFor('解锁收银员 1001');
    // The locked cashier cannot unlock themselves.
    await h.write('1001', KEY.enter, '1111', KEY.enter);
    await h.waitFor('1001 连续 5 次密码错误');
    await h.write('9001', KEY.enter, '9999', KEY.enter);
    await h.waitFor('收银员 1001 已由主管 9001 解锁');
    expect(h.view().mode).toBe('login');
    await h.write('1111', KEY.enter);
    await h.waitFor('张三，欢迎');
    expect(listApprovals(db).map((a) => [a.cashierId, a.supervisorId, a.reason])).toEqual([['1001', '9001', 'unlock']]);
  });

  test('Esc leaves the unlock dialog; the cashier stays locked', async () => {
    h = renderCheckout(storeDb(), { lang: 'en' });
    await h.write('1001', KEY.enter);
    for (let i = 0; i < 5; i++) await h.write('0000', KEY.enter);
    await h.waitFor('A supervisor can unlock it: F2');
    await h.write(KEY.f2, KEY.esc, '1111', KEY.enter);
    await h.waitFor('is locked');
    expect(h.view().user).toBeNull();
  });

  test('a supervisor signed in at the till cannot approve their own discount', async () => {
    const db = storeDb(false); // the supervisor opens their own shift (float ¥0)
    h = renderCheckout(db);
    await h.write('9001', KEY.enter, '9999', KEY.enter, '0', KEY.enter);
    await h.waitFor('欢迎');
    await h.write(`10*${COLA}\r`, KEY.f5, '20%', KEY.enter);
    await h.waitFor('需要主管授权');
    await h.write('9001', KEY.enter, '9999', KEY.enter);
    await h.waitFor('主管不能授权自己的操作');
    expect(h.view().cart.orderDiscount).toBeNull();
    expect(listApprovals(db)).toHaveLength(0);
  });
});

describe('a scan at the sign-in screen', () => {
  test('is neither a cashier number nor a PIN: five scans in the PIN field lock nobody, and the code is not shown', async () => {
    h = renderCheckout(storeDb());
    await h.write(`${COLA}\r`);
    await h.waitFor('扫描不能当作工号或密码');
    expect(h.view().login.field).toBe('id');
    await h.write('1001', KEY.enter);
    for (let i = 0; i < 5; i++) await h.write(`${COLA}\r`);
    await h.waitFor('扫描不能当作工号或密码');
    expect(h.frame()).not.toContain(COLA);
    expect(h.frame()).not.toMatch(/锁定|密码错误/);
    await h.write('1111', KEY.enter);
    await h.waitFor(/欢迎|备用金|float/);
  });
});
