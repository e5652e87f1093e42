// End to end, on the built binary in tmux (80×24), in Chinese and in English: the checkout
// findings of issue 11 as a cashier meets them — a scan never answers a dialog (1), leaving and
// dropping a sale drops it and journals it (2, 6), large cash change asks first (5), a scan
// during a search is a scan (7), a supervisor unlocks a locked cashier (10).
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { demoBarcode } from '../../src/demo/catalog.js';
import { removeDir, tempDir, till } from '../helpers/till.js';
import { TmuxCheckout, requireTmux, stopTmux } from './tmux.js';

const TEXT = {
  'zh-CN': {
    signIn: '收银员登录',
    welcome: '张收银，欢迎',
    items: (n: number) => `件数 ${n}`,
    voidAsk: '取消整笔交易',
    scanRefused: (code: string) => `扫描的 ${code} 未处理`,
    confirmWithY: '请按 Y 确认',
    voided: '交易已取消',
    quitAsk: '当前交易未完成',
    cashPrompt: '现金：输入金额后回车',
    checkCash: '请核对收款',
    change: '找零',
    search: '搜索“kkkl”',
    locked: '已锁定到',
    unlockAsk: '解锁收银员 1001',
    unlocked: '收银员 1001 已由主管 9001 解锁',
  },
  en: {
    signIn: 'Sign in',
    welcome: 'Welcome, 张收银',
    items: (n: number) => `Items ${n}`,
    voidAsk: 'Cancel this whole sale',
    scanRefused: (code: string) => `Scanned ${code} was not taken`,
    confirmWithY: 'Press Y to confirm',
    voided: 'Sale cancelled',
    quitAsk: 'A sale is in progress',
    cashPrompt: 'Cash',
    checkCash: 'Check the cash',
    change: 'CHANGE',
    search: 'Search “kkkl”',
    locked: 'is locked after 5 wrong PINs',
    unlockAsk: 'Unlock cashier 1001',
    unlocked: 'Cashier 1001 unlocked by 9001',
  },
} as const;

const [A, B, C] = [demoBarcode(0), demoBarcode(1), demoBarcode(2)];

beforeAll(() => requireTmux());
afterAll(() => stopTmux());

for (const lang of ['zh-CN', 'en'] as const) {
  describe(`checkout findings in a terminal (${lang})`, () => {
    const w = TEXT[lang];
    let home = '';
    let t: TmuxCheckout | undefined;
    beforeAll(() => {
      home = tempDir();
      const r = till(home, ['demo', '--products', '50']);
      if (r.code !== 0) throw new Error(`till demo failed: ${r.stderr}`);
    });
    afterEach(() => t?.kill());
    afterAll(() => home && removeDir(home));

    async function open(): Promise<TmuxCheckout> {
      t = new TmuxCheckout(home, lang);
      await t.waitFor(w.signIn);
      await t.signIn(w.welcome);
      return t;
    }

    test('finding 1: F8 then a scan keeps the sale and refuses the scan; Enter does not cancel, Y does', async () => {
      const t = await open();
      t.scan(A);
      t.scan(B);
      await t.waitFor(w.items(2));
      t.key('F8');
      await t.waitFor(w.voidAsk);
      t.scan(C);
      await t.waitFor(w.scanRefused(C));
      t.key('Enter');
      await t.waitFor(w.confirmWithY);
      expect(t.screen()).toContain(w.items(2));
      t.type('y');
      await t.waitFor(w.voided);
      t.key('C-c');
      await t.waitFor('TILL EXITED 0');
    });

    test('finding 2: Ctrl+C, a scan, Enter: still open; Y drops the sale, a restart does not bring it back, the void is journaled', async () => {
      const before = JSON.parse(till(home, ['sales', 'voids', '--json']).stdout || '[]').length;
      const t = await open();
      t.scan(A);
      await t.waitFor(w.items(1));
      await new Promise((r) => setTimeout(r, 500)); // the open cart is saved meanwhile
      t.key('C-c');
      await t.waitFor(w.quitAsk);
      t.scan(B);
      await t.waitFor(w.scanRefused(B));
      t.key('Enter');
      await new Promise((r) => setTimeout(r, 300));
      expect(t.screen()).not.toContain('TILL EXITED');
      t.type('y');
      await t.waitFor('TILL EXITED 0');
      t.kill();
      const again = await open();
      expect(again.screen()).not.toContain(w.items(1));
      const voids = till(home, ['sales', 'voids', '--json']);
      expect(voids.code, voids.stderr).toBe(0);
      const rows = JSON.parse(voids.stdout);
      expect(rows).toHaveLength(before + 1);
      expect(rows.at(-1)).toMatchObject({ kind: 'sale-dropped', cashierId: '1001', lines: [expect.objectContaining({ barcode: A })] });
      const table = till(home, ['sales', 'voids']);
      expect(table.stdout).toContain('sale-dropped');
    });

    test('finding 5: 99999 cash for a small sale asks first; Y completes with the change', async () => {
      const t = await open();
      t.scan(A);
      await t.waitFor(w.items(1));
      t.key('Enter');
      await t.waitFor(w.cashPrompt);
      t.type('99999');
      t.key('Enter');
      await t.waitFor(w.checkCash);
      t.key('Enter');
      await t.waitFor(w.confirmWithY);
      expect(JSON.parse(till(home, ['sales', 'list', '--json']).stdout).filter((s: { payments: Array<{ tenderedFen: number }> }) => s.payments[0]?.tenderedFen === 9999900)).toHaveLength(0);
      t.type('Y');
      await t.waitFor(w.change);
      const sales = JSON.parse(till(home, ['sales', 'list', '--json']).stdout);
      expect(sales.at(-1).payments[0].tenderedFen).toBe(9999900);
    });

    test('finding 10: a locked cashier is unlocked by a supervisor at the sign-in screen (F2)', async () => {
      const t = new TmuxCheckout(home, lang);
      await t.waitFor(w.signIn);
      t.type('1001');
      t.key('Enter');
      for (let i = 0; i < 5; i++) {
        t.type('0000');
        t.key('Enter');
      }
      await t.waitFor(w.locked);
      t.key('F2');
      await t.waitFor(w.unlockAsk);
      t.type('9001');
      t.key('Enter');
      t.type('9999');
      t.key('Enter');
      await t.waitFor(w.unlocked);
      t.type('1111');
      t.key('Enter');
      await t.waitFor(w.welcome);
      t.kill();
    });

    test('finding 7: kkkl, then a scan: the scanned item is added, not searched for', async () => {
      const t = await open();
      t.type('kkkl');
      await t.waitFor(w.search);
      t.scan(B);
      await t.waitFor(w.items(1));
      expect(t.screen()).not.toContain(`kkkl${B}`);
    });
  });
}
