// Cash tendered with implausible change asks first (issue 11, finding 5): a typo of 99999 must
// not complete the sale with ¥99,982.70 of change. Y confirms; Enter or a scan never does.
import { afterEach, describe, expect, test } from 'vitest';
import { listSales } from '../../src/db/sales.js';
import { changeBoundFen } from '../../src/checkout/tender.js';
import { COLA, KEY, WATER, renderCheckout, storeDb, type Harness } from './helpers.js';

let h: Harness | undefined;
afterEach(() => {
  h?.unmount();
  h = undefined;
});

describe('cash with large change', () => {
  test('99999 for a ¥3.50 sale asks; Enter and a scan do not answer; Esc retypes; Y completes', async () => {
    const db = storeDb();
    h = renderCheckout(db);
    await h.login();
    await h.write(`${COLA}\r`, KEY.enter);
    await h.waitFor('现金：输入金额后回车');
    await h.write('99999', KEY.enter);
    await h.waitFor('要找零 ¥99995.50');
    expect(listSales(db)).toHaveLength(0);
    await h.write(KEY.enter, `${WATER}\r`);
    await h.waitFor('未处理');
    expect(listSales(db)).toHaveLength(0);
    await h.write(KEY.esc);
    expect(h.view().mode).toBe('payment');
    await h.write('100', KEY.enter); // an ordinary ¥100 note
    await h.waitFor('找零 ¥96.50');
    expect(listSales(db)).toHaveLength(1);
    await h.write(`${COLA}\r`, KEY.enter, '5000', KEY.enter);
    await h.waitFor('请核对收款');
    await h.write('y');
    await h.waitFor('找零 ¥4996.50');
    expect(listSales(db).map((s) => s.payments[0].tenderedFen)).toEqual([10000, 500000]);
  });

  test('the bound: ¥100, or the due amount rounded up to ¥100; or as configured', async () => {
    expect(changeBoundFen(1630)).toBe(10000);
    expect(changeBoundFen(35000)).toBe(40000); // ¥500 for ¥350 gives ¥150 change without asking
    expect(changeBoundFen(35000, 2000)).toBe(2000);
    h = renderCheckout(storeDb(), { maxChangeFen: 2000 });
    await h.login();
    await h.write(`${COLA}\r`, KEY.enter, '50', KEY.enter);
    await h.waitFor('请核对收款');
  });

  test('in English', async () => {
    h = renderCheckout(storeDb(), { lang: 'en' });
    await h.login();
    await h.write(`${COLA}\r`, KEY.enter, '99999', KEY.enter);
    await h.waitFor('Check the cash');
    await h.write('Y');
    await h.waitFor('CHANGE ¥99995.50');
  });
});
