// `till products import` of 1,000,000 generated products (valid EAN-13 codes, Chinese names,
// full validation and pinyin initials) against the sqlite3 shell's `.import` of the same file
// into a plain table, measured alternately in this run; peak memory of the import process; and
// what the budget is up against, without reading the file at all: the shell's own work done
// from Node, the till's products table alone, and the till's full writes (products and the
// barcode index a scan needs).
// IMPORT_BENCH_ROWS=50000 npm run bench -- import   runs it small while developing.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatFen } from '../src/core/money.js';
import { openDatabase } from '../src/db/open.js';
import { demoCatalog } from '../src/demo/catalog.js';
import { BIN, median, report, reportAbsolute } from './lib.js';

const N = Number(process.env.IMPORT_BENCH_ROWS ?? 1_000_000);
const ROUNDS = Number(process.env.IMPORT_BENCH_ROUNDS ?? 2);
const dir = mkdtempSync(join(tmpdir(), 'till-import-bench-'));

async function writeCatalog(file: string): Promise<void> {
  const out = createWriteStream(file);
  let buf = 'barcode,name,price,unit,category\n';
  for (const p of demoCatalog(N, { weighed: false })) {
    buf += `${p.barcode},${p.name},${formatFen(p.priceFen)},${p.unit},${p.category}\n`;
    if (buf.length > 1 << 16) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'close');
}

