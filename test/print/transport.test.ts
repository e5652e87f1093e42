// Printing a committed sale to printers that work, and to printers that do not: switched off,
// out of paper, slow, stuck, or dropping the connection mid-receipt. The cashier always gets an
// answer within printer.timeoutMs, and nothing is ever sent twice by itself.
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TillConfig } from '../../src/config.js';
import { openCashDrawer, printSaleReceipt, printTestPage, printerStatus } from '../../src/print/index.js';
import { parsePrinterUri, sendToPrinter } from '../../src/print/transport.js';
import { removeDir, tempDir } from '../helpers/till.js';
import { decodeEscPos, texts, type Op } from './escpos-decoder.js';
import { deadPort, startFakePrinter, type FakePrinter } from './fake-printer.js';
import { CARD_DRAFT, saleFixture } from './fixtures.js';

process.env.TZ = 'Asia/Shanghai';

const TIMEOUT_MS = 1000;
let home: string;
let config: TillConfig;
const printers: FakePrinter[] = [];

beforeAll(async () => {
  home = tempDir('till-print-');
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
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t0 };
}

const opsOf = (p: FakePrinter, i = 0): Op[] => decodeEscPos(p.connections[i]);

describe('a network printer that works', () => {
  it('is asked about paper first, then gets the whole receipt once and confirms it', async () => {
    const p = await fake();
    const r = await printSaleReceipt({ home, sale, identity, config, printer: p.uri });
    expect(r).toEqual({ ok: true });
    expect(p.connections).toHaveLength(1);
    const ops = opsOf(p);
    expect(ops.slice(0, 2)).toEqual([
      { op: 'status-request', n: 2 },
      { op: 'status-request', n: 4 },
    ]);
    expect(ops.slice(2, 5)).toEqual([{ op: 'init' }, { op: 'chinese-on' }, { op: 'drawer', pin: 2, onMs: 50, offMs: 500 }]);
    expect(ops.at(-1)).toEqual({ op: 'status-request', n: 1 });
    expect(texts(ops)).toContain(`单号 ${sale.receiptNo}`);
    expect(ops.filter((o) => o.op === 'cut')).toHaveLength(1);
  });

  it('that does not answer status requests still gets the receipt', async () => {
    const p = await fake({ answersStatus: false });
    const { value: r } = await timed(() => printSaleReceipt({ home, sale, identity, config, printer: p.uri }));
    expect(r).toEqual({ ok: true });
    await sleep(50);
    expect(texts(opsOf(p))).toContain(`单号 ${sale.receiptNo}`);
  });

  it('a card sale does not open the drawer; a reprint says COPY and does not open it either', async () => {
    const p = await fake();
    const card = saleFixture(CARD_DRAFT);
    expect(await printSaleReceipt({ home, sale: card.sale, identity: card.identity, config, printer: p.uri })).toEqual({ ok: true });
    expect(await printSaleReceipt({ home, sale, identity, config, printer: p.uri, copy: true })).toEqual({ ok: true });
    expect(opsOf(p, 0).some((o) => o.op === 'drawer')).toBe(false);
    expect(opsOf(p, 1).some((o) => o.op === 'drawer')).toBe(false);
    expect(texts(opsOf(p, 1))).toContain('重印 / COPY');
  });

  it('paper running low: printed, with a warning for the cashier', async () => {
    const p = await fake({ paper: 'near-end' });
    const r = await printSaleReceipt({ home, sale, identity, config, printer: p.uri });
    expect(r).toEqual({ ok: true, warning: `Printer ${p.uri} is running out of paper; have a new roll ready.` });
    expect(texts(opsOf(p))).toContain(`单号 ${sale.receiptNo}`);
  });

  it('slow but within printer.timeoutMs is still a success', async () => {
    const p = await fake({ answerDelayMs: 150 });
    const r = await printSaleReceipt({ home, sale, identity, config, printer: p.uri });
    expect(r).toEqual({ ok: true });
    expect(p.connections).toHaveLength(1);
  });
});

