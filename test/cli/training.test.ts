// Training mode (练习) at scale: a trainee rings up 1,000 sales on a till that has real sales, an
// open shift and a real HQ. None of it may reach the Z, the drawer's expected cash or HQ.
// Stock does not exist yet (no stock table on the till or at HQ): when it does, this story must
// also show that training sales leave it unchanged.
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, spawnHq } from '../sync/harness.js';
import { removeDir, tempDir, till } from '../helpers/till.js';

let home: string;
let hqHome: string;
let hq: ChildProcess | undefined;

const ok = (r: { code: number | null; stdout: string; stderr: string }) => {
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
};
const json = (args: string[], where = home) => JSON.parse(ok(till(where, [...args, '--json'])));

/** An X report with what may change between two reads of the same period left out. */
function comparableX() {
  const { takenAt: _t, trainingSalesCount, trainingTotalFen, period, ...rest } = json(['report', 'x']);
  const { trainingSeq: _s, ...upTo } = period.upTo;
  return { x: { ...rest, period: { ...period, upTo } }, training: { salesCount: trainingSalesCount as number, totalFen: trainingTotalFen as number } };
}

beforeAll(async () => {
  home = tempDir('till-training-');
  hqHome = tempDir('till-training-hq-');
  const port = await freePort();
  const started = await spawnHq(hqHome, port);
  hq = started.child;
  ok(till(hqHome, ['hq', 'stores', 'add', 'DEMO', '--name', '演示店']));
  const code = ok(till(hqHome, ['hq', 'enroll-code', '--store', 'DEMO', '--till', 'T01'])).trim();
  ok(till(home, ['demo', '--products', '50']));
  ok(till(home, ['enroll', started.url, '--code', code]));
}, 60_000);

afterAll(async () => {
  hq?.kill('SIGTERM');
  removeDir(home);
  removeDir(hqHome);
});

describe('1,000 training sales', () => {
  it('leave the Z, the shift\'s expected cash and HQ as they were; only the training counts move', () => {
    ok(till(home, ['shift', 'open', '--cashier', '1001', '--float', '200']));
    ok(till(home, ['simulate', 'sales', '--count', '30', '--seed', '7']));
    ok(till(home, ['sync', '--once']));
    const hqBefore = json(['hq', 'sales', 'report'], hqHome);
    const before = comparableX();
    const shiftBefore = json(['shift', 'status']);
    expect(before.x.salesCount).toBe(30);
    expect([hqBefore.salesCount, hqBefore.netFen]).toEqual([30, before.x.netFen]);
    expect(shiftBefore.expectedCashFen).toBeGreaterThan(20_000);

    const trained = till(home, ['simulate', 'sales', '--training', '--count', '1000', '--seed', '8']);
    expect(trained.code, trained.stderr).toBe(0);
    expect(trained.stdout + trained.stderr).toMatch(/1000/);

    // X before and after: the same figures, the training counts apart.
    const after = comparableX();
    expect(after.x).toEqual(before.x);
    expect(before.training).toEqual({ salesCount: 0, totalFen: 0 });
    expect(after.training.salesCount).toBe(1000);
    // The drawer still expects what it did: training cash never enters it.
    const shiftAfter = json(['shift', 'status']);
    expect(shiftAfter.expectedCashFen).toBe(shiftBefore.expectedCashFen);
    expect(shiftAfter.salesCount).toBe(shiftBefore.salesCount);

    // HQ: a sync sends nothing, nothing is left pending, the report has not moved.
    ok(till(home, ['sync', '--once']));
    expect(json(['sync', 'status']).pending).toBe(0);
    expect(json(['hq', 'sales', 'report'], hqHome)).toEqual(hqBefore);

    // The Z taken now closes the 30 real sales and their net, nothing of the training.
    const z = JSON.parse(ok(till(home, ['report', 'z', '--by', '9001', '--pin-stdin', '--json'], { input: '9999\n' })));
    expect([z.salesCount, z.netFen, z.grossFen]).toEqual([30, before.x.netFen, before.x.grossFen]);
  }, 120_000);
});
