// What the till says about sales HQ does not count: `till sync status --json` gains
// `quarantined` (HQ's count for this device, until HQ resolves it) and `conflicts` (sales at
// whose seq HQ holds other content: never marked synced), and the background status the
// checkout's status bar polls says the same. Never "0 pending" and silence.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackgroundSync } from '../../src/sync/background.js';
import { enrolledTill, ensureStore, sellMany, startHq, type Hq, type TestTill } from './harness.js';
import { BIN, removeDir } from '../helpers/till.js';

const FAST = { backoff: { baseMs: 20, capMs: 200 }, requestTimeoutMs: 5000, idlePollMs: 20, random: () => 0.5 };

let hq: Hq;
const tills: TestTill[] = [];
beforeAll(async () => {
  hq = await startHq();
  await ensureStore(hq.store, 'S001');
});
afterAll(async () => {
  for (const t of tills) t.close();
  await hq.stop();
  removeDir(hq.home);
});

async function newTill(code: string): Promise<TestTill> {
  const t = await enrolledTill(hq.store, hq.url, 'S001', code);
  tills.push(t);
  return t;
}

/** The built CLI, run without blocking this process (HQ answers from it). */
function tillAsync(home: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, TILL_HOME: home, TILL_LANG: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const status = async (t: TestTill) => {
  const r = await tillAsync(t.home, ['sync', 'status', '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};

describe('the till shows what HQ does not count', () => {
  it('a sale HQ quarantined is shown as quarantined, not as nothing pending', async () => {
    const t = await newTill('Q1');
    sellMany(t.db, 3);
    // The stored copy of sale 2 is damaged (its total no longer adds up): HQ quarantines it.
    const row = t.db.prepare('SELECT payload FROM outbox WHERE seq = 2').get() as { payload: string };
    t.db.prepare('UPDATE outbox SET payload = ? WHERE seq = 2').run(JSON.stringify({ ...JSON.parse(row.payload), totalFen: 1 }));
    await t.engine(FAST).runOnce({ deadline: Date.now() + 10_000 });
    expect(await status(t)).toMatchObject({ online: true, pending: 0, conflicts: 0, quarantined: 1 });
    const bg = startBackgroundSync({ db: t.db, home: t.home });
    expect(bg.status()).toMatchObject({ pending: 0, conflicts: 0, quarantined: 1 });
    // And per sale: that very sale reads "quarantined at HQ", the others "synced".
    const list = JSON.parse((await tillAsync(t.home, ['sales', 'list', '--json'])).stdout) as Array<{ seq: number; sync: string }>;
    expect(list.map((x) => [x.seq, x.sync])).toEqual([
      [1, 'synced'],
      [2, 'quarantined at HQ'],
      [3, 'synced'],
    ]);
  });

  it('a seq at which HQ holds another sale is a conflict on both sides: shown at the till, quarantined and alerted at HQ', async () => {
    const t = await newTill('C1');
    sellMany(t.db, 2);
    await t.engine(FAST).runOnce({ deadline: Date.now() + 10_000 });
    // Someone else's sale lands at seq 3 of this device's stream (a copy of its token).
    const other = await newTill('C9');
    sellMany(other.db, 3, 50);
    const payload = JSON.parse((other.db.prepare('SELECT payload FROM outbox WHERE seq = 3').get() as { payload: string }).payload);
    const token = (await import('../../src/sync/credentials.js')).readToken(t.home)!;
    const r = await fetch(`${hq.url}/v1/sales/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ sales: [{ seq: 3, hash: 'x', sale: { ...payload, tillCode: 'C1' } }] }),
    });
    expect(r.status).toBe(200);
    sellMany(t.db, 2, 2);
    await t.engine(FAST).runOnce({ deadline: Date.now() + 10_000 });
    const s = await status(t);
    expect(s).toMatchObject({ pending: 0, conflicts: 1 });
    expect(t.db.prepare('SELECT seq FROM outbox WHERE synced_at IS NULL').all()).toEqual([{ seq: 3 }]);
    expect((await hq.store.listQuarantine()).filter((q) => q.tillCode === 'C1').map((q) => [q.seq, q.kind])).toEqual([[3, 'conflict']]);
    expect((await hq.store.listAlerts()).filter((a) => a.tillCode === 'C1').map((a) => [a.kind, a.seq])).toEqual([['conflict', 3]]);
    const human = await tillAsync(t.home, ['sync', 'status']);
    expect(human.stdout).toMatch(/Conflicts\s+1 sale\(s\): HQ holds other content/);
  });
});
