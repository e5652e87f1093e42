// A committed sale wakes the uploader: on a healthy network it is at HQ within a second of
// its commit, not at the next poll. The background sync here polls only every minute (and
// pulls the catalog every 30 s), so only the wake-up can get the sales there in time.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conflictCount } from '../../src/db/outbox.js';
import { startBackgroundSync, type BackgroundSync } from '../../src/sync/background.js';
import { enrolledTill, ensureStore, sell, startHq, type Hq, type TestTill } from './harness.js';
import { BIN, removeDir } from '../helpers/till.js';

const SLOW_POLL = { idlePollMs: 60_000, catalogEveryMs: 30_000, requestTimeoutMs: 2000 };

let hq: Hq;
let till: TestTill;
beforeAll(async () => {
  hq = await startHq();
  await ensureStore(hq.store, 'S001');
  await hq.store.catalog.add({ name: '可口可乐500ml', priceFen: 350, barcodes: ['6901234567892'] });
  till = await enrolledTill(hq.store, hq.url, 'S001', 'W1');
});
afterAll(async () => {
  till.close();
  await hq.stop();
  removeDir(hq.home);
});

const syncedAt = (seq: number) => (till.db.prepare('SELECT synced_at AS t FROM outbox WHERE seq = ?').get(seq) as { t: string | null } | undefined)?.t ?? null;

async function within(ms: number, ok: () => boolean): Promise<number> {
  const t = Date.now();
  while (!ok()) {
    if (Date.now() - t > ms) return Infinity;
    await new Promise((r) => setTimeout(r, 5));
  }
  return Date.now() - t;
}

describe.each(['worker', 'inline'] as const)('background sync (%s)', (mode) => {
  let bg: BackgroundSync;
  afterAll(() => bg?.stop());

  it('each sale committed on the till is at HQ within a second', async () => {
    bg = startBackgroundSync({ db: till.db, home: till.home, options: SLOW_POLL, mode });
    bg.start();
    // Let the first round (handshake, catalog) finish: the uploader is then idle, waiting.
    await new Promise((r) => setTimeout(r, 1500));
    const first = (till.db.prepare('SELECT coalesce(max(seq), 0) AS n FROM outbox').get() as { n: number }).n;
    const waits: number[] = [];
    for (let i = 1; i <= 3; i++) {
      sell(till.db, first + i);
      waits.push(await within(1000, () => syncedAt(first + i) !== null));
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(waits.every((w) => w <= 1000), `waits ${waits.join(', ')} ms`).toBe(true);
    expect(bg.status()).toMatchObject({ pending: 0, conflicts: 0, quarantined: 0 });
    expect(conflictCount(till.db)).toBe(0);
  }, 20_000);
});

describe('`till sync --watch` beside another process that sells', () => {
  it('`till simulate` in another process: its sales are at HQ within a second of it finishing', async () => {
    const engine = till.engine(SLOW_POLL);
    const ac = new AbortController();
    const watching = engine.watch({ signal: ac.signal, onFatal: async () => 'stop' });
    try {
      await new Promise((r) => setTimeout(r, 1500)); // the first round (catalog included) is done: idle
      const before = (till.db.prepare('SELECT coalesce(max(seq), 0) AS n FROM outbox').get() as { n: number }).n;
      const code = await new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, [BIN, 'simulate', 'sales', '--count', '3'], { env: { ...process.env, TILL_HOME: till.home }, stdio: 'ignore' });
        child.on('exit', resolve);
      });
      expect(code).toBe(0);
      const wait = await within(1000, () => [1, 2, 3].every((i) => syncedAt(before + i) !== null));
      expect(wait).toBeLessThanOrEqual(1000);
    } finally {
      ac.abort();
      await watching;
    }
  }, 30_000);
});
