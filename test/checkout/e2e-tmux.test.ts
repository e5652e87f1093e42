// End to end: the real built binary in a real pseudo-terminal (tmux, 80×24), driven like a
// cashier with a scanner: sign in, three scans (two of them in one burst), cash payment; then
// the stored sale is read back with `till sales list --json`. Needs tmux (CI installs it).
import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { demoBarcode } from '../../src/demo/catalog.js';
import { BIN, removeDir, tempDir, till } from '../helpers/till.js';

const session = `till-e2e-${process.pid}-${Math.floor(Math.random() * 1e6)}`;
let home = '';

function tmux(...args: string[]): string {
  return execFileSync('tmux', args, { encoding: 'utf8' });
}

function screen(): string {
  return tmux('capture-pane', '-p', '-t', session);
}

async function waitFor(text: string | RegExp, timeoutMs = 15_000): Promise<string> {
  const start = Date.now();
  for (;;) {
    const s = screen();
    if (typeof text === 'string' ? s.includes(text) : text.test(s)) return s;
    if (Date.now() - start > timeoutMs) throw new Error(`the terminal never showed ${String(text)}; it shows:\n${s}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(() => {
  const version = spawnSync('tmux', ['-V'], { encoding: 'utf8' });
  if (version.status !== 0) throw new Error('This test drives the checkout in tmux: install tmux (apt-get install -y tmux).');
  home = tempDir();
  const r = till(home, ['demo', '--products', '50']);
  if (r.code !== 0) throw new Error(`till demo failed: ${r.stderr}`);
});

afterAll(() => {
  spawnSync('tmux', ['kill-session', '-t', session]);
  if (home) removeDir(home);
});

describe('checkout in a terminal', () => {
  test('sign in, three scans, cash payment: the sale is stored', async () => {
    const cmd = `env TILL_HOME='${home}' TILL_LANG= '${process.execPath}' '${BIN}' checkout; echo "TILL EXITED $?"; sleep 60`;
    tmux('new-session', '-d', '-s', session, '-x', '80', '-y', '24', cmd);
    await waitFor('收银员登录');
    tmux('send-keys', '-t', session, '-l', '1001');
    tmux('send-keys', '-t', session, 'Enter');
    tmux('send-keys', '-t', session, '-l', '1111');
    tmux('send-keys', '-t', session, 'Enter');
    await waitFor('张收银，欢迎');
    // No shift is open in a new store: the cashier counts the float first.
    await waitFor('尚未开班');
    tmux('send-keys', '-t', session, '-l', '200');
    tmux('send-keys', '-t', session, 'Enter');
    await waitFor('已开班，备用金 ¥200.00');

    const [a, b, c] = [demoBarcode(0), demoBarcode(1), demoBarcode(2)];
    // Two codes as one scanner burst (CR after each), then one more.
    tmux('send-keys', '-t', session, '-l', `${a}\r${b}\r`);
    tmux('send-keys', '-t', session, '-l', `${c}\r`);
    const cart = await waitFor(/件数 3/);
    expect(cart.split('\n').filter((l) => /^\s+[123] \S/.test(l))).toHaveLength(3);

    tmux('send-keys', '-t', session, 'Enter'); // payment
    await waitFor('现金：输入金额后回车');
    tmux('send-keys', '-t', session, '-l', '200');
    tmux('send-keys', '-t', session, 'Enter');
    // ¥156.90 of change is more than the default bound: the till asks, Y confirms (Enter never does).
    await waitFor('请核对收款');
    tmux('send-keys', '-t', session, '-l', 'y');
    const done = await waitFor('完成。找零');
    expect(done).toContain('DEMO-T01-');

    const listed = till(home, ['sales', 'list', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    const sales = JSON.parse(listed.stdout);
    expect(sales).toHaveLength(1);
    const [sale] = sales;
    expect(sale.lines.map((l: { barcode: string }) => l.barcode)).toEqual([a, b, c]);
    expect(sale.payments).toHaveLength(1);
    expect(sale.payments[0]).toMatchObject({ method: 'cash', tenderedFen: 20000, amountFen: sale.totalFen, changeFen: 20000 - sale.totalFen });
    expect(sale.status).toBe('completed');
    expect(done).toContain(`找零 ¥${((20000 - sale.totalFen) / 100).toFixed(2)}`);

    // Leaving with no sale in progress: Ctrl+C ends the program cleanly.
    tmux('send-keys', '-t', session, 'C-c');
    await waitFor('TILL EXITED 0');
  });
});
