// A search shows at most 50 products; when more match, the count says so ("50+"), never a
// plain "50" that hides the rest.
import { afterEach, expect, it } from 'vitest';
import { addProduct } from '../../src/db/products-write.js';
import { renderCheckout, storeDb, type Harness } from './helpers.js';

let h: Harness | undefined;
afterEach(() => h?.unmount());

it('62 products named 饼干 show as "50+" found; 3 show as 3', async () => {
  const db = storeDb();
  db.transaction(() => {
    for (let i = 1; i <= 62; i++) addProduct(db, { name: `曲奇饼干${i}号`, priceFen: 500 + i, barcodes: [] });
    for (let i = 1; i <= 3; i++) addProduct(db, { name: `苏打水${i}号`, priceFen: 300, barcodes: [] });
  })();
  h = renderCheckout(db, { lang: 'en' });
  await h.login();
  await h.write('bg');
  expect(await h.waitFor(/found/)).toContain('50+ found');
  await h.write('\x1b');
  await h.write('sds');
  const f = await h.waitFor(/found/);
  expect(f).toContain('3 found');
  expect(f).not.toContain('+ found');
});
