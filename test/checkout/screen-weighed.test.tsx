// Weighed goods without a scale label (issue 11, finding 8): a typed PLU or a weighed product
// picked from search takes a typed weight as weigh.manual allows; a scale label scanned twice in
// one sale is called out.
import { afterEach, describe, expect, test } from 'vitest';
import { listApprovals } from '../../src/db/approvals.js';
import { parseWeight } from '../../src/checkout/weight.js';
import { BANANA_LABEL, COLA, KEY, WATER, renderCheckout, storeDb, tick, type Harness } from './helpers.js';

let h: Harness | undefined;
afterEach(() => {
  h?.unmount();
  h = undefined;
});

describe('typed weights', () => {
  test('weigh.manual = allow: the PLU, then grams or kg', async () => {
    h = renderCheckout(storeDb(), { weighManual: 'allow' });
    await h.login();
    await h.write('10002', KEY.enter);
    await h.waitFor('香蕉（¥6.98/公斤）无秤签');
    await h.write('abc', KEY.enter);
    await h.waitFor('“abc”不是重量');
    await h.write('\x7f\x7f\x7f', '350', KEY.enter);
    await h.waitFor(/香蕉\s+0\.350kg/);
    await h.write('10002', KEY.enter, '1.2kg', KEY.enter);
    await h.waitFor(/香蕉\s+1\.200kg/);
    expect(h.view().cart.lines.map((l) => l.qtyGrams)).toEqual([350, 1200]);
    expect(h.view().totals.totalFen).toBe(244 + 838);
  });

  test('weigh.manual = supervisor: picked from search, the weight needs a supervisor, journaled', async () => {
    const db = storeDb();
    h = renderCheckout(db, { weighManual: 'supervisor' });
    await h.login();
    await h.write('x', 'j');
    await h.waitFor('搜索“xj”：1 个结果');
    await h.write(KEY.enter);
    await h.waitFor('无秤签');
    await h.write('500', KEY.enter);
    await h.waitFor('香蕉 手输重量需要主管授权');
    await h.write('9001', KEY.enter, '9999', KEY.enter);
    await h.waitFor(/香蕉\s+0\.500kg/);
    expect(listApprovals(db).map((a) => [a.supervisorId, a.reason, a.detail.split(';')[0]])).toEqual([['9001', 'manual-weight', 'typed weight: 香蕉 500 g']]);
  });

  test('the weighed line a supervisor approved is the selected one: Del removes it, not the line before', async () => {
    h = renderCheckout(storeDb(), { weighManual: 'supervisor' });
    await h.login();
    await h.write(`${COLA}\r${WATER}\r`);
    await h.waitFor('应收 ¥5.50');
    await h.write('10002', KEY.enter);
    await h.waitFor('无秤签');
    await h.write('300', KEY.enter);
    await h.write('9001', KEY.enter, '9999', KEY.enter);
    await h.waitFor(/香蕉\s+0\.300kg/);
    expect(h.view().selected).toBe(2);
    await h.write(KEY.del);
    await tick(20);
    expect(h.view().cart.lines.map((l) => l.name)).toEqual(['可口可乐500ml', '农夫山泉550ml']);
  });

  test('weigh.manual = never: weigh it and scan the label', async () => {
    h = renderCheckout(storeDb(), { weighManual: 'never' });
    await h.login();
    await h.write('10002', KEY.enter);
    await h.waitFor('香蕉 是称重商品：请称重后扫描秤签');
    expect(h.view().mode).toBe('sale');
  });

  test('the same scale label twice in one sale is called out', async () => {
    h = renderCheckout(storeDb());
    await h.login();
    await h.write(`${BANANA_LABEL}\r`);
    await h.waitFor(/香蕉\s+1\.250kg/);
    const bells = h.bells;
    await h.write(`${BANANA_LABEL}\r`);
    await h.waitFor('香蕉 的这张秤签本单已扫描过');
    expect(h.bells).toBe(bells + 1);
  });

  test('weights typed as grams or kilograms, without floats', () => {
    expect(parseWeight('350')).toBe(350);
    expect(parseWeight('350g')).toBe(350);
    expect(parseWeight('0.35kg')).toBe(350);
    expect(parseWeight('1.2 KG')).toBe(1200);
    expect(parseWeight('.5kg')).toBe(500);
    expect(parseWeight('1.005kg')).toBe(1005);
    for (const bad of ['', '0', 'kg', '1.2345kg', '100000', '-5', 'abc', '1,5kg']) expect(parseWeight(bad), bad).toBeNull();
  });
});
