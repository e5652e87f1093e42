// A scanner types Enter: it must never confirm, cancel or leave anything. The destructive
// confirmations take Y (a key no scanner sends); a code scanned while a dialog is open is
// refused with a bell and a message, never taken as the dialog's answer and never lost silently.
import { afterEach, describe, expect, test } from 'vitest';
import { listApprovals } from '../../src/db/approvals.js';
import { listSales } from '../../src/db/sales.js';
import { COLA, KEY, NOODLES, WATER, WECHAT_CODE, renderCheckout, storeDb, tick, type Harness } from './helpers.js';

let h: Harness | undefined;
afterEach(() => {
  h?.unmount();
  h = undefined;
});

function start(deps: Parameters<typeof renderCheckout>[1] = {}) {
  const db = storeDb();
  h = renderCheckout(db, deps);
  return { db, h };
}

describe('a scan never answers a dialog', () => {
  test('F8 then a scan: the sale is kept, the scan is refused with a bell and says so', async () => {
    const { h } = start();
    await h.login();
    await h.write(`${COLA}\r${NOODLES}\r`);
    await h.waitFor('应收 ¥8.00');
    await h.write(KEY.f8);
    await h.waitFor('取消整笔交易');
    const bells = h.bells;
    await h.write(`${WATER}\r`);
    await h.waitFor(`扫描的 ${WATER} 未处理`);
    expect(h.bells).toBe(bells + 1);
    expect(h.view().cart.lines).toHaveLength(2);
    expect(h.view().mode).toBe('dialog');
    // Enter alone does not cancel the sale either; Y does.
    await h.write(KEY.enter);
    await h.waitFor('请按 Y 确认');
    expect(h.view().cart.lines).toHaveLength(2);
    await h.write('y');
    await h.waitFor('交易已取消');
    expect(h.view().cart.lines).toHaveLength(0);
  });

  test('Ctrl+C then a scan: the till stays open with the sale; Y leaves', async () => {
    const { h } = start();
    await h.login();
    await h.write(`${COLA}\r`);
    await h.waitFor('可口可乐500ml ×1');
    await h.write(KEY.ctrlC);
    await h.waitFor('当前交易未完成');
    await h.write(`${NOODLES}\r`);
    await h.waitFor(`扫描的 ${NOODLES} 未处理`);
    await tick(20);
    expect(h.exited).toBe(false);
    await h.write(KEY.enter);
    await tick(20);
    expect(h.exited).toBe(false);
    await h.write(KEY.esc);
    expect(h.view().cart.lines).toHaveLength(1);
    await h.write(KEY.ctrlC, 'Y');
    await tick(20);
    expect(h.exited).toBe(true);
  });

  test('a scan in the discount dialog is not a discount, and in the PIN field not a PIN try', async () => {
    const { db, h } = start();
    await h.login();
    await h.write(`10*${COLA}\r`);
    await h.waitFor('应收 ¥35.00');
    await h.write(KEY.f5);
    await h.waitFor('整单折扣');
    await h.write(`${WATER}\r`);
    await h.waitFor(`扫描的 ${WATER} 未处理`);
    expect(h.view().cart.orderDiscount).toBeNull();
    expect(h.view().dialog?.kind).toBe('discount');
    await h.write('20%', KEY.enter);
    await h.waitFor('需要主管授权');
    await h.write('9001', KEY.enter, `${NOODLES}\r`);
    await h.waitFor('扫描不能当作主管工号或密码');
    expect(h.frame()).not.toContain(NOODLES);
    expect(h.frame()).not.toContain('密码错误');
    await h.write('9999', KEY.enter);
    await h.waitFor('折扣已生效');
    expect(listApprovals(db)).toHaveLength(1);
  });

  test('a PIN that arrives in one read with its Enter (a PIN pad) is a PIN, never shown as a scan', async () => {
    const { db, h } = start();
    await h.login();
    await h.write(`10*${COLA}\r`);
    await h.waitFor('应收 ¥35.00');
    await h.write(KEY.f5);
    await h.waitFor('整单折扣');
    await h.write('20%', KEY.enter);
    await h.waitFor('需要主管授权');
    await h.write(`${WATER}\r`);
    await h.waitFor('扫描不能当作主管工号或密码');
    expect(h.frame()).not.toContain(WATER);
    await h.write('9001\r');
    await h.write('9999\r');
    await h.waitFor('折扣已生效');
    expect(h.frame()).not.toContain('9999');
    expect(listApprovals(db)).toHaveLength(1);
  });

  test('a scan while the help is open closes it and is a scan', async () => {
    const { h } = start();
    await h.login();
    await h.write(KEY.f1);
    await h.waitFor('按键说明');
    await h.write(`${COLA}\r`);
    await h.waitFor('可口可乐500ml ×1');
    expect(h.view().mode).toBe('sale');
  });
});

describe('a scan never answers a list or a payment confirmation', () => {
  test('a scan while the held sales are listed resumes nothing', async () => {
    const { h } = start();
    await h.login();
    await h.write(`${COLA}\r`, KEY.f6);
    await h.waitFor('已挂单');
    await h.write(KEY.f7);
    await h.waitFor('可口可乐500ml');
    await h.write(`${NOODLES}\r`);
    await h.waitFor(`扫描的 ${NOODLES} 未处理`);
    expect(h.view().mode).toBe('list');
    expect(h.view().cart.lines).toHaveLength(0);
  });

  test('a scan while a WeChat payment waits for confirmation does not confirm it', async () => {
    const { db, h } = start();
    await h.login();
    await h.write(`${COLA}\r`, KEY.enter, `${WECHAT_CODE}\r`);
    await h.waitFor('微信');
    expect(h.view().payment?.stage).toBe('confirm');
    await h.write(`${NOODLES}\r`);
    await h.waitFor(`扫描的 ${NOODLES} 未处理`);
    expect(h.view().cart.tenders).toHaveLength(0);
    expect(listSales(db)).toHaveLength(0);
    await h.write(KEY.enter);
    await h.waitFor('交易 S001-T01-');
  });
});
