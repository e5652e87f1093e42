// The figures on screen add up (issue 11, finding 3): each line shows its gross amount with its
// discount beneath; the bar reads 小计 (gross) − 优惠 (line + sale discounts) = 应收.
import { afterEach, describe, expect, test } from 'vitest';
import { COLA, KEY, NOODLES, renderCheckout, storeDb, type Harness } from './helpers.js';

let h: Harness | undefined;
afterEach(() => {
  h?.unmount();
  h = undefined;
});

const yuan = (s: string) => Math.round(Number(s.replace(/[¥,]/g, '')) * 100);

describe('figures on screen', () => {
  test('30% off a line and ¥5 off the sale: lines gross, discount beneath, bar adds up', async () => {
    h = renderCheckout(storeDb(), { discountLimitPercent: 100 });
    await h.login();
    await h.write(`10*${COLA}\r`, `${NOODLES}\r`);
    await h.waitFor('应收 ¥39.50');
    await h.write(KEY.up, KEY.f4, '30%', KEY.enter);
    await h.waitFor('折扣已生效');
    await h.write(KEY.f5, '5', KEY.enter);
    const f = await h.waitFor('应收 ¥24.00');
    const lines = f.split('\n');
    const cola = lines.findIndex((l) => /^\s+1 可口可乐500ml/.test(l));
    expect(lines[cola]).toMatch(/35\.00\s*$/);
    expect(lines[cola + 1]).toMatch(/折扣 -30%\s+-10\.50\s*$/);
    expect(lines[cola + 2]).toMatch(/^\s+2 康师傅红烧牛肉面.*4\.50\s*$/);
    const bar = lines.find((l) => l.includes('应收'))!;
    const [, sub] = /小计 (¥[\d.,]+)/.exec(bar)!;
    const [, off] = /优惠 -(¥[\d.,]+)/.exec(bar)!;
    const [, due] = /应收 (¥[\d.,]+)/.exec(bar)!;
    expect([yuan(sub), yuan(off), yuan(due)]).toEqual([3950, 1550, 2400]);
    expect(yuan(sub) - yuan(off)).toBe(yuan(due));
  });
});
