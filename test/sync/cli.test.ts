// The sync commands as a person uses them: till enroll, till sync --once / --watch,
// till sync status [--json], till config set hq.url. The till is the built CLI; HQ is real.
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open.js';
import { dbPath } from '../../src/home.js';
import { FaultProxy } from './fault-proxy.js';
import { ensureStore, freePort, sellMany, startHq, type Hq } from './harness.js';
import { BIN, initTillHome, removeDir } from '../helpers/till.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the till CLI without blocking this process (HQ answers from here). */
function tillAsync(home: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, TILL_HOME: home, TILL_LANG: '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function sellOn(home: string, n: number, from = 0): void {
  const db = openDatabase(dbPath(home));
  try {
    sellMany(db, n, from);
  } finally {
    db.close();
  }
}

let hq: Hq;
let home: string;
beforeAll(async () => {
  hq = await startHq();
  await ensureStore(hq.store, 'S001');
  home = initTillHome();
});
afterAll(async () => {
  await hq.stop();
  removeDir(hq.home);
  removeDir(home);
});

async function hqCount(): Promise<number> {
  return Number((await hq.store.db.get<{ n: number }>("SELECT count(*) AS n FROM hq_sales WHERE store_code = 'S001' AND till_code = 'T01'"))!.n);
}

describe('till enroll and till sync', () => {
  it('refuses an unknown code with the reason and keeps the till unenrolled', async () => {
    const r = await tillAsync(home, ['enroll', hq.url, '--code', 'NOPE-1234']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/HQ did not enroll this till: .*does not know this enrollment code/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(join(home, 'hq-token'))).toBe(false);
    const s = JSON.parse((await tillAsync(home, ['sync', 'status', '--json'])).stdout);
    expect(s).toMatchObject({ enrolled: false, online: false, pending: 0 });
    const once = await tillAsync(home, ['sync', '--once']);
    expect(once.code).toBe(1);
    expect(once.stderr).toMatch(/not enrolled with HQ; run `till enroll/);
  });

  it('enrolls with a one-time code: token readable by its user only, HQ online in the status', async () => {
    const { code } = await hq.store.createEnrollCode('S001', 'T01');
    const r = await tillAsync(home, ['enroll', hq.url + '/', '--code', code]);
    expect(r.stderr).toMatch(/Enrolled as S001\/T01/);
    expect(r.code).toBe(0);
    expect(statSync(join(home, 'hq-token')).mode & 0o777).toBe(0o600);
    // The code is spent.
    const again = await tillAsync(home, ['enroll', hq.url, '--code', code]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already used/);
    const s = JSON.parse((await tillAsync(home, ['sync', 'status', '--json'])).stdout);
    expect(s).toMatchObject({ enrolled: true, online: true, hqUrl: hq.url, pending: 0, catalogCursor: 0, lastError: null, hqHwm: 0 });
    for (const k of ['pending', 'oldestPendingAt', 'lastSyncAt', 'lastError', 'catalogCursor', 'online']) expect(s).toHaveProperty(k);
  });

  it('sync --once sends pending sales and pulls the catalog; status shows the result', async () => {
    sellOn(home, 25);
    let s = JSON.parse((await tillAsync(home, ['sync', 'status', '--json'])).stdout);
    expect(s.pending).toBe(25);
    expect(s.oldestPendingAt).toMatch(/^\d{4}-/);
    await hq.store.catalog.add({ name: '可口可乐500ml', priceFen: 350, barcodes: ['6901234567892'] });
    const r = await tillAsync(home, ['sync', '--once']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/Uploaded 25 event\(s\); 0 pending\. Catalog: 1 updated/);
    expect(await hqCount()).toBe(25);
    const p = JSON.parse((await tillAsync(home, ['products', 'show', '6901234567892', '--json'])).stdout);
    expect(p).toMatchObject({ name: '可口可乐500ml', priceFen: 350 });
    s = JSON.parse((await tillAsync(home, ['sync', 'status', '--json'])).stdout);
    expect(s).toMatchObject({ pending: 0, oldestPendingAt: null, online: true, hqHwm: 25, lastError: null });
    expect(Date.now() - Date.parse(s.lastSyncAt)).toBeLessThan(60_000);
    expect(s.catalogCursor).toBeGreaterThan(0);
    const human = await tillAsync(home, ['sync', 'status']);
    expect(human.stdout).toMatch(/online \(HQ has this till's sales through seq 25\)/);
  });

  it('follows `till config set hq.url` to a new address', async () => {
    const proxy = await new FaultProxy({ target: hq.url, rate: 0 }).start();
    try {
      expect((await tillAsync(home, ['config', 'set', 'hq.url', proxy.url])).code).toBe(0);
      sellOn(home, 5, 25);
      const r = await tillAsync(home, ['sync', '--once', '--json']);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ uploaded: 5, pending: 0 });
      expect(proxy.requests).toBeGreaterThan(0);
      expect(await hqCount()).toBe(30);
    } finally {
      await proxy.stop();
      await tillAsync(home, ['config', 'set', 'hq.url', hq.url]);
    }
  });

  it('two `till sync --once` started together send every sale once (one uploader at a time)', async () => {
    sellOn(home, 400, 30);
    const before = await hqCount();
    const [a, b] = await Promise.all([tillAsync(home, ['sync', '--once', '--json']), tillAsync(home, ['sync', '--once', '--json'])]);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(await hqCount()).toBe(before + 400);
    const dup = await hq.store.db.get<{ n: number }>("SELECT count(*) - count(DISTINCT sale_id) AS n FROM hq_sales WHERE till_code = 'T01'");
    expect(Number(dup!.n)).toBe(0);
    expect(JSON.parse(a.stdout).pending + JSON.parse(b.stdout).pending).toBe(0);
  });

  it('with HQ unreachable, sync --once gives up after --timeout, keeps the sales queued and records the error', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    await tillAsync(home, ['config', 'set', 'hq.url', dead]);
    sellOn(home, 3, 430);
    const started = Date.now();
    const r = await tillAsync(home, ['sync', '--once', '--timeout', '2'], { TILL_SYNC_BACKOFF_MS: '100' });
    expect(r.code).toBe(1);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(r.stderr).toMatch(/Could not finish syncing: cannot reach HQ at .*ECONNREFUSED.*3 sale\(s\) stay queued/);
    const s = JSON.parse((await tillAsync(home, ['sync', 'status', '--json'])).stdout);
    expect(s).toMatchObject({ online: false, pending: 3, lastError: { code: 'E_HQ_UNREACHABLE' } });
    expect(s.offlineReason).toMatch(/ECONNREFUSED/);
    await tillAsync(home, ['config', 'set', 'hq.url', hq.url]);
  });

  it('sync --watch uploads sales as they are made and stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, 'sync', '--watch'], { env: { ...process.env, TILL_HOME: home, TILL_SYNC_POLL_MS: '50' } });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      const until = async (n: number) => {
        const t = Date.now();
        while ((await hqCount()) < n) {
          if (Date.now() - t > 15_000) throw new Error(`HQ has ${await hqCount()} sales, expected ${n}; watch said: ${stderr}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      };
      await until(433); // the 3 queued while HQ was unreachable
      sellOn(home, 4, 433);
      await until(437);
      // HQ commits before it answers: wait for the till to have heard the answer.
      for (let t = Date.now(); !/through seq 437/.test(stderr) && Date.now() - t < 10_000; ) await new Promise((r) => setTimeout(r, 20));
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    // The 3 queued sales and the 4 new ones, in however many batches they happened to go.
    const uploaded = [...stderr.matchAll(/uploaded (\d+) sale\(s\)/g)].reduce((n, m) => n + Number(m[1]), 0);
    expect(uploaded).toBe(7);
    expect(stderr).toMatch(/Stopped; 0 sale\(s\) pending/);
  });
});
