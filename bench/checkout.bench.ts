// Checkout figures, each beside a baseline measured in the same run:
//  1. start to ready: the real binary in a pseudo-terminal vs a bundled Ink hello world;
//  2. 1,000 scans in one burst over a 1,000,000-product catalog: none lost, handling per scan,
//     frame times (React + Ink) vs a bare Ink screen of the same size;
//  3. a 10,000-scan shift over 100,000 products in the real binary: memory and per-scan time.
// CHECKOUT_BENCH_SMALL=1 runs everything at a tenth of the size (for development).
import { LIMITS } from '../src/core/limits.js';
import React from 'react';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { Box, Text, render, useInput } from 'ink';
import { demoBarcode } from '../src/demo/catalog.js';
import { openDatabase, useCheckoutPragmas, type DB } from '../src/db/open.js';
import { openShift } from '../src/db/shifts.js';
import { deferSearchIndex, findProductByBarcode } from '../src/db/products.js';
import { getIdentity, setSetting } from '../src/db/settings.js';
import { createUser } from '../src/db/users.js';
import { CheckoutController } from '../src/ui/checkout-controller.js';
import { runCheckout } from '../src/ui/run.js';
import { FakeKeyboard, FakeScreen } from '../test/helpers/terminal.js';
import { BIN, ROOT, median, percentile, report, reportAbsolute } from './lib.js';

const SMALL = process.env.CHECKOUT_BENCH_SMALL === '1';
const BURST = SMALL ? 200 : 1000;
const BIG_CATALOG = SMALL ? 100_000 : 1_000_000;
const SHIFT_SCANS = SMALL ? 1000 : 10_000;
const SHIFT_CATALOG = SMALL ? 10_000 : 100_000;
const STARTS = SMALL ? 3 : 9;
const MiB = 1024 * 1024;
/** CHECKOUT_BENCH_ONLY=startup|burst|shift runs one part (development). */
const ONLY = process.env.CHECKOUT_BENCH_ONLY;
const part = (name: string) => !ONLY || ONLY === name;

const work = mkdtempSync(join(tmpdir(), 'till-checkout-bench-'));
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const sleep = (n: number) => new Promise((r) => setTimeout(r, n));
const log = (s: string) => process.stdout.write(`(${s})\n`);

// ---- a program in a pseudo-terminal (util-linux `script`), 80×24 -------------------------

interface PtyRun {
  pid: number;
  /** Resolves when the output (since the last call) contains `marker`; returns ms since spawn. */
  waitFor(marker: string, timeoutMs?: number): Promise<number>;
  write(s: string): void;
  /** The program's own pid (script's child), for its memory. */
  childPid(): number | undefined;
  stop(): Promise<void>;
}