/** Wall time (ms) and peak resident memory (MiB, VmHWM) of one child process. */
async function measure(cmd: string, args: string[], env: Record<string, string> = {}): Promise<{ ms: number; peakMiB: number; stdout: string }> {
  const t = process.hrtime.bigint();
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  let peakKiB = 0;
  const poll = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peakKiB = Math.max(peakKiB, Number(m[1]));
    } catch {
      // exited between polls
    }
  }, 20);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearInterval(poll);
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${code}: ${stderr.slice(0, 500)}`);
  return { ms, peakMiB: peakKiB / 1024, stdout };
}

/**
 * What SQLite alone costs for the import's writes, with no parsing, validation or pinyin: the
 * file's rows, already split, inserted into products and product_barcodes of a real till
 * database the way upsertProducts does (multi-row INSERTs, barcodes copied in SQL, a commit
 * per 50,000 rows). The import cannot beat this. `withCodes: false` writes the products table
 * alone, without the barcode index a till needs to scan: the least any import could write.
 */
function sqliteFloor(file: string, dbFile: string, withCodes = true): number {
  const rows = readFileSync(file, 'utf8').split('\n').slice(1, N + 1).map((l) => l.split(','));
  const db = openDatabase(dbFile, { create: true });
  db.pragma('mmap_size = 0');
  db.pragma('wal_autocheckpoint = 10000');
  const K = 50;
  const one = '(?, ?, ?, ?, ?, ?, 0, NULL, ?, 1, ?)';
  const many = db.prepare(`INSERT INTO products (id, name, pinyin, price_fen, unit, category, weighed, plu, barcodes, active, updated_at) VALUES ${Array(K).fill(one).join(', ')}`);
  const single = db.prepare(`INSERT INTO products (id, name, pinyin, price_fen, unit, category, weighed, plu, barcodes, active, updated_at) VALUES ${one}`);
  const codes = db.prepare(`INSERT INTO product_barcodes (barcode, product_id) SELECT barcodes, id FROM products WHERE id BETWEEN ? AND ?`);
  const now = new Date().toISOString();
  const t = process.hrtime.bigint();
  for (let off = 0; off < rows.length; off += 50_000) {
    db.exec('BEGIN IMMEDIATE');
    const end = Math.min(rows.length, off + 50_000);
    for (let b = off; b < end; b += 1000) {
      const params: unknown[] = [];
      const last = Math.min(end, b + 1000);
      for (let i = b; i < last; i++) {
        const r = rows[i];
        params.push(i + 1, r[1], 'kkkl', 850, r[3], r[4], r[0], now);
        if (params.length === 8 * K) {
          many.run(params);
          params.length = 0;
        }
      }
      for (let i = 0; i < params.length; i += 8) single.run(params.slice(i, i + 8));
      if (withCodes) codes.run(b + 1, last);
    }
    db.exec('COMMIT');
  }
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  db.close();
  return ms;
}

/**
 * The shell's own work done from Node: the file's rows, already split, inserted as the same five
 * text columns into a plain table through better-sqlite3, one transaction. What Node and the
 * binding add before the till does anything of its own.
 */
function bareInsert(file: string, dbFile: string): number {
  const rows = readFileSync(file, 'utf8').split('\n').slice(1, N + 1).map((l) => l.split(','));
  const db = openDatabase(dbFile, { create: true });
  db.exec('CREATE TABLE plain (barcode, name, price, unit, category)');
  const insert = db.prepare('INSERT INTO plain VALUES (?, ?, ?, ?, ?)');
  const t = process.hrtime.bigint();
  db.transaction(() => {
    for (const r of rows) insert.run(r[0], r[1], r[2], r[3], r[4]);
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  db.close();
  return ms;
}

try {
  if (spawnSync('sqlite3', ['-version']).error) {
    process.stdout.write('import: the sqlite3 shell is not installed (apt-get install -y sqlite3), so the baseline cannot be measured\n');
    process.exit(1);
  }
  const file = join(dir, 'catalog.csv');
  const t0 = Date.now();
  await writeCatalog(file);
  process.stdout.write(`(${N.toLocaleString('en-US')}-product CSV written in ${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);

  const baseline: number[] = [];
  const ours: number[] = [];
  const again: number[] = [];
  const exported: number[] = [];
  const dumped: number[] = [];
  let peak = 0;
  let exportPeak = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const plain = join(dir, `plain-${round}.db`);
    baseline.push((await measure('sqlite3', [plain, '-cmd', '.mode csv', `.import ${file} products`])).ms);
    rmSync(plain, { force: true });

    const home = join(dir, `till-${round}`);
    spawnSync(process.execPath, [BIN, 'init', '--store', 'B1', '--till', 'T1', '--admin-pin', '1234'], { env: { ...process.env, TILL_HOME: home } });
    const first = await measure(process.execPath, [BIN, 'products', 'import', file, '--json'], { TILL_HOME: home });
    const s = JSON.parse(first.stdout);
    if (s.added !== N || s.rejected !== 0) throw new Error(`import added ${s.added} and rejected ${s.rejected} of ${N}`);
    ours.push(first.ms);
    peak = Math.max(peak, first.peakMiB);
    const second = await measure(process.execPath, [BIN, 'products', 'import', file, '--json'], { TILL_HOME: home });
    if (JSON.parse(second.stdout).unchanged !== N) throw new Error('the second import changed products');
    again.push(second.ms);
    peak = Math.max(peak, second.peakMiB);

    // The catalog back out: streamed CSV vs the sqlite3 shell writing the same rows as CSV.
    const out = join(dir, 'export.csv');
    const ex = await measure(process.execPath, [BIN, 'products', 'export', '-o', out], { TILL_HOME: home });
    exported.push(ex.ms);
    exportPeak = Math.max(exportPeak, ex.peakMiB);
    dumped.push((await measure('sqlite3', ['-csv', '-header', join(home, 'till.db'), `.output ${join(dir, 'dump.csv')}`, 'SELECT barcodes, name, price_fen, unit, category, weighed, plu, active, pinyin, id, updated_at FROM products ORDER BY id'])).ms);
    rmSync(out, { force: true });
    rmSync(home, { recursive: true, force: true });
  }
  const base = median(baseline);
  const floor = sqliteFloor(file, join(dir, 'floor.db'));
  const productsOnly = sqliteFloor(file, join(dir, 'floor-products.db'), false);
  const bare = bareInsert(file, join(dir, 'bare.db'));
  const name = `import ${N.toLocaleString('en-US')} products (validation, pinyin, upsert)`;
  report({ name, value: median(ours) / 1000, unit: 's', baseline: base / 1000, baselineName: 'sqlite3 .import into a plain table', budget: 1.5 });
  report({ name: `re-import of the same file (all unchanged)`, value: median(again) / 1000, unit: 's', baseline: base / 1000, baselineName: 'sqlite3 .import into a plain table' });
  report({ name: 'floor: the same rows written by bare statements into the till schema', value: floor / 1000, unit: 's', baseline: base / 1000, baselineName: 'sqlite3 .import into a plain table' });
  report({ name: 'reference: the same 5 columns into a plain table from Node (better-sqlite3)', value: bare / 1000, unit: 's', baseline: base / 1000, baselineName: 'sqlite3 .import into a plain table' });
  report({ name: 'floor: the products table alone (no barcode index)', value: productsOnly / 1000, unit: 's', baseline: base / 1000, baselineName: 'sqlite3 .import into a plain table' });
  reportAbsolute({ name: 'import peak memory (VmHWM)', value: peak, unit: 'MiB', limit: 200 });
  report({ name: `products export, ${N.toLocaleString('en-US')} products as CSV`, value: median(exported) / 1000, unit: 's', baseline: median(dumped) / 1000, baselineName: 'sqlite3 -csv of the same rows' });
  reportAbsolute({ name: 'export peak memory (VmHWM; streamed, not loaded whole)', value: exportPeak, unit: 'MiB' });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
