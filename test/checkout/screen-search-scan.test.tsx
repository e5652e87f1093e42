// A scan during a search is a scan: the code is not glued to the search text (issue 11, finding 7).
import { afterEach, describe, expect, test } from 'vitest';
import { COLA, KEY, WATER, renderCheckout, storeDb, type Harness } from './helpers.js';

let h: Harness | undefined;
afterEach(() => {
  h?.unmount();
  h = undefined;
});

describe('a scan during a search', () => {
  test('kkkl, then a scanner burst: the scanned item is added, the search closes', async () => {
    h = renderCheckout(storeDb());
    await h.login();
    await h.write('k', 'k', 'k', 'l');
    await h.waitFor('可口可乐500ml');
    expect(h.view().mode).toBe('search');
    await h.write(`${WATER}\r`);
    await h.waitFor('农夫山泉550ml ×1');
    expect(h.view().mode).toBe('sale');
    expect(h.view().cart.lines.map((l) => l.name)).toEqual(['农夫山泉550ml']);
    expect(h.frame()).not.toContain('kkkl6');
  });

  test('a scan split over several chunks after typed letters is still the scanned item', async () => {
    h = renderCheckout(storeDb());
    await h.login();
    await h.write('k', 'k', 'k', 'l');
    await h.waitFor('可口可乐500ml');
    await h.write(COLA.slice(0, 2), COLA.slice(2, 3), COLA.slice(3) , KEY.enter);
    await h.waitFor('可口可乐500ml ×1');
    expect(h.view().cart.lines).toHaveLength(1);
    expect(h.view().mode).toBe('sale');
  });
});
