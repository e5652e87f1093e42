// The shipped background sync worker (dist/sync-worker.js, built by `npm run build`): started
// the way the checkout starts it, it uploads, pulls the catalog, and on "stop" lets go of the
// upload lease and exits.
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pendingCount } from '../../src/db/outbox.js';
import { findProductByBarcode } from '../../src/db/products.js';
import { leaseHolder, UPLOAD_LEASE } from '../../src/db/sync-state.js';
import type { WorkerData } from '../../src/sync/background.js';
import { enrolledTill, ensureStore, sellMany, startHq, type Hq, type TestTill } from './harness.js';
import { ROOT, removeDir } from '../helpers/till.js';

let hq: Hq;
let till: TestTill;
beforeAll(async () => {
  hq = await startHq();
  await ensureStore(hq.store, 'S001');
  till = await enrolledTill(hq.store, hq.url, 'S001', 'W9');
});
afterAll(async () => {
  till.close();
  await hq.stop();
  removeDir(hq.home);
});

describe('the bundled sync worker', () => {
  it('syncs a till from its own thread and stops cleanly', async () => {
    sellMany(till.db, 120);
    await hq.store.catalog.add({ name: '可口可乐500ml', priceFen: 350, barcodes: ['6901234567892'] });
    const data: WorkerData = { home: till.home, options: { idlePollMs: 20, catalogEveryMs: 100, catalogPageSize: 20, batchSize: 50 } };
    const worker = new Worker(join(ROOT, 'dist', 'sync-worker.js'), { workerData: data });
    const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
    const messages: Array<{ type: string; online?: boolean }> = [];
    worker.on('message', (m) => messages.push(m));
    try {
      const t = Date.now();
      while (pendingCount(till.db) > 0 || !findProductByBarcode(till.db, '6901234567892')) {
        if (Date.now() - t > 15_000) throw new Error(`worker did not sync: ${JSON.stringify(messages.slice(-3))}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      expect((await hq.store.listSales({ tillCode: 'W9' })).length).toBe(120);
      expect(messages).toContainEqual({ type: 'online', online: true });
    } finally {
      worker.postMessage({ type: 'stop' });
    }
    expect(await exited).toBe(0);
    expect(leaseHolder(till.db, UPLOAD_LEASE)).toBeUndefined();
  });
});
