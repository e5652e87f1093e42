// What the checkout's status bar says about the printer (printerState), and the one-line
// failure message on the cashier's screen. "Ready" only after the printer itself answered the
// DLE EOT status requests; nothing listening, no answer and a web server on the port each get
// their own state.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TillConfig } from '../../src/config.js';
import { textWidth } from '../../src/core/text-width.js';
import { printerState, printerStatus, printSaleReceipt, screenMessage } from '../../src/print/index.js';
import { removeDir, tempDir } from '../helpers/till.js';
import { deadPort, startFakePrinter, startHttpServer, type FakePrinter } from './fake-printer.js';
import { saleFixture } from './fixtures.js';
import { stateOf } from '../../src/print/status.js';
import { isStatusByte } from '../../src/print/transport.js';

const TIMEOUT_MS = 1000;
let home: string;
let config: TillConfig;
const printers: FakePrinter[] = [];

beforeAll(async () => {
  home = tempDir('till-print-state-');
  config = new TillConfig(home);
  await config.set('printer.timeoutMs', String(TIMEOUT_MS));
  await config.set('lang', 'en');
});
afterEach(async () => {
  await Promise.all(printers.splice(0).map((p) => p.close()));
});
afterAll(() => removeDir(home));

async function fake(opts: Parameters<typeof startFakePrinter>[0] = {}): Promise<FakePrinter> {
  const p = await startFakePrinter(opts);
  printers.push(p);
  return p;
}

const { sale, identity } = saleFixture(); // pays part in cash: the drawer opens

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t0 };
}

describe('the DLE EOT answers, as the ESC/POS reference defines their bits', () => {
  it('n=1 bit 3 offline; n=2 bit 2 cover, bit 5 paper end stop, bit 6 error; n=4 bits 2-3 near end, 5-6 out', () => {
    expect(stateOf(0x16, 0x12, 0x12)).toMatchObject({ state: 'ready', online: true }); // drawer pin high is no problem
    expect(stateOf(0x12, 0x12, 0x1e)).toMatchObject({ state: 'paper-low', paper: 'near-end' });
    expect(stateOf(0x1a, 0x32, 0x7e)).toMatchObject({ state: 'paper-out', online: false, paper: 'out' });
    expect(stateOf(0x1a, 0x16, 0x12)).toMatchObject({ state: 'cover-open', coverOpen: true });
    expect(stateOf(0x12, 0x52, 0x12)).toMatchObject({ state: 'offline', error: true });
    expect(stateOf(0x1a, 0x12, 0x12)).toMatchObject({ state: 'offline', online: false });
  });

  it('a status byte is 0xx1xx10; an HTTP answer has bytes that are not, though some fit ("R" is 0x52)', () => {
    expect([0x12, 0x16, 0x1a, 0x1e, 0x32, 0x52, 0x72, 0x7e].every(isStatusByte)).toBe(true);
    expect([0x00, 0x10, 0x13, 0x92, 0x02].some(isStatusByte)).toBe(false);
    const http = Buffer.from('HTTP/1.1 400 Bad Request\r\n');
    expect([...http].some(isStatusByte)).toBe(true);
    expect([...http].every(isStatusByte)).toBe(false);
  });
});

