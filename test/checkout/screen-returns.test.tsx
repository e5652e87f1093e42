// Returns at the checkout: Ctrl+R, the receipt scanned (or typed), lines picked, the refund shown,
// a supervisor approves (never the cashier themself), the return is recorded and its slip printed.
// F2 makes it a post-void of the whole sale.
import { afterEach, describe, expect, test } from 'vitest';
import type { ReturnRecord } from '../../src/db/returns.js';
import { listSales } from '../../src/db/sales.js';
import { closeShift, currentShift, openShift, shiftFigures } from '../../src/db/shifts.js';
import { COLA, KEY, NOODLES, renderCheckout, storeDb, type Harness } from './helpers.js';

let h: Harness | undefined;
afterEach(() => {
  h?.unmount();
  h = undefined;
});

const CTRL_R = '\x12';

async function sell(h: Harness, ...codes: string[]) {
  await h.write(codes.map((c) => `${c}\r`).join(''));
  await h.waitFor(`件数 ${codes.length}`);
  await h.write(KEY.f10);
  await h.waitFor('收款');
  await h.write(KEY.f6);
  await h.waitFor(/交易 (T-)?S001-T01-/);
}

describe('a return at the checkout', () => {
  test('scan the receipt, return one line, a supervisor approves: refunded in cash, the slip printed', async () => {
    const db = storeDb();
    const slips: ReturnRecord[] = [];
    h = renderCheckout(db, { printReturn: async (ret) => (slips.push(ret), { ok: true }) });
    await h.login();
    await sell(h, COLA, NOODLES);
    const receipt = listSales(db)[0].receiptNo;
    await h.write(CTRL_R);
    await h.waitFor('扫描小票条码或输入小票号');
    await h.write(`${receipt}\r`); // as the scanner sends it
    await h.waitFor(`小票 ${receipt}，合计 ¥8.00`);
    expect(h.frame()).toContain('2. 康师傅红烧牛肉面  可退 1/1  实付 ¥4.50');
    await h.write('x', KEY.enter);
    await h.waitFor('“x”不是有效的行选择');
    await h.write('2', KEY.enter);
    await h.waitFor('退款 ¥4.50：现金 ¥4.50');
    // The cashier cannot approve their own return; a wrong PIN asks again.
    await h.write('1001', KEY.enter);
    await h.waitFor('主管不能授权自己的操作');
    await h.write('9001', KEY.enter, '0000', KEY.enter);
    await h.waitFor('主管 9001 无法授权');
    await h.write('9001', KEY.enter, '9999', KEY.enter);
    await h.waitFor(`（原小票 ${receipt}）：退款 ¥4.50`);
    expect(slips.map((r) => [r.kind, r.saleReceiptNo, r.refundFen, r.cashierId, r.supervisorId])).toEqual([['return', receipt, 450, '1001', '9001']]);
    // The cash went back out of the drawer: the shift expects ¥200 + 8.00 − 4.50.
    expect(shiftFigures(db, currentShift(db)!).expectedCashFen).toBe(20350);
    // The same line again: nothing left of it.
    await h.write(CTRL_R, `${receipt}\r`, '2', KEY.enter);
    await h.waitFor('未退货：');
  });

  test('a receipt of another store is refused with where to take it back, and the screen stays on the search', async () => {
    const db = storeDb();
    h = renderCheckout(db);
    await h.login();
    await h.write(CTRL_R);
    await h.waitFor('扫描小票条码');
    await h.write('S009-T02-20261207-0007\r');
    await h.waitFor('S009-T02-20261207-0007 是 S009 门店的小票：异店退货需要总部查到这张小票');
    expect(h.frame()).toContain('扫描小票条码');
  });

  test('F2: a post-void of a sale of this shift, approved by a supervisor', async () => {
    const db = storeDb();
    h = renderCheckout(db);
    await h.login();
    await sell(h, COLA);
    const receipt = listSales(db)[0].receiptNo;
    await h.write(CTRL_R);
    await h.waitFor('扫描小票条码');
    await h.write(receipt, KEY.enter); // typed
    await h.waitFor('退哪几行');
    await h.write(KEY.f2);
    await h.waitFor('回车：撤销整笔交易');
    await h.write(KEY.enter);
    await h.waitFor('退款 ¥3.50');
    await h.write('9001', KEY.enter, '9999', KEY.enter);
    await h.waitFor(`交易 ${receipt} 已整单撤销`);
  });

  test('a sale of an earlier shift is not post-voided: it comes back as a return', async () => {
    const db = storeDb();
    h = renderCheckout(db);
    await h.login();
    await sell(h, COLA);
    const receipt = listSales(db)[0].receiptNo;
    closeShift(db, { countedFen: 20350 }, new Date(Date.now() + 1000));
    openShift(db, { cashierId: '1001', floatFen: 10000 }, new Date(Date.now() + 2000));
    await h.write(CTRL_R, receipt, KEY.enter, KEY.f2, KEY.enter);
    await h.waitFor(`${receipt} 不是本班次的交易`);
    await h.write(KEY.f2, KEY.enter);
    await h.waitFor('退款 ¥3.50');
  });

  test('Esc cancels and records nothing; not in the middle of a sale', async () => {
    const db = storeDb();
    h = renderCheckout(db);
    await h.login();
    await sell(h, COLA);
    await h.write(CTRL_R, KEY.esc);
    await h.waitFor('已取消退货');
    await h.write(`${COLA}\r`, CTRL_R);
    await h.waitFor('请先完成当前交易');
    expect(h.view().dialog).toBeNull();
  });

  test('a training sale cannot be returned', async () => {
    const db = storeDb();
    h = renderCheckout(db, { training: true });
    await h.login();
    await sell(h, COLA);
    const receipt = listSales(db, { includeTraining: true })[0].receiptNo;
    await h.write(CTRL_R);
    await h.waitFor('练习模式：不能退货');
    h.unmount();
    h = renderCheckout(db);
    await h.login();
    await h.write(CTRL_R, receipt, KEY.enter);
    await h.waitFor('是练习交易');
  });
});
