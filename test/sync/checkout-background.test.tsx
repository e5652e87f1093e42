// Sync in the background of a running checkout (the real screen, ink-testing-library): the
// status bar shows online/offline and what is left to send, a price changed at HQ reaches the
// next scan without a restart, and the sale in progress keeps the prices it was scanned at.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TillConfig } from '../../src/config.js';
import { findProductByBarcode } from '../../src/db/products.js';
import { listSales } from '../../src/db/sales.js';
import { startBackgroundSync } from '../../src/sync/background.js';
import { KEY, renderCheckout, tick } from '../checkout/helpers.js';
import { openShift } from '../../src/db/shifts.js';
import { FaultProxy } from './fault-proxy.js';
import { enrolledTill, ensureStore, startHq, type Hq, type TestTill } from './harness.js';
import { removeDir } from '../helpers/till.js';

const COLA = '6901234567892';
const WATER = '6902538004045';
const FAST = { requestTimeoutMs: 1000, backoff: { baseMs: 20, capMs: 200 }, idlePollMs: 20, catalogEveryMs: 100 };

let hq: Hq;
let till: TestTill;
let proxy: FaultProxy;
beforeAll(async () => {
  hq = await startHq();
  await ensureStore(hq.store, 'S001');
  await hq.store.catalog.add({ name: '可口可乐500ml', priceFen: 350, barcodes: [COLA] });
  await hq.store.catalog.add({ name: '农夫山泉550ml', priceFen: 200, barcodes: [WATER] });
  till = await enrolledTill(hq.store, hq.url, 'S001', 'C1');
  proxy = await new FaultProxy({ target: hq.url, rate: 0, kinds: ['error-before'] }).start();
  await new TillConfig(till.home).set('hq.url', proxy.url);
});
afterAll(async () => {
  await proxy.stop();
  till.close();
  await hq.stop();
  removeDir(hq.home);
});

async function until(what: string, ok: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const t = Date.now();
  while (!(await ok())) {
    if (Date.now() - t > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await tick(10);
  }
}

describe('the checkout with background sync', () => {
  it('shows HQ online, takes HQ price changes on the next scan, and keeps the prices of the sale in progress', async () => {
    const background = startBackgroundSync({ db: till.db, home: till.home, options: FAST });
    openShift(till.db, { cashierId: '1', floatFen: 0 }); // selling needs an open shift
    const h = renderCheckout(till.db, { hqUrl: proxy.url, background, statusEveryMs: 20 });
    try {
      await until('the HQ catalog', () => findProductByBarcode(till.db, COLA) !== undefined);
      expect(background.where()).toBe('worker'); // sync runs off the thread that reads the scanner
      await h.waitFor('在线');
      await h.login('1', '1234');
      await h.write(`${COLA}\r`);
      await h.waitFor('3.50');

      // HQ changes prices while the cola is in the cart.
      await hq.store.catalog.update(COLA, { priceFen: 400 });
      await hq.store.catalog.update(WATER, { priceFen: 250 });
      await until('the new prices', () => findProductByBarcode(till.db, WATER)?.priceFen === 250 && findProductByBarcode(till.db, COLA)?.priceFen === 400);
      await h.write(`${WATER}\r`);
      await h.waitFor('2.50');
      expect(h.frame()).not.toContain('4.00');
      await h.write(KEY.enter, KEY.enter); // exact cash
      await until('the sale', () => listSales(till.db).length === 1);
      expect(listSales(till.db)[0].lines.map((l) => [l.name, l.unitPriceFen])).toEqual([
        ['可口可乐500ml', 350],
        ['农夫山泉550ml', 250],
      ]);
      // The background uploads it; the status bar comes back to nothing pending.
      await until('HQ to have the sale', async () => (await hq.store.listSales({ tillCode: 'C1' })).length === 1);
      await h.waitFor('待上传 0');
      expect((await hq.store.listSales({ tillCode: 'C1' }))[0].totalFen).toBe(600);

      // The next sale sees HQ's new cola price without a restart.
      await h.write(`${COLA}\r`);
      await h.waitFor('4.00');

      // HQ becomes unreachable: the sale is still made at once, the bar says offline and 1 to send.
      proxy.rate = 1;
      await h.write(KEY.enter, KEY.enter);
      await until('the second sale', () => listSales(till.db).length === 2);
      await h.waitFor(/离线[\s\S]*待上传 1/);
      proxy.rate = 0;
      await h.waitFor(/在线[\s\S]*待上传 0/);
      expect(await hq.store.listSales({ tillCode: 'C1' })).toHaveLength(2);
    } finally {
      h.unmount();
    }
  }, 30_000);
});