describe('a network printer that cannot print', () => {
  it('switched off: fails at once, says the sale is saved and how to reprint it', async () => {
    const port = await deadPort();
    const { value: r, ms } = await timed(() => printSaleReceipt({ home, sale, identity, config, printer: `tcp://127.0.0.1:${port}` }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toBe('unreachable');
    expect(r.message).toContain(`tcp://127.0.0.1:${port} is not reachable (connection refused: is the printer switched on?)`);
    expect(r.message).toContain(`till print reprint ${sale.receiptNo}`);
    expect(r.message).toContain('cash drawer did not open');
    expect(ms).toBeLessThan(TIMEOUT_MS);
  });

  it('out of paper: only the status question is sent, and the message says to load paper', async () => {
    const p = await fake({ paper: 'out' });
    const r = await printSaleReceipt({ home, sale, identity, config, printer: p.uri });
    expect(r).toMatchObject({ ok: false, reason: 'paper-out', partial: false });
    if (!r.ok) expect(r.message).toMatch(/out of paper.*reprint it with `till print reprint /);
    await sleep(50);
    expect(opsOf(p)).toEqual([
      { op: 'status-request', n: 2 },
      { op: 'status-request', n: 4 },
    ]);
  });

  it('cover open: nothing printed, and the cashier is told why', async () => {
    const p = await fake({ coverOpen: true });
    const r = await printSaleReceipt({ home, sale, identity, config, printer: p.uri });
    expect(r).toMatchObject({ ok: false, reason: 'cover-open' });
    expect(opsOf(p).filter((o) => o.op === 'line')).toEqual([]);
  });

  it('stuck: gives up at printer.timeoutMs, warns the receipt may still come out, and never sends it again', async () => {
    const p = await fake({ stallAfterStatus: true });
    const { value: r, ms } = await timed(() => printSaleReceipt({ home, sale, identity, config, printer: p.uri }));
    expect(r).toMatchObject({ ok: false, reason: 'timeout', partial: true });
    if (!r.ok) expect(r.message).toContain(`did not answer within ${TIMEOUT_MS} ms`);
    expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(ms).toBeLessThan(TIMEOUT_MS + 500);
    await sleep(600);
    expect(p.connections).toHaveLength(1);
    expect(opsOf(p).filter((o) => o.op === 'cut')).toHaveLength(1);
  });

  it('slower than printer.timeoutMs to answer at all: the receipt goes out unconfirmed, within the time', async () => {
    // A printer that answers status only after the deadline is treated as one that cannot tell.
    const p = await fake({ answerDelayMs: TIMEOUT_MS * 2 });
    const { value: r, ms } = await timed(() => printSaleReceipt({ home, sale, identity, config, printer: p.uri }));
    expect(ms).toBeLessThan(TIMEOUT_MS + 500);
    expect(r).toEqual({ ok: true });
    await sleep(50);
    expect(texts(opsOf(p))).toContain(`单号 ${sale.receiptNo}`);
  });

  it('connection dropped mid-receipt: the cashier hears it may be cut short; no retry', async () => {
    const p = await fake({ dropAfterBytes: 300 });
    const { value: r, ms } = await timed(() => printSaleReceipt({ home, sale, identity, config, printer: p.uri }));
    expect(r).toMatchObject({ ok: false, reason: 'dropped', partial: true });
    if (!r.ok) expect(r.message).toMatch(/dropped mid-receipt.*cut short.*till print reprint/);
    expect(ms).toBeLessThan(TIMEOUT_MS + 500);
    await sleep(300);
    expect(p.connections).toHaveLength(1);
    expect(p.connections[0].length).toBe(300);
  });

  it('a receipt queued behind a stuck one gives up at its own deadline, without a second connection', async () => {
    const p = await fake({ stallAfterStatus: true });
    const { value: rs, ms } = await timed(() =>
      Promise.all([printSaleReceipt({ home, sale, identity, config, printer: p.uri }), printSaleReceipt({ home, sale, identity, config, printer: p.uri, copy: true })]),
    );
    expect(rs[0]).toMatchObject({ ok: false, reason: 'timeout', partial: true });
    expect(rs[1]).toMatchObject({ ok: false, reason: 'timeout', partial: false });
    if (!rs[1].ok) expect(rs[1].message).toContain(`did not take the receipt within ${TIMEOUT_MS} ms (the printer was still busy with the previous receipt)`);
    expect(ms).toBeLessThan(TIMEOUT_MS + 500);
    expect(p.connections).toHaveLength(1);
  });

  it('messages follow the till language (zh-CN by default)', async () => {
    const port = await deadPort();
    const r = await printSaleReceipt({ home, sale, identity, config, printer: `tcp://127.0.0.1:${port}`, lang: 'zh-CN' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/连接不上.*交易已保存.*till print reprint/);
  });
});

describe('file and device printers', () => {
  it('file:<path> appends the raw bytes, relative to the till home', async () => {
    const r1 = await printSaleReceipt({ home, sale, identity, config, printer: 'file:spool/receipts.bin' });
    const r2 = await printSaleReceipt({ home, sale, identity, config, printer: 'file:spool/receipts.bin', copy: true });
    expect([r1, r2]).toEqual([{ ok: true }, { ok: true }]);
    const ops = decodeEscPos(readFileSync(join(home, 'spool', 'receipts.bin')));
    expect(ops.filter((o) => o.op === 'cut')).toHaveLength(2);
    expect(texts(ops).filter((t) => t === '重印 / COPY')).toHaveLength(1);
  });

  it('two receipts printed at the same moment come out one after the other, never mixed', async () => {
    const big = saleFixture({
      ...CARD_DRAFT,
      lines: Array.from({ length: 120 }, (_, i) => ({ ...CARD_DRAFT.lines[0], name: `康师傅红烧牛肉面 第${i + 1}号` })),
      tenders: [{ method: 'card', tenderedFen: 120 * 350, reference: null }],
    });
    const uri = 'file:together.bin';
    const rs = await Promise.all([
      printSaleReceipt({ home, sale: big.sale, identity, config, printer: uri }),
      printSaleReceipt({ home, sale: big.sale, identity, config, printer: uri, copy: true }),
    ]);
    expect(rs).toEqual([{ ok: true }, { ok: true }]);
    const bytes = readFileSync(join(home, 'together.bin'));
    expect(bytes.length).toBeGreaterThan(2 * 4096);
    const t = texts(decodeEscPos(bytes));
    const firstCopy = t.indexOf('重印 / COPY');
    const lastItemOfFirst = t.findIndex((x) => x.startsWith('康师傅红烧牛肉面 第120号'));
    expect(lastItemOfFirst).toBeGreaterThan(-1);
    expect(lastItemOfFirst).toBeLessThan(firstCopy);
  });

  it('a device that is not there fails at once with the path in the message', async () => {
    const { value: r, ms } = await timed(() => printSaleReceipt({ home, sale, identity, config, printer: '/dev/usb/lp-till-test-missing' }));
    expect(r).toMatchObject({ ok: false, reason: 'unreachable' });
    if (!r.ok) expect(r.message).toContain('/dev/usb/lp-till-test-missing does not exist');
    expect(ms).toBeLessThan(TIMEOUT_MS);
  });

  describe('a device that is switched off or stops taking data (a FIFO stands in for /dev/usb/lp0)', () => {
    let dir: string;
    let fifo: string;
    beforeAll(() => {
      dir = tempDir('till-fifo-');
      fifo = join(dir, 'lp0');
      execFileSync('mkfifo', [fifo]);
    });
    afterAll(() => removeDir(dir));

    it('off (nobody reading): fails at once as not ready', async () => {
      const r = await sendToPrinter({ kind: 'device', uri: fifo, path: fifo }, Buffer.from('hello'), Date.now() + TIMEOUT_MS);
      expect(r).toMatchObject({ ok: false, reason: 'unreachable', partial: false });
      if (!r.ok) expect(r.detail).toContain('not ready');
    });

    it('stops taking data: gives up at the deadline, and not one byte is written after it', async () => {
      const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
      const drain = () => {
        let total = 0;
        const buf = Buffer.alloc(65536);
        for (;;) {
          try {
            const n = readSync(reader, buf);
            if (n <= 0) return total;
            total += n;
          } catch (e) {
            if ((e as NodeJS.ErrnoException).code === 'EAGAIN') return total;
            throw e;
          }
        }
      };
      try {
        const data = Buffer.alloc(4 * 1024 * 1024, 0x41);
        const t0 = Date.now();
        const r = await sendToPrinter({ kind: 'device', uri: fifo, path: fifo }, data, t0 + 600);
        const ms = Date.now() - t0;
        expect(r).toMatchObject({ ok: false, reason: 'timeout', partial: true });
        expect(ms).toBeLessThan(600 + 400);
        const before = drain();
        expect(before).toBeGreaterThan(0);
        expect(before).toBeLessThan(data.length);
        await sleep(700);
        expect(drain()).toBe(0); // nothing late
      } finally {
        closeSync(reader);
      }
    });

    it('a reader that keeps up gets everything', async () => {
      const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
      let got = 0;
      const buf = Buffer.alloc(65536);
      const pump = setInterval(() => {
        try {
          for (;;) {
            const n = readSync(reader, buf);
            if (n <= 0) break;
            got += n;
          }
        } catch {
          /* EAGAIN: nothing yet */
        }
      }, 5);
      try {
        const data = Buffer.alloc(256 * 1024, 0x42);
        const r = await sendToPrinter({ kind: 'device', uri: fifo, path: fifo }, data, Date.now() + 3000);
        expect(r).toEqual({ ok: true, bytes: data.length, confirmed: false });
        await sleep(50);
        expect(got).toBe(data.length);
      } finally {
        clearInterval(pump);
        closeSync(reader);
      }
    });
  });
});

describe('preview, none, test page, drawer and status', () => {
  it('preview returns the receipt as text and sends nothing', async () => {
    const r = await printSaleReceipt({ home, sale, identity, config, printer: 'preview', copy: true });
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.preview).toContain(sale.receiptNo);
      expect(r.preview).toContain('重印 / COPY');
    }
  });

  it('none prints nothing and succeeds', async () => {
    expect(await printSaleReceipt({ home, sale, identity, config, printer: 'none' })).toEqual({ ok: true });
  });

  it('the test page and the drawer kick reach a network printer', async () => {
    const p = await fake();
    expect(await printTestPage({ home, config, printer: p.uri, storeName: '测试便利店', paper: 58 })).toEqual({ ok: true });
    expect(await openCashDrawer({ home, config, printer: p.uri })).toEqual({ ok: true });
    expect(texts(opsOf(p, 0))).toContain('打印测试 / TEST');
    expect(opsOf(p, 1).filter((o) => o.op !== 'status-request')).toEqual([{ op: 'init' }, { op: 'drawer', pin: 2, onMs: 50, offMs: 500 }]);
  });

  it('status reports paper running low, paper out, and a printer that is off', async () => {
    const low = await fake({ paper: 'near-end' });
    expect(await printerStatus({ home, config, printer: low.uri })).toMatchObject({ reachable: true, reportsStatus: true, online: true, paper: 'near-end', coverOpen: false });
    const out = await fake({ paper: 'out' });
    expect(await printerStatus({ home, config, printer: out.uri })).toMatchObject({ reachable: true, online: false, paper: 'out', detail: 'out of paper' });
    const silent = await fake({ answersStatus: false });
    const { value: s, ms } = await timed(() => printerStatus({ home, config, printer: silent.uri }));
    expect(s).toMatchObject({ reachable: true, reportsStatus: false });
    expect(ms).toBeLessThan(TIMEOUT_MS + 500);
    const port = await deadPort();
    expect(await printerStatus({ home, config, printer: `tcp://127.0.0.1:${port}` })).toMatchObject({ reachable: false });
  });

  it('printer URIs: a bad one is refused with what is accepted', () => {
    expect(parsePrinterUri('tcp://192.168.1.50')).toMatchObject({ kind: 'tcp', port: 9100 });
    expect(parsePrinterUri('file:r.bin', '/h')).toMatchObject({ kind: 'file', path: '/h/r.bin' });
    expect(() => parsePrinterUri('lpt1')).toThrow(/use tcp:\/\/host:9100/);
    expect(() => parsePrinterUri('tcp://x:70000')).toThrow(/port must be 1 to 65535/);
  });
});