function pty(command: string, env: Record<string, string> = {}): PtyRun {
  const t0 = process.hrtime.bigint();
  const p = spawn('script', ['-qfec', `stty cols 80 rows 24; exec ${command}`, '/dev/null'], { stdio: ['pipe', 'pipe', 'ignore'], env: { ...process.env, TILL_LANG: '', ...env } });
  let tail = '';
  let waiter: { marker: string; resolve: (v: number) => void } | null = null;
  p.stdout.setEncoding('utf8');
  p.stdout.on('data', (d: string) => {
    // Keep a window of recent output: markers are looked for in what arrived since the last wait.
    tail = (tail + d).slice(-16384);
    if (waiter && tail.includes(waiter.marker)) {
      const w = waiter;
      waiter = null;
      tail = '';
      w.resolve(ms(t0));
    }
  });
  const exited = new Promise<void>((r) => p.on('exit', () => r()));
  return {
    pid: p.pid!,
    waitFor(marker, timeoutMs = 60_000) {
      if (tail.includes(marker)) {
        tail = '';
        return Promise.resolve(ms(t0));
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`"${marker}" never appeared; last output: ${tail.slice(-400)}`)), timeoutMs);
        waiter = {
          marker,
          resolve: (v) => {
            clearTimeout(timer);
            resolve(v);
          },
        };
      });
    },
    write: (s) => void p.stdin.write(s),
    childPid() {
      try {
        const kids = readFileSync(`/proc/${p.pid}/task/${p.pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
        return kids.find((k) => k > 0);
      } catch {
        return undefined;
      }
    },
    async stop() {
      p.kill('SIGTERM');
      await exited;
    },
  };
}

function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

// ---- the baseline program: Ink hello world, bundled like dist/ -------------------------

async function buildHelloWorld(): Promise<string> {
  const dir = join(work, 'hello');
  const src = join(work, 'hello.mjs');
  writeFileSync(
    src,
    `import React from 'react';
import { render, Text, useInput } from 'ink';
function Hello() {
  useInput(() => {});
  return React.createElement(Text, null, 'hello world ready');
}
render(React.createElement(Hello));
`,
  );
  await build({
    absWorkingDir: ROOT,
    entryPoints: { hello: src },
    outdir: dir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
    nodePaths: [join(ROOT, 'node_modules')],
    external: ['react-devtools-core'],
    banner: { js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);" },
    // As scripts/build.mjs builds dist/: React in production mode.
    define: { 'process.env.DEV': '"false"', 'process.env.NODE_ENV': '"production"' },
  });
  return join(dir, 'hello.js');
}

// ---- catalogs ---------------------------------------------------------------------------

function fillCatalog(db: DB, n: number): void {
  db.transaction(() => {
    // Indexed for search once at the end, as an import does (a trigger per row costs ~1 min).
    const indexAdded = deferSearchIndex(db);
    const p = db.prepare("INSERT INTO products (id, name, pinyin, price_fen, unit, category, barcodes, updated_at) VALUES (?, ?, '', ?, '瓶', '饮料', ?, '2026-01-01')");
    const b = db.prepare('INSERT INTO product_barcodes (barcode, product_id) VALUES (?, ?)');
    for (let i = 1; i <= n; i++) {
      const code = demoBarcode(i);
      p.run(i, `测试商品${i}号 500ml`, 100 + (i % 5000), code);
      b.run(code, i);
    }
    indexAdded();
  })();
}

function tillHome(products: number): string {
  const home = mkdtempSync(join(work, 'till-'));
  const r = spawnSync(process.execPath, [BIN, '--home', home, 'init', '--store', 'B1', '--till', 'T1', '--admin-pin', '1234'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`till init failed: ${r.stderr}`);
  const db = openDatabase(join(home, 'till.db'));
  createUser(db, { id: '1001', name: '张收银', role: 'cashier', pin: '1111' });
  openShift(db, { cashierId: '1001', floatFen: 0 }); // signed in, ready to scan (no float to count)
  fillCatalog(db, products);
  db.close();
  return home;
}

try {
  // ===== 1. start to ready =================================================================
  const hello = await buildHelloWorld();
  if (part('startup')) {
    const home = tillHome(2000);
    const times = { hello: [] as number[], login: [] as number[], signedIn: [] as number[] };
    for (let i = 0; i < STARTS + 1; i++) {
      const h = pty(`${process.execPath} ${hello}`);
      const th = await h.waitFor('hello world ready');
      await h.stop();
      const t = pty(`${process.execPath} ${BIN} --home ${home} checkout`);
      const tl = await t.waitFor('工号 >');
      t.write('1001\r1111\r');
      const ts = await t.waitFor('欢迎');
      await t.stop();
      if (i === 0) continue; // warm the file cache
      times.hello.push(th);
      times.login.push(tl);
      times.signedIn.push(ts);
    }
    const hello50 = median(times.hello);
    report({ name: 'checkout start to ready (sign-in screen drawn, reading keys)', value: median(times.login), unit: 'ms', baseline: hello50, baselineName: 'bundled Ink hello world drawn', budget: 1.2 });
    report({ name: 'checkout start to ready-for-scan incl. a typed sign-in (scrypt PIN check)', value: median(times.signedIn), unit: 'ms', baseline: hello50, baselineName: 'bundled Ink hello world drawn' });
  }

  // ===== 2. a burst of scans over a very large catalog ==================================
  if (part('burst')) {
    const file = join(work, 'big.db');
    const db = openDatabase(file, { create: true });
    setSetting(db, 'store.code', 'B1');
    setSetting(db, 'till.code', 'T1');
    createUser(db, { id: '1001', name: '张收银', role: 'cashier', pin: '1111' });
    openShift(db, { cashierId: '1001', floatFen: 0 }); // selling needs an open shift
    const t0 = process.hrtime.bigint();
    fillCatalog(db, BIG_CATALOG);
    log(`catalog of ${BIG_CATALOG.toLocaleString()} products built in ${(ms(t0) / 1000).toFixed(1)} s`);
    useCheckoutPragmas(db); // as `till checkout` opens it
    // A sale holds at most LIMITS.saleLines lines (what HQ accepts, sync/protocol.ts): the burst
    // scans that many different products, each twice, so the cart is the longest a sale may be.
    const distinct = Math.min(BURST, LIMITS.saleLines);
    const codes = Array.from({ length: BURST }, (_, i) => demoBarcode(1 + (((i % distinct) * 7919 + 13) % BIG_CATALOG)));

    // Time the handling of each scan (lookup + cart reducer + message), inside the real screen.
    const scanTimes: number[] = [];
    const proto = CheckoutController.prototype as unknown as { scan: (code: string, qty: number) => void };
    const originalScan = proto.scan;
    proto.scan = function (this: unknown, code: string, qty: number) {
      const t = process.hrtime.bigint();
      originalScan.call(this, code, qty);
      scanTimes.push(ms(t));
    };

    const stdout = new FakeScreen(80, 24, false);
    const stdin = new FakeKeyboard();
    const renders: number[] = [];
    let controller!: CheckoutController;
    const running = runCheckout({
      db,
      identity: getIdentity(db)!,
      lang: 'zh-CN',
      discountLimitPercent: 10,
      printerUri: 'none',
      hqUrl: '',
      statusEveryMs: 0,
      stdin: stdin as never,
      stdout: stdout as never,
      onRender: (m) => renders.push(m.renderTime),
      onReady: (c) => (controller = c),
    });
    stdin.write('1001\r');
    stdin.write('1111\r');
    await sleep(50);
    if (!controller.view().user) throw new Error('sign-in failed in the benchmark');

    // The burst: one input chunk with every code and its CR.
    renders.length = 0;
    const tb = process.hrtime.bigint();
    stdin.write(codes.join('\r') + '\r');
    const burstSync = ms(tb);
    await sleep(50);
    const view = controller.view();
    const lost = BURST - view.items;
    reportAbsolute({ name: `${BURST} scans in one burst, ${BIG_CATALOG.toLocaleString()}-product catalog: scans lost`, value: lost, unit: 'scans', limit: 0 });

    // Baseline: the bare lookup of the same codes.
    const bare: number[] = [];
    for (const c of codes) {
      const t = process.hrtime.bigint();
      if (!findProductByBarcode(db, c)) throw new Error(`missing ${c}`);
      bare.push(ms(t));
    }
    report({ name: 'handling per scan in the burst (route + lookup + cart), median', value: median(scanTimes), unit: 'ms', baseline: median(bare), baselineName: 'bare findProductByBarcode' });
    reportAbsolute({ name: 'handling per scan in the burst, median', value: median(scanTimes), unit: 'ms', limit: 2 });
    reportAbsolute({ name: 'handling per scan in the burst, p99', value: percentile(scanTimes, 99), unit: 'ms' });
    reportAbsolute({ name: `whole burst of ${BURST} handled and drawn (one frame)`, value: burstSync + (renders[0] ?? 0), unit: 'ms', note: `${(burstSync / BURST).toFixed(3)} ms per scan including the frame` });

    // Frames: single scans onto the long cart, as a scanner at full speed (one per 20 ms).
    const frames: number[] = [];
    for (let i = 0; i < 200; i++) {
      renders.length = 0;
      const t = process.hrtime.bigint();
      stdin.write(codes[i % codes.length] + '\r');
      const sync = ms(t); // scan + React render (Ink's legacy root renders synchronously)
      await sleep(20);
      frames.push(sync + renders.reduce((a, b) => a + b, 0));
    }
    proto.scan = originalScan;
    stdin.write('\x03');
    await running.catch(() => undefined);

    // Baseline: a bare Ink screen of the same size (23 lines of 80 columns) redrawn per key.
    const bareFrames: number[] = [];
    {
      const out = new FakeScreen(80, 24, false);
      const inp = new FakeKeyboard();
      const bareRenders: number[] = [];
      function Bare() {
        const [n, setN] = React.useState(0);
        useInput(() => setN((x) => x + 1));
        return React.createElement(
          Box,
          { flexDirection: 'column', height: 23 },
          Array.from({ length: 23 }, (_, i) => React.createElement(Text, { key: i }, `${String(i + n).padStart(4)} 测试商品${i + n}号 500ml`.padEnd(70, ' ') + '12.50')),
        );
      }
      const inst = render(React.createElement(Bare), { stdout: out as never, stdin: inp as never, exitOnCtrlC: false, patchConsole: false, maxFps: 60, onRender: (m) => bareRenders.push(m.renderTime) });
      await sleep(20);
      for (let i = 0; i < 200; i++) {
        bareRenders.length = 0;
        const t = process.hrtime.bigint();
        inp.write('x');
        const sync = ms(t);
        await sleep(20);
        bareFrames.push(sync + bareRenders.reduce((a, b) => a + b, 0));
      }
      inst.unmount();
    }
    report({ name: `frame per scan with a ${distinct}-line cart of ${BURST} items, the longest a sale may hold (React + Ink), p50`, value: median(frames), unit: 'ms', baseline: median(bareFrames), baselineName: 'bare Ink 80×23 text screen, p50' });
    report({ name: `frame per scan with a ${distinct}-line cart of ${BURST} items (React + Ink), p95`, value: percentile(frames, 95), unit: 'ms', baseline: percentile(bareFrames, 95), baselineName: 'bare Ink 80×23 text screen, p95' });
    reportAbsolute({ name: 'frame per scan, p99', value: percentile(frames, 99), unit: 'ms', limit: 20 });
    reportAbsolute({ name: 'frame per scan, worst of 200', value: Math.max(...frames), unit: 'ms', note: `bare Ink screen worst ${Math.max(...bareFrames).toFixed(1)} ms (GC pauses and the other processes on this machine)` });
    db.close();
  }

  // ===== 3. a shift: 10,000 scans in one process, the real binary ============================
  if (part('shift')) {
    const home = tillHome(SHIFT_CATALOG);
    // Baseline memory: the Ink hello world, idle.
    const h = pty(`${process.execPath} ${hello}`);
    await h.waitFor('hello world ready');
    await sleep(300);
    const helloRss = rssOf(h.childPid()!);
    await h.stop();

    const t = pty(`${process.execPath} ${BIN} --home ${home} checkout`);
    await t.waitFor('工号 >');
    t.write('1001\r1111\r');
    let last = await t.waitFor('欢迎');
    const pid = t.childPid()!;
    const perSale = 10;
    const sales = SHIFT_SCANS / perSale;
    const date = (() => {
      const d = new Date();
      return `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`;
    })();
    const saleMs: number[] = [];
    const rss: number[] = [];
    let warmRss = 0;
    let peak = 0;
    for (let s = 1; s <= sales; s++) {
      // A scanner at full speed: each code arrives on its own, the next as soon as it is read.
      for (let i = 0; i < perSale; i++) t.write(demoBarcode(1 + ((s * 7919 + i * 104729) % SHIFT_CATALOG)) + '\r');
      t.write('\r');
      t.write('\r');
      const done = await t.waitFor(`B1-T1-${date}-${String(s).padStart(4, '0')} 完成`);
      saleMs.push(done - last);
      last = done;
      if (s % 100 === 0 && process.env.CHECKOUT_BENCH_TRACE) log(`sale ${s}: RSS ${(rssOf(pid) / MiB).toFixed(1)} MiB, ${(saleMs.at(-1)! / perSale).toFixed(2)} ms/scan`);
      if (s % 50 === 0) {
        const r = rssOf(pid);
        rss.push(r);
        peak = Math.max(peak, r);
        if (s === 50) warmRss = r;
      }
    }
    const endRss = rssOf(pid);
    peak = Math.max(peak, endRss);
    t.write('\x03');
    await t.stop();
    const perScanEarly = median(saleMs.slice(50, 150)) / perSale;
    const perScanLate = median(saleMs.slice(-100)) / perSale;
    log(`shift: ${sales} sales of ${perSale} scans over ${SHIFT_CATALOG.toLocaleString()} products; RSS after 50 sales ${(warmRss / MiB).toFixed(1)} MiB, at the end ${(endRss / MiB).toFixed(1)} MiB`);
    reportAbsolute({ name: `shift of ${SHIFT_SCANS} scans: memory growth (RSS, end − after 50 sales)`, value: (endRss - warmRss) / MiB, unit: 'MiB', limit: 10 });
    report({ name: `shift of ${SHIFT_SCANS} scans: peak memory (RSS)`, value: peak / MiB, unit: 'MiB', baseline: helloRss / MiB, baselineName: 'bundled Ink hello world, idle' });
    reportAbsolute({ name: `shift of ${SHIFT_SCANS} scans: peak memory (RSS)`, value: peak / MiB, unit: 'MiB', limit: 100 });
    report({ name: 'shift: time per scan at the end (incl. terminal round trip and commit)', value: perScanLate, unit: 'ms', baseline: perScanEarly, baselineName: 'same, at the start of the shift', budget: 1.5 });
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.exit(0);
