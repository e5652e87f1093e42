// A store's day end to end, on the built binary in tmux (zh-CN), against a real `till hq serve`
// and a fake network receipt printer (issue 12, "Proof"): a new cashier is added, signs in and
// counts the float, sells by scanner bursts, takes a line back with a supervisor, pays cash out,
// closes blind with a shortage; the Z is printed; after a sync HQ's net for the day is the Z's.
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { demoBarcode } from '../../src/demo/catalog.js';
import { formatFen } from '../../src/core/money.js';
import { removeDir, tempDir, till, type CliResult } from '../helpers/till.js';
import { startFakePrinter, type FakePrinter } from '../print/fake-printer.js';
import { freePort, spawnHq } from '../sync/harness.js';
import { TmuxCheckout, requireTmux, stopTmux, tmux } from './tmux.js';

const [A, B, C] = [demoBarcode(0), demoBarcode(1), demoBarcode(2)];

let home = '';
let hqHome = '';
let hq: ChildProcess | undefined;
let printer: FakePrinter | undefined;
let t: TmuxCheckout | undefined;

const ok = (r: CliResult) => {
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
};

beforeAll(async () => {
  requireTmux();
  home = tempDir('till-day-');
  hqHome = tempDir('till-day-hq-');
  const [port, fake] = await Promise.all([freePort(), startFakePrinter()]);
  printer = fake;
  const started = await spawnHq(hqHome, port);
  hq = started.child;
  ok(till(hqHome, ['hq', 'stores', 'add', 'DEMO', '--name', '演示店']));
  const code = ok(till(hqHome, ['hq', 'enroll-code', '--store', 'DEMO', '--till', 'T01'])).trim();
  ok(till(home, ['demo', '--products', '50']));
  ok(till(home, ['enroll', started.url, '--code', code]));
  ok(till(home, ['users', 'add', '1002', '--name', '王新', '--role', 'cashier', '--pin-stdin'], { input: '2468\n' }));
  ok(till(home, ['config', 'set', 'shift.blindClose', 'true']));
  ok(till(home, ['config', 'set', 'printer.uri', printer.uri]));
}, 60_000);

afterAll(async () => {
  t?.kill();
  stopTmux();
  hq?.kill('SIGTERM');
  await printer?.close();
  removeDir(home);
  removeDir(hqHome);
});

/** A scanner burst: several codes, each with its carriage return, in one write. */
function burst(t: TmuxCheckout, codes: string[]): void {
  tmux('send-keys', '-t', t.session, '-l', codes.map((c) => `${c}\r`).join(''));
}

/** Sells what is on screen, paid exactly in cash (F10, F6); returns the receipt number shown. */
async function payExact(t: TmuxCheckout): Promise<string> {
  t.key('F10');
  await t.waitFor('收款');
  t.key('F6');
  const screen = await t.waitFor(/交易 DEMO-T01-\d{8}-\d{4} 完成/);
  return /交易 (DEMO-T01-\d{8}-\d{4}) 完成/.exec(screen)![1];
}

describe('a day at the till, in a terminal, to HQ', () => {
  test('a new cashier sells, returns a line, pays out, closes blind short; the printed Z equals HQ\'s net to the fen', async () => {
    t = new TmuxCheckout(home, 'zh-CN', 100, 30);
    await t.waitFor('收银员登录');
    t.type('1002');
    t.key('Enter');
    t.type('2468');
    t.key('Enter');
    await t.waitFor('清点钱箱里的备用金');
    t.type('200');
    t.key('Enter');
    await t.waitFor('已开班，备用金 ¥200.00');

    burst(t, [A, B]);
    await t.waitFor('件数 2');
    const first = await payExact(t);
    burst(t, [C, A, A]);
    await t.waitFor('件数 3');
    await payExact(t);
    burst(t, [B]);
    await t.waitFor('件数 1');
    await payExact(t);

    // The customer of the first sale brings line 1 back; supervisor 9001 approves.
    t.key('C-r');
    await t.waitFor('扫描小票条码或输入小票号');
    t.scan(first);
    await t.waitFor('退哪几行');
    t.type('1');
    t.key('Enter');
    await t.waitFor(/退款 ¥\d+\.\d\d：现金/);
    t.type('9001');
    t.key('Enter');
    t.type('9999');
    t.key('Enter');
    await t.waitFor(`（原小票 ${first}）：退款`);

    t.key('C-p');
    await t.waitFor('取出：金额');
    t.type('50');
    t.key('Enter');
    await t.waitFor('原因');
    t.type('ice');
    t.key('Enter');
    await t.waitFor('已取出 ¥50.00（ice）');

    // Every sale and the refund were cash: the drawer should hold the float + net − the pay-out.
    const x = JSON.parse(ok(till(home, ['report', 'x', '--json'])));
    expect([x.salesCount, x.returnsCount]).toEqual([3, 1]);
    const expectedFen = 20_000 + x.netFen - 5_000;
    const countedFen = expectedFen - 1_000;

    t.key('C-e');
    await t.waitFor('盲点：清点完成后才显示应有金额');
    expect(t.screen()).not.toContain(formatFen(expectedFen));
    t.key('F2');
    await t.waitFor('现金总额');
    t.type(formatFen(countedFen));
    t.key('Enter');
    await t.waitFor('短款 ¥10.00');
    t.key('Enter');
    await t.waitFor('已交班，已退出登录');
    t.kill();
    const [shift] = JSON.parse(ok(till(home, ['shift', 'list', '--json'])));
    expect([shift.cashierId, shift.countedFen, shift.expectedCashFen, shift.overShortFen]).toEqual(['1002', countedFen, expectedFen, -1_000]);

    // The Z, printed on the network printer.
    const printedBefore = printer!.connections.length;
    const taken = till(home, ['report', 'z', '--by', '9001', '--pin-stdin', '--print', '--json'], { input: '9999\n' });
    const z = JSON.parse(ok(taken));
    expect([z.kind, z.salesCount, z.returnsCount, z.netFen]).toEqual(['Z', 3, 1, x.netFen]);
    // The printer's side of the socket may read the last bytes just after the command exits.
    const printed = () => Buffer.concat(printer!.connections.slice(printedBefore)).toString('latin1');
    for (let i = 0; i < 40 && !printed().includes('NET'); i++) await new Promise((r) => setTimeout(r, 50));
    const slip = printed();
    expect(slip, taken.stderr).toContain('NET');
    expect(slip).toMatch(new RegExp(`NET\\s*\\S*${formatFen(z.netFen).replace('.', '\\.')}`));

    // HQ after a sync: the day's net is the Z's, to the fen, and HQ holds that Z.
    ok(till(home, ['sync', '--once']));
    expect(JSON.parse(ok(till(home, ['sync', 'status', '--json']))).pending).toBe(0);
    const report = JSON.parse(ok(till(hqHome, ['hq', 'sales', 'report', '--json'])));
    expect(report.netFen).toBe(z.netFen);
    expect(report.byDay.map((d: { netFen: number }) => d.netFen)).toEqual([z.netFen]);
    const zs = JSON.parse(ok(till(hqHome, ['hq', 'z', 'list', '--json'])));
    expect(zs.map((r: { netFen: number }) => r.netFen)).toEqual([z.netFen]);
  }, 90_000);
});