describe('the printer state the checkout shows (printerState)', () => {
  it('is ready only after a real status answer, and names each problem the printer reports', async () => {
    const cases: Array<[Parameters<typeof startFakePrinter>[0], string]> = [
      [{}, 'ready'],
      [{ paper: 'near-end' }, 'paper-low'],
      [{ paper: 'out' }, 'paper-out'],
      [{ coverOpen: true }, 'cover-open'],
      [{ offline: true }, 'offline'],
    ];
    for (const [opts, state] of cases) {
      const p = await fake(opts);
      expect(await printerState({ home, config, printer: p.uri }), JSON.stringify(opts)).toBe(state);
    }
  });

  it('nothing listening is unreachable, at once', async () => {
    const port = await deadPort();
    const { value, ms } = await timed(() => printerState({ home, config, printer: `tcp://127.0.0.1:${port}` }));
    expect(value).toBe('unreachable');
    expect(ms).toBeLessThan(TIMEOUT_MS);
  });

  it('a printer that never answers the status requests is unknown, not ready, within printer.timeoutMs', async () => {
    const p = await fake({ answersStatus: false });
    const { value, ms } = await timed(() => printerState({ home, config, printer: p.uri }));
    expect(value).toBe('unknown');
    expect(ms).toBeLessThan(TIMEOUT_MS + 500);
  });

  it('an HTTP server on the port is not a printer (not "online with no paper"), and gets no receipt', async () => {
    const web = await startHttpServer();
    try {
      expect(await printerState({ home, config, printer: web.uri })).toBe('not-a-printer');
      expect(await printerStatus({ home, config, printer: web.uri })).toMatchObject({ state: 'not-a-printer', reportsStatus: false, detail: expect.stringContaining('not an ESC/POS printer') });
      const r = await printSaleReceipt({ home, sale, identity, config, printer: web.uri });
      expect(r).toMatchObject({ ok: false, reason: 'not-a-printer' });
      if (!r.ok) expect(r.message).toContain('is not a receipt printer');
    } finally {
      await web.close();
    }
  });

  it('preview, none and a file print at once: ready; a bad address is unreachable, never a throw', async () => {
    expect(await printerState({ home, config, printer: 'preview' })).toBe('ready');
    expect(await printerState({ home, config, printer: 'none' })).toBe('ready');
    expect(await printerState({ home, config, printer: 'file:receipts.bin' })).toBe('ready');
    expect(await printerState({ home, config, printer: '/dev/no-such-printer' })).toBe('unreachable');
    expect(await printerState({ home, config, printer: 'lpt1' })).toBe('unreachable');
  });
});

describe('the failure message on the cashier screen (screen: true)', () => {
  const reasons = ['unreachable', 'timeout', 'timeoutUnsent', 'dropped', 'paper-out', 'cover-open', 'offline', 'not-a-printer', 'io', 'bug'] as const;

  it('fits 60 columns, says once that the sale is saved and that F12 reprints, and names no command or address', () => {
    for (const lang of ['zh-CN', 'en'] as const) {
      for (const reason of reasons) {
        // A timeout after the receipt went out ("timeout") never adds the drawer: some of it arrived.
        for (const drawer of reason === 'timeout' ? [false] : [false, true]) {
          const m = screenMessage(reason, lang, drawer);
          expect(textWidth(m), m).toBeLessThanOrEqual(60);
          expect(m.match(/F12/g), m).toHaveLength(1);
          expect(m.match(lang === 'en' ? /Sale saved/g : /交易已保存/g), m).toHaveLength(1);
          expect(m).not.toMatch(/till |tcp:|printer\.uri|`/);
        }
      }
    }
  });

  it('a printer that is off: the screen gets the short line, the CLI keeps the full one', async () => {
    const port = await deadPort();
    const r = await printSaleReceipt({ home, sale, identity, config, printer: `tcp://127.0.0.1:${port}`, screen: true });
    expect(r).toMatchObject({ ok: false, reason: 'unreachable', message: 'Printer unreachable, drawer shut. Sale saved; F12 reprints.' });
    const zh = await printSaleReceipt({ home, sale, identity, config, printer: `tcp://127.0.0.1:${port}`, screen: true, lang: 'zh-CN', openDrawer: false });
    expect(zh).toMatchObject({ ok: false, message: '打印机连接不上。交易已保存，按 F12 补打。' });
  });

  it('paper running low still prints, with the warning in PrintResult.warning for the screen', async () => {
    const p = await fake({ paper: 'near-end' });
    const r = await printSaleReceipt({ home, sale, identity, config, printer: p.uri, screen: true });
    expect(r).toEqual({ ok: true, warning: 'Paper running low; have a new roll ready.' });
  });
});
