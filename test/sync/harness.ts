// Shared by the sync tests and bench/sync.bench.ts: a real HQ (src/hq over SQLite, in this
// process or as a `till hq serve` child), tills with real homes and databases, enrolled through
// the real protocol, sales made with recordSale, and the check that HQ has exactly the tills' sales.
import { spawn, type ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { initTill } from '../../src/commands/init.js';
import { openDatabase, type DB } from '../../src/db/open.js';
import { recordSale } from '../../src/db/sales.js';
import { computeTotals, priceLines, type LineDraft } from '../../src/core/sale.js';
import { dbPath } from '../../src/home.js';
import { openHq } from '../../src/hq/open.js';
import { buildHqServer } from '../../src/hq/server.js';
import type { HqStore } from '../../src/hq/store.js';
import { enrollTill } from '../../src/sync/enroll.js';
import { engineFor } from '../../src/sync/service.js';
import type { SyncEngine, SyncOptions } from '../../src/sync/engine.js';
import { isDeepStrictEqual } from 'node:util';
import { BIN, removeDir, tempDir } from '../helpers/till.js';

export interface Hq {
  home: string;
  store: HqStore;
  url: string;
  stop(): Promise<void>;
}

/** HQ in this process on 127.0.0.1 (SQLite in `home`). */
export async function startHq(home = tempDir('till-hq-'), port = 0): Promise<Hq> {
  const store = await openHq({ home });
  const app = buildHqServer(store, { log: () => undefined });
  await app.listen({ host: '127.0.0.1', port });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return {
    home,
    store,
    url,
    async stop() {
      await app.close();
      await store.close();
    },
  };
}

/** HQ as its own process (`till hq serve`), so a test can SIGKILL it. Resolves once it answers. */
export async function spawnHq(home: string, port: number): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [BIN, 'hq', 'serve', '--host', '127.0.0.1', '--port', String(port)], {
    env: { ...process.env, TILL_HOME: home },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`till hq serve exited with ${child.exitCode}: ${err}`);
    try {
      const r = await fetch(url + '/healthz', { signal: AbortSignal.timeout(1000) });
      if (r.ok) return { child, url };
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`till hq serve did not answer on ${url}: ${err}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A free port on 127.0.0.1 (for an HQ that must come back on the same address). */
export async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export interface TestTill {
  home: string;
  db: DB;
  storeCode: string;
  tillCode: string;
  engine(options?: Partial<SyncOptions>): SyncEngine;
  close(): void;
}

/** A till with its own home, enrolled with HQ through the real enroll route. */
export async function enrolledTill(hqStore: HqStore, enrollUrl: string, storeCode: string, tillCode: string): Promise<TestTill> {
  const home = tempDir('till-sync-');
  await initTill({ home, store: storeCode, till: tillCode, name: `店${storeCode}`, adminId: '1', adminPin: '1234' });
  const db = openDatabase(dbPath(home));
  const { code } = await hqStore.createEnrollCode(storeCode, tillCode);
  await enrollTill({ home, db, url: enrollUrl, code });
  return {
    home,
    db,
    storeCode,
    tillCode,
    engine: (options) => engineFor(home, db, options),
    close() {
      db.close();
      removeDir(home);
    },
  };
}

export async function ensureStore(store: HqStore, code: string): Promise<void> {
  const have = await store.db.get('SELECT code FROM hq_stores WHERE code = ?', [code]);
  if (!have) await store.addStore(code, `门店${code}`);
}

const ITEMS = [
  { barcode: '6901234567892', name: '可口可乐500ml', unitPriceFen: 350 },
  { barcode: '6902538004045', name: '农夫山泉550ml', unitPriceFen: 200 },
  { barcode: '6924743915763', name: '乐事薯片', unitPriceFen: 850 },
];
const METHODS = ['cash', 'card', 'wechat', 'alipay'] as const;

/** One varied sale (several lines, a weighed item, discounts, every tender) made through recordSale. */
export function sell(db: DB, i: number): void {
  const a = ITEMS[i % 3];
  const lines: LineDraft[] = [{ productId: null, barcode: a.barcode, name: a.name, qty: 1 + (i % 4), qtyGrams: null, unitPriceFen: a.unitPriceFen }];
  if (i % 5 === 0) lines.push({ productId: null, barcode: null, name: '香蕉', qty: 1, qtyGrams: 300 + (i % 700), unitPriceFen: 698 });
  const orderDiscountFen = i % 7 === 0 ? 10 : 0;
  const due = computeTotals(priceLines(lines), orderDiscountFen).totalFen;
  const method = METHODS[i % 4];
  recordSale(db, {
    cashierId: '1',
    cashierName: 'Admin',
    lines,
    orderDiscountFen,
    tenders: [method === 'cash' ? { method, tenderedFen: Math.ceil(due / 1000) * 1000 + 1000 } : { method, tenderedFen: due, reference: method === 'card' ? `R${i}` : `13${String(i).padStart(16, '0')}` }],
  });
}

/**
 * Sells sales i = from … from+n-1. Test data only: the fsync of synchronous=FULL (a few ms per
 * sale on this disk) is skipped while generating, then restored; sync itself is unaffected.
 */
export function sellMany(db: DB, n: number, from = 0): void {
  db.pragma('synchronous = OFF');
  try {
    for (let i = from; i < from + n; i++) sell(db, i);
  } finally {
    db.pragma('synchronous = FULL');
  }
}

export interface Comparison {
  tillSales: number;
  hqSales: number;
  duplicates: number;
  missing: number;
  gaps: number;
  /** HQ's copy differs from the till's (every field compared). */
  altered: number;
  quarantined: number;
}

/** Compares HQ's sales with each till's: same ids, each once, seq 1..n without gaps, same content. */
export async function compare(store: HqStore, tills: TestTill[]): Promise<Comparison> {
  const c: Comparison = { tillSales: 0, hqSales: 0, duplicates: 0, missing: 0, gaps: 0, altered: 0, quarantined: 0 };
  for (const t of tills) {
    const local = t.db.prepare('SELECT seq, sale_id AS id, payload FROM outbox ORDER BY seq').all() as { seq: number; id: string; payload: string }[];
    const rows = await store.db.all<{ sale_id: string; seq: number; payload: string }>(
      'SELECT s.sale_id, s.seq, s.payload FROM hq_sales s JOIN hq_tills t ON t.id = s.till_id WHERE t.store_code = ? AND t.code = ? ORDER BY s.seq',
      [t.storeCode, t.tillCode],
    );
    c.tillSales += local.length;
    c.hqSales += rows.length;
    const byId = new Map<string, number>();
    for (const r of rows) byId.set(r.sale_id, (byId.get(r.sale_id) ?? 0) + 1);
    c.duplicates += [...byId.values()].filter((n) => n > 1).reduce((a, n) => a + n - 1, 0);
    const hqBySeq = new Map(rows.map((r) => [Number(r.seq), r]));
    for (const l of local) {
      const r = hqBySeq.get(l.seq);
      if (!r || r.sale_id !== l.id) c.missing++;
      else if (!isDeepStrictEqual(JSON.parse(r.payload), JSON.parse(l.payload))) c.altered++;
    }
    const seqs = rows.map((r) => Number(r.seq));
    for (let i = 0; i < seqs.length; i++) if (seqs[i] !== i + 1) c.gaps++;
    const q = await store.db.get<{ n: number }>('SELECT count(*) AS n FROM hq_quarantine x JOIN hq_tills t ON t.id = x.till_id WHERE t.store_code = ? AND t.code = ?', [t.storeCode, t.tillCode]);
    c.quarantined += Number(q?.n ?? 0);
  }
  return c;
}

export function hqDbFile(home: string): string {
  return join(home, 'hq.db');
}
