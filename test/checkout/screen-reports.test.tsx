// X and Z at the checkout: Ctrl+X shows the X report (F2 prints it); F4 takes the Z, which a
// cashier may not, and a supervisor does with number and PIN.
import { afterEach, describe, expect, test } from 'vitest';
import { listZReports, type ReportBody } from '../../src/db/zreports.js';
import { COLA, KEY, NOODLES, renderCheckout, storeDb, type Harness } from './helpers.js';

let h: Harness | undefined;
afterEach(() => {
  h?.unmount();
  h = undefined;
});

const CTRL_X = '\x18';

describe('X and Z at the checkout', () => {
  test('Ctrl+X shows the X report and F2 prints it; F4 takes the Z: refused to a cashier, taken by a supervisor', async () => {
    const db = storeDb();
    const printed: ReportBody[] = [];
    h = renderCheckout(db, { printReport: async (r) => (printed.push(r), { ok: true }) });
    await h.login();
    await h.write(`${COLA}\r${NOODLES}\r`, KEY.f10);
    await h.waitFor('收款');
    await h.write(KEY.f6);
    await h.waitFor('交易 S001-T01-');
    await h.write(CTRL_X);
    await h.waitFor('X 报表（下一张 Z：第 1 号）');
    expect(h.frame()).toContain('销售 1 笔 · 毛额 ¥8.00 · 折扣 ¥0.00 · 净额 ¥8.00');
    expect(h.frame()).toContain('当前班次钱箱此刻应有 ¥208.00');
    await h.write(KEY.f2);
    await h.waitFor('报表已打印');
    expect(printed.map((r) => [r.kind, r.netFen])).toEqual([['X', 800]]);
    expect(listZReports(db)).toHaveLength(0); // an X changes nothing

    await h.write(KEY.f4, '1001', KEY.enter, '1111', KEY.enter);
    await h.waitFor('用户 1001 不能出 Z 报表');
    await h.write('9001', KEY.enter, '9998', KEY.enter);
    await h.waitFor('用户 9001 验证失败');
    await h.write('9001', KEY.enter, '9999', KEY.enter);
    await h.waitFor('Z 报表 第 1 号');
    expect(listZReports(db).map((z) => [z.no, z.netFen])).toEqual([[1, 800]]);
    await h.waitFor('报表已打印');
    expect(printed.map((r) => r.kind)).toEqual(['X', 'Z']);
    await h.write(KEY.esc);
    expect(h.view().dialog).toBeNull();
  });

  test('a Z with nothing to close is refused and says so', async () => {
    h = renderCheckout(storeDb());
    await h.login();
    await h.write(CTRL_X, KEY.f4, '9001', KEY.enter, '9999', KEY.enter);
    await h.waitFor('没有可结的数据');
  });

  test('F1 help lists the store’s-day keys from the key map', async () => {
    h = renderCheckout(storeDb());
    await h.login();
    await h.write(KEY.f1);
    await h.waitFor('按键说明');
    for (const k of ['Ctrl+P', 'Ctrl+E', 'Ctrl+R', 'Ctrl+X']) expect(h.frame()).toContain(k);
  });
});
