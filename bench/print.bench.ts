// Printing figures: building a receipt's bytes, the time a cashier waits for a healthy, a
// switched-off and a stuck network printer, and what a stuck USB device (a FIFO stands in for
// /dev/usb/lp0) gets after the caller was told the print failed — ours against the file
// interface of node-thermal-printer that Till does not use for sending.
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { TillConfig } from '../src/config.js';
import { buildSale } from '../src/core/sale.js';
import { encodeReceipt } from '../src/print/escpos.js';
import { printSaleReceipt } from '../src/print/index.js';
import { layoutReceipt, renderText } from '../src/print/layout.js';
import { deadPort, startFakePrinter } from '../test/print/fake-printer.js';
import { median, report, reportAbsolute } from './lib.js';

const small = process.argv.includes('--small') || process.env.TILL_BENCH_SMALL === '1';
const home = mkdtempSync(join(tmpdir(), 'till-bench-print-'));
const sale = buildSale(
  {
    cashierId: '1001',
    cashierName: '张三',
    orderDiscountFen: 100,
    lines: Array.from({ length: 12 }, (_, i) => ({
      productId: i + 1,
      barcode: null,
      name: i % 3 === 0 ? `农夫山泉饮用天然水550ml 特价促销装 第${i}号` : i % 3 === 1 ? `Coca-Cola Zero 330ml #${i}` : `散装苹果${i}`,
      qty: i % 3 === 2 ? 1 : 1 + (i % 4),
      qtyGrams: i % 3 === 2 ? 250 + i * 17 : null,
      unitPriceFen: 150 + i * 37,
    })),
    tenders: [{ method: 'cash', tenderedFen: 100_00 }],
  },
  { id: 'bench', receiptNo: 'S001-T01-20250308-0001', storeCode: 'S001', tillCode: 'T01', seq: 1, createdAt: '2025-03-08T06:05:09.000Z' },
);
const identity = { storeCode: 'S001', tillCode: 'T01', storeName: '测试便利店', storeAddress: '北京市朝阳区建国路88号' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  // ---- building the bytes of a 12-line receipt ----
  const N = small ? 200 : 2000;
  const doc = layoutReceipt({ sale, identity, footer: '谢谢惠顾，欢迎再次光临', paper: 80 });
  const plain = renderText(doc);
  const perOp = (fn: () => unknown) => {
    for (let i = 0; i < 50; i++) fn();
    const xs: number[] = [];
    for (let r = 0; r < 9; r++) {
      const t = process.hrtime.bigint();
      for (let i = 0; i < N / 10; i++) fn();
      xs.push(Number(process.hrtime.bigint() - t) / 1000 / (N / 10));
    }
    return median(xs);
  };
  const build = perOp(() => encodeReceipt(layoutReceipt({ sale, identity, footer: '谢谢惠顾，欢迎再次光临', paper: 80 }), { openDrawer: true }));
  const iconvOnly = perOp(() => iconv.encode(plain, 'gb18030'));
  report({ name: 'layout + ESC/POS bytes of a 12-line receipt', value: build, unit: 'µs', baseline: iconvOnly, baselineName: 'the same text through iconv-lite GB18030 alone' });

  // ---- a healthy network printer: printSaleReceipt (status, receipt, acknowledgement) ----
  const config = new TillConfig(home);
  await config.set('printer.timeoutMs', '1000');
  const printer = await startFakePrinter();
  const bytes = encodeReceipt(doc, { openDrawer: true });
  const rawSend = () =>
    new Promise<number>((resolve, reject) => {
      const t = performance.now();
      const s = net.connect({ host: '127.0.0.1', port: printer.port }, () => s.end(bytes, () => resolve(performance.now() - t)));
      s.on('error', reject);
    });
  const ours: number[] = [];
  const raw: number[] = [];
  const rounds = small ? 10 : 40;
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    const r = await printSaleReceipt({ home, sale, identity, config, printer: printer.uri });
    if (!r.ok) throw new Error(r.message);
    ours.push(performance.now() - t);
    raw.push(await rawSend());
  }
  await printer.close();
  report({ name: 'printSaleReceipt to a healthy printer (paper check + acknowledged)', value: median(ours), unit: 'ms', baseline: median(raw), baselineName: 'bare TCP connect + write + end, no checks' });

  // ---- a printer that does not answer status requests: only the first job waits for one ----
  const quiet = await startFakePrinter({ answersStatus: false });
  const quietTimes: number[] = [];
  for (let i = 0; i < (small ? 4 : 10); i++) {
    const t = performance.now();
    const r = await printSaleReceipt({ home, sale, identity, config, printer: quiet.uri });
    if (!r.ok) throw new Error(r.message);
    quietTimes.push(performance.now() - t);
  }
  await quiet.close();
  report({ name: 'printSaleReceipt, printer without status: later jobs', value: median(quietTimes.slice(1)), unit: 'ms', baseline: quietTimes[0], baselineName: 'the first job, which waits for a status answer' });

  // ---- a printer that is switched off, and one that is stuck ----
  const port = await deadPort();
  const offs: number[] = [];
  const refused: number[] = [];
  for (let i = 0; i < (small ? 5 : 20); i++) {
    let t = performance.now();
    await printSaleReceipt({ home, sale, identity, config, printer: `tcp://127.0.0.1:${port}` });
    offs.push(performance.now() - t);
    t = performance.now();
    await new Promise<void>((resolve) => net.connect({ host: '127.0.0.1', port }).on('error', () => resolve()));
    refused.push(performance.now() - t);
  }
  report({ name: 'printSaleReceipt, printer switched off', value: median(offs), unit: 'ms', baseline: median(refused), baselineName: 'a refused TCP connect' });

  const stuck = await startFakePrinter({ stallAfterStatus: true });
  const stuckTimes: number[] = [];
  for (let i = 0; i < (small ? 2 : 5); i++) {
    const t = performance.now();
    const r = await printSaleReceipt({ home, sale, identity, config, printer: stuck.uri });
    if (r.ok) throw new Error('a stuck printer reported success');
    stuckTimes.push(performance.now() - t);
  }
  await stuck.close();
  report({ name: 'printSaleReceipt, printer stuck mid-job', value: median(stuckTimes), unit: 'ms', baseline: 1000, baselineName: 'printer.timeoutMs', budget: 1.1 });

  // ---- a device that is off, then comes back: what arrives after the caller heard "failed" ----
  const fifoDir = mkdtempSync(join(tmpdir(), 'till-bench-fifo-'));
  try {
    const fifo = join(fifoDir, 'lp0');
    execFileSync('mkfifo', [fifo]);
    const late = async (send: () => Promise<unknown>): Promise<{ failedAfterMs: number; lateBytes: number }> => {
      const t = performance.now();
      let failedAfterMs = NaN;
      await send().then(
        () => undefined,
        () => (failedAfterMs = performance.now() - t),
      );
      if (Number.isNaN(failedAfterMs)) failedAfterMs = performance.now() - t;
      // The printer is switched back on: a reader appears and drains whatever comes.
      const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
      let lateBytes = 0;
      const buf = Buffer.alloc(65536);
      const until = Date.now() + 1500;
      while (Date.now() < until) {
        try {
          const n = readSync(reader, buf);
          if (n > 0) lateBytes += n;
        } catch {
          /* EAGAIN */
        }
        await sleep(10);
      }
      closeSync(reader);
      return { failedAfterMs, lateBytes };
    };
    const ourConfig = { home, sale, identity, config, printer: `file:${fifo}` };
    const mine = await late(async () => {
      const r = await printSaleReceipt(ourConfig);
      if (!r.ok) throw new Error(r.message);
    });
    reportAbsolute({ name: 'Till, device off: told "failed" after', value: mine.failedAfterMs, unit: 'ms', limit: 1100 });
    reportAbsolute({ name: 'Till, device off: bytes printed after that', value: mine.lateBytes, unit: 'bytes', limit: 0 });
    const ntp = (await import('node-thermal-printer')).default;
    const lib = new ntp.ThermalPrinter({ type: ntp.PrinterTypes.EPSON, interface: fifo });
    lib.setBuffer(bytes);
    const theirs = await late(() => lib.execute());
    reportAbsolute({ name: 'node-thermal-printer file interface, device off: told "failed" after', value: theirs.failedAfterMs, unit: 'ms', note: 'its fixed 5 s timeout' });
    reportAbsolute({ name: 'node-thermal-printer file interface, device off: bytes printed after that', value: theirs.lateBytes, unit: 'bytes', note: `of ${bytes.length}: a receipt that comes out late, a duplicate once the cashier has reprinted` });
  } finally {
    rmSync(fifoDir, { recursive: true, force: true });
  }
}

main()
  .catch((e) => {
    process.stderr.write(`${(e as Error).stack ?? e}\n`);
    process.exitCode = 1;
  })
  .finally(() => {
    rmSync(home, { recursive: true, force: true });
    // The library's write queue may still hold a timer; do not wait for it.
    setTimeout(() => process.exit(), 100).unref();
  });
