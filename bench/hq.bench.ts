// HQ figures (issue 6), each beside a baseline measured in this run:
//  1. HQ on SQLite (`till hq serve`) ingesting batches of 100 sales, against a bare node:http +
//     better-sqlite3 server inserting the same batches with no validation (budget ≥ 0.5×).
//  2. HQ on PostgreSQL with 1,000 simulated tills uploading at once (target ≥ 5,000 sales/s)
//     and its p95 batch latency, against a bare node:http + pg server on the same batches.
// Everything binds 127.0.0.1; sizes are bounded (HQ_BENCH_SMALL=1 for a quick run,
// HQ_BENCH_ONLY=sqlite|postgres for one half; HQ_BENCH_PG_BATCHES/_SIZE/_POOL shape the
// PostgreSQL load: per till 2 batches of 25 sales by default, 10 connections like `till hq serve`).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { buildSale, type LineDraft } from '../src/core/sale.js';
import { receiptNumber, newSaleId } from '../src/core/ids.js';
import { openHq } from '../src/hq/open.js';
import type { HqStore } from '../src/hq/store.js';
import { contentHash } from '../src/sync/protocol.js';
import { BIN, ROOT, median, percentile, report, reportAbsolute } from './lib.js';

const SMALL = process.env.HQ_BENCH_SMALL === '1';
const PG_URL = process.env.TILL_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
const DEADLINE = Date.now() + 10 * 60_000; // the whole file, whatever happens

const LINES: LineDraft[] = [
  { productId: 1, barcode: '6901234567892', name: '可口可乐 500ml', qty: 2, qtyGrams: null, unitPriceFen: 350 },
  { productId: 2, barcode: '6924743915763', name: '乐事薯片 70g', qty: 1, qtyGrams: null, unitPriceFen: 850, discountFen: 50 },
  { productId: 3, barcode: null, name: '散装苹果', qty: 1, qtyGrams: 1234, unitPriceFen: 1280 },
];

/** Request bodies for one till: `batches` batches of `size` consecutive sales. */
function tillBodies(store: string, till: string, batches: number, size: number): string[] {
  const out: string[] = [];
  let seq = 0;
  for (let b = 0; b < batches; b++) {
    const sales = [];
    for (let i = 0; i < size; i++) {
      seq++;
      const sale = buildSale(
        { cashierId: '1001', cashierName: '张三', lines: LINES.slice(0, 1 + (seq % 3)), tenders: [{ method: 'cash', tenderedFen: 10_000 }] },
        { id: newSaleId(), receiptNo: receiptNumber(store, till, '20260115', seq), storeCode: store, tillCode: till, seq, createdAt: new Date(Date.UTC(2026, 0, 15, 9, 0, seq % 60)).toISOString() },
      );
      sales.push({ seq, hash: contentHash(sale), sale });
    }
    out.push(JSON.stringify({ sales }));
  }
  return out;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });

function postBody(url: URL, path: string, token: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.setTimeout(60_000, () => req.destroy(new Error('batch timed out after 60 s')));
    req.on('error', reject);
    req.end(body);
  });
}

interface Load {
  sales: number;
  seconds: number;
  rate: number;
  p95ms: number;
  /** CPU the server process spent per 1,000 sales (user + system): unlike the rate, it does not
   *  depend on what else the machine is doing. */
  cpuMsPer1000: number;
}

/** User + system CPU of a process so far, in ms (Linux /proc; 0 elsewhere). */
function cpuMs(pid: number | undefined): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

/** The server child started last. */
const server = () => children[children.length - 1]?.pid;

/** Every till uploads its batches one after another; all tills at once. */
async function runLoad(url: string, tills: Array<{ token: string; bodies: string[]; perBatch: number; sent?: number }>, check: boolean): Promise<Load> {
  const u = new URL(url);
  const latencies: number[] = [];
  let sales = 0;
  const pid = server();
  const cpu0 = cpuMs(pid);
  const t0 = process.hrtime.bigint();
  await Promise.all(
    tills.map(async (t) => {
      for (const [i, body] of t.bodies.entries()) {
        if (Date.now() > DEADLINE) throw new Error('HQ bench ran past its time limit');
        const s = process.hrtime.bigint();
        const r = await postBody(u, '/v1/sales/batch', t.token, body);
        latencies.push(Number(process.hrtime.bigint() - s) / 1e6);
        if (r.status !== 200) throw new Error(`upload failed: ${r.status} ${r.text.slice(0, 200)}`);
        const expected = ((t.sent ?? 0) + i + 1) * t.perBatch;
        if (check && JSON.parse(r.text).ackedThrough !== expected) throw new Error(`HQ acknowledged ${r.text}, expected ${expected}`);
        sales += t.perBatch;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { sales, seconds, rate: sales / seconds, p95ms: percentile(latencies, 95), cpuMsPer1000: ((cpuMs(pid) - cpu0) * 1000) / sales };
}

// ---- servers ----------------------------------------------------------------------------------

const children: ChildProcess[] = [];

function waitForUrl(child: ChildProcess, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (c: Buffer) => {
      out += c.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${what} exited with ${code}: ${out}`)));
    setTimeout(() => reject(new Error(`${what} did not start: ${out}`)), 30_000).unref();
  });
}

function startHq(home: string, db?: string, pool?: number): Promise<string> {
  // HQ_BENCH_PROF=<dir>: a CPU profile of each HQ process, for finding where the time goes.
  const prof = process.env.HQ_BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.HQ_BENCH_PROF}`] : [];
  const args = [...prof, BIN, 'hq', 'serve', '--host', '127.0.0.1', '--port', '0', ...(db ? ['--db', db] : []), ...(pool ? ['--pool', String(pool)] : [])];
  const child = spawn(process.execPath, args, { env: { ...process.env, TILL_HOME: home }, stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  return waitForUrl(child, 'till hq serve');
}

// The baselines: the least a server can do with the same batches — parse, insert, answer.
const BARE_SQLITE = `
import http from 'node:http';
import Database from 'better-sqlite3';
const db = new Database(process.env.BARE_DB);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec('CREATE TABLE IF NOT EXISTS sales (sale_id TEXT PRIMARY KEY, till TEXT NOT NULL, seq INTEGER NOT NULL, payload TEXT NOT NULL)');
const ins = db.prepare('INSERT INTO sales (sale_id, till, seq, payload) VALUES (?, ?, ?, ?)');
const batch = db.transaction((sales) => { for (const s of sales) ins.run(s.sale.id, s.sale.tillCode, s.seq, JSON.stringify(s.sale)); });
http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const { sales } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    batch(sales);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ ackedThrough: sales[sales.length - 1].seq }));
  });
}).listen(0, '127.0.0.1', function () { console.log('bare on http://127.0.0.1:' + this.address().port); });
`;

const BARE_PG = `
import http from 'node:http';
import pg from 'pg';
const pool = new pg.Pool({ connectionString: process.env.BARE_DB, max: Number(process.env.BARE_POOL) });
await pool.query('CREATE TABLE IF NOT EXISTS bare_sales (sale_id TEXT PRIMARY KEY, till TEXT NOT NULL, seq BIGINT NOT NULL, payload TEXT NOT NULL)');
http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    const { sales } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const params = [];
    const rows = sales.map((s, i) => { params.push(s.sale.id, s.sale.tillCode, s.seq, JSON.stringify(s.sale)); return '($' + (4 * i + 1) + ', $' + (4 * i + 2) + ', $' + (4 * i + 3) + ', $' + (4 * i + 4) + ')'; });
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      await c.query('INSERT INTO bare_sales (sale_id, till, seq, payload) VALUES ' + rows.join(', '), params);
      await c.query('COMMIT');
    } finally { c.release(); }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ ackedThrough: sales[sales.length - 1].seq }));
  });
}).listen(0, '127.0.0.1', function () { console.log('bare on http://127.0.0.1:' + this.address().port); });
`;

function startBare(code: string, env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return waitForUrl(child, 'bare server');
}

async function stopAll(): Promise<void> {
  await Promise.all(
    children.splice(0).map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          c.once('exit', () => resolve());
          c.kill('SIGTERM');
        }),
    ),
  );
}

async function enrollTills(hq: HqStore, store: string, codes: string[]): Promise<Map<string, string>> {
  const tokens = new Map<string, string>();
  for (let i = 0; i < codes.length; i += 25) {
    await Promise.all(
      codes.slice(i, i + 25).map(async (till) => {
        const { code } = await hq.createEnrollCode(store, till);
        tokens.set(till, (await hq.enroll(code)).token);
      }),
    );
  }
  return tokens;
}

// ---- 1. SQLite: HQ vs bare ----------------------------------------------------------------------

const WARM_UP = 5; // batches per till

async function sqliteRound(kind: 'hq' | 'bare', tills: string[], bodies: Map<string, string[]>, perBatch: number): Promise<Load> {
  const home = mkdtempSync(join(tmpdir(), 'till-hq-bench-'));
  try {
    let url: string;
    let tokens = new Map<string, string>();
    if (kind === 'hq') {
      const hq = await openHq({ home });
      await hq.addStore('B1', '基准店');
      tokens = await enrollTills(hq, 'B1', tills);
      await hq.close();
      url = await startHq(home);
    } else {
      url = await startBare(BARE_SQLITE, { BARE_DB: join(home, 'bare.db') });
    }
    // A server runs for days: the first batches (JIT warm-up) are sent but not timed.
    const warm = await runLoad(url, tills.map((t) => ({ token: tokens.get(t) ?? 'bare', bodies: bodies.get(t)!.slice(0, WARM_UP), perBatch })), kind === 'hq');
    const load = await runLoad(url, tills.map((t) => ({ token: tokens.get(t) ?? 'bare', bodies: bodies.get(t)!.slice(WARM_UP), perBatch, sent: WARM_UP })), kind === 'hq');
    await stopAll();
    if (kind === 'hq') {
      const hq = await openHq({ home });
      const n = (await hq.salesReport()).salesCount;
      await hq.close();
      if (n !== warm.sales + load.sales) throw new Error(`HQ holds ${n} sales after the run, expected ${warm.sales + load.sales}`);
    }
    return load;
  } finally {
    await stopAll();
    rmSync(home, { recursive: true, force: true });
  }
}

async function sqliteBench(): Promise<void> {
  const TILLS = 4;
  const BATCHES = WARM_UP + (SMALL ? 8 : 40);
  const SIZE = 100;
  const tills = Array.from({ length: TILLS }, (_, i) => `T${i + 1}`);
  const bodies = new Map(tills.map((t) => [t, tillBodies('B1', t, BATCHES, SIZE)]));
  const ours: Load[] = [];
  const bare: Load[] = [];
  for (let round = 0; round < 5; round++) {
    bare.push(await sqliteRound('bare', tills, bodies, SIZE));
    ours.push(await sqliteRound('hq', tills, bodies, SIZE));
  }
  const rate = median(ours.map((l) => l.rate));
  const bareRate = median(bare.map((l) => l.rate));
  process.stdout.write(`(SQLite: ${TILLS} tills × ${BATCHES - WARM_UP} timed batches × ${SIZE} sales per run after ${WARM_UP} warm-up batches, 5 interleaved runs each, medians)\n`);
  report({ name: 'HQ on SQLite ingest rate', value: rate, unit: 'sales/s', baseline: bareRate, baselineName: 'bare node:http + better-sqlite3, no validation', budget: 0.5, higherIsBetter: true });
  report({ name: 'HQ on SQLite server CPU per 1,000 sales', value: median(ours.map((l) => l.cpuMsPer1000)), unit: 'ms', baseline: median(bare.map((l) => l.cpuMsPer1000)), baselineName: 'bare server' });
  report({ name: 'HQ on SQLite p95 batch latency', value: median(ours.map((l) => l.p95ms)), unit: 'ms', baseline: median(bare.map((l) => l.p95ms)), baselineName: 'bare server' });
}

// ---- 2. PostgreSQL: 1,000 tills at once ---------------------------------------------------------

async function postgresBench(): Promise<void> {
  const TILLS = SMALL ? 100 : 1000;
  // A reconnecting chain: every till has a few dozen sales queued and sends them in batches.
  const BATCHES = Number(process.env.HQ_BENCH_PG_BATCHES ?? 2);
  const SIZE = Number(process.env.HQ_BENCH_PG_SIZE ?? 25);
  const schema = `hq_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const db = `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const home = mkdtempSync(join(tmpdir(), 'till-hq-bench-'));
  try {
    const tills = Array.from({ length: TILLS }, (_, i) => `P${String(i + 1).padStart(4, '0')}`);
    // 40 more tills warm each server up (JIT, pool, statements) before the timed run.
    const warmTills = Array.from({ length: 40 }, (_, i) => `W${String(i + 1).padStart(3, '0')}`);
    const t0 = Date.now();
    const hq = await openHq({ home, db });
    await hq.addStore('B1', '基准店');
    const tokens = await enrollTills(hq, 'B1', [...tills, ...warmTills]);
    const bodies = new Map([...tills, ...warmTills].map((t) => [t, tillBodies('B1', t, BATCHES, SIZE)]));
    const load = (list: string[], bare: boolean) => list.map((t) => ({ token: bare ? 'bare' : tokens.get(t)!, bodies: bodies.get(t)!, perBatch: SIZE }));
    process.stdout.write(`(PostgreSQL: ${TILLS} tills enrolled and ${TILLS * BATCHES * SIZE} sales prepared in ${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);

    const pool = Number(process.env.HQ_BENCH_PG_POOL ?? 10);
    const bareUrl = await startBare(BARE_PG, { BARE_DB: db, BARE_POOL: String(pool) });
    await runLoad(bareUrl, load(warmTills, true), false);
    const bare = await runLoad(bareUrl, load(tills, true), false);
    await stopAll();

    const url = await startHq(home, db, pool);
    const warm = await runLoad(url, load(warmTills, false), true);
    const ours = await runLoad(url, load(tills, false), true);
    await stopAll();
    const held = await hq.salesReport();
    await hq.close();
    if (held.salesCount !== warm.sales + ours.sales) throw new Error(`HQ holds ${held.salesCount} sales after the run, expected ${warm.sales + ours.sales}`);

    process.stdout.write(`(${TILLS} tills × ${BATCHES} batches × ${SIZE} sales, all tills at once, one HQ instance with ${pool} connections)\n`);
    report({ name: `HQ on PostgreSQL ingest, ${TILLS} concurrent tills`, value: ours.rate, unit: 'sales/s', baseline: bare.rate, baselineName: 'bare node:http + pg, no validation, same batches', higherIsBetter: true });
    report({ name: 'HQ on PostgreSQL server CPU per 1,000 sales', value: ours.cpuMsPer1000, unit: 'ms', baseline: bare.cpuMsPer1000, baselineName: 'bare server' });
    report({ name: `HQ on PostgreSQL p95 batch latency, ${TILLS} concurrent tills`, value: ours.p95ms, unit: 'ms', baseline: bare.p95ms, baselineName: 'bare server' });
    reportAbsolute({ name: 'HQ on PostgreSQL time per 1,000 sales', value: 1000 / ours.rate, unit: 's', limit: 0.2, note: `${ours.rate.toFixed(0)} sales/s; the target ≥ 5,000 sales/s is this ≤ 0.2 s` });
  } finally {
    await stopAll();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await admin.end();
    rmSync(home, { recursive: true, force: true });
  }
}

try {
  const only = process.env.HQ_BENCH_ONLY;
  if (!only || only === 'sqlite') await sqliteBench();
  if (!only || only === 'postgres') await postgresBench();
} finally {
  await stopAll();
  agent.destroy();
}
