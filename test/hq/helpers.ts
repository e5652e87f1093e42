// HQ test helpers: both storages (SQLite in a temp home; PostgreSQL on 127.0.0.1 in a schema
// made for this run and dropped after), valid wire sales built with the till's own pricing
// code, enrolled tills, and `till hq serve` as a child process.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { buildSale, type LineDraft } from '../../src/core/sale.js';
import { receiptNumber } from '../../src/core/ids.js';
import { openHq } from '../../src/hq/open.js';
import type { HqStore, HqStoreOptions, TillPrincipal } from '../../src/hq/store.js';
import type { WireSale } from '../../src/sync/protocol.js';
import { BIN, removeDir, tempDir } from '../helpers/till.js';

/** PostgreSQL for tests: trust auth on 127.0.0.1 (override with TILL_TEST_PG). */
export const PG_URL = process.env.TILL_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

export type StorageKind = 'sqlite' | 'postgres';
export const STORAGES: StorageKind[] = ['sqlite', 'postgres'];

/** A fresh, empty HQ database of one kind; `url` is what `till hq serve --db` takes. */
export interface TestDb {
  kind: StorageKind;
  home: string;
  /** --db value: a SQLite file, or the PostgreSQL URL pinned to this run's schema. */
  db: string;
  schema?: string;
  open(opts?: HqStoreOptions & { poolSize?: number }): Promise<HqStore>;
  drop(): Promise<void>;
}

export async function createTestDb(kind: StorageKind): Promise<TestDb> {
  const home = tempDir('till-hq-test-');
  if (kind === 'sqlite') {
    const db = `${home}/hq.db`;
    return {
      kind,
      home,
      db,
      open: (opts = {}) => openHq({ ...opts, home, db }),
      drop: async () => removeDir(home),
    };
  }
  const schema = `hq_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE SCHEMA ${schema}`);
  const sep = PG_URL.includes('?') ? '&' : '?';
  const db = `${PG_URL}${sep}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  return {
    kind,
    home,
    db,
    schema,
    open: (opts = {}) => openHq({ ...opts, home, db }),
    drop: async () => {
      await adminQuery(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      removeDir(home);
    },
  };
}

async function adminQuery(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_URL });
  try {
    await c.connect();
  } catch (err) {
    throw new Error(
      `HQ tests need PostgreSQL at ${PG_URL} (${(err as Error).message}). Start it: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`,
    );
  }
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

const LINES: LineDraft[] = [
  { productId: 1, barcode: '6901234567892', name: '可口可乐 500ml', qty: 2, qtyGrams: null, unitPriceFen: 350 },
  { productId: 2, barcode: '6924743915763', name: '乐事薯片 70g', qty: 1, qtyGrams: null, unitPriceFen: 850, discountFen: 50 },
  { productId: 3, barcode: null, name: '散装苹果', qty: 1, qtyGrams: 1234, unitPriceFen: 1280 },
];

/** A valid sale of till `store`/`till` with number `seq`; `variant` changes its basket. */
export function makeSale(store: string, till: string, seq: number, variant = 0): WireSale {
  const lines = LINES.slice(0, 1 + ((seq + variant) % LINES.length)).map((l, i) => (i === 0 ? { ...l, qty: 1 + ((seq + variant) % 4) } : l));
  const day = `202601${String(1 + (seq % 28)).padStart(2, '0')}`;
  const sale = buildSale(
    { cashierId: '1001', cashierName: '张三', lines, tenders: [{ method: 'cash', tenderedFen: 100_000 }] },
    {
      id: saleId(store, till, seq, variant),
      receiptNo: receiptNumber(store, till, day, seq),
      storeCode: store,
      tillCode: till,
      seq,
      createdAt: new Date(Date.UTC(2026, 0, 1 + (seq % 28), 8, 0, seq % 60)).toISOString(),
    },
  );
  return sale as WireSale;
}

/** A deterministic UUIDv7-shaped id per (store, till, seq, variant). */
export function saleId(store: string, till: string, seq: number, variant = 0): string {
  const h = createHash('sha256').update(`${store}|${till}|${seq}|${variant}`).digest('hex');
  const n = seq.toString(16).padStart(12, '0');
  return `0190f1c2-${h.slice(0, 4)}-7${h.slice(4, 7)}-8${h.slice(7, 10)}-${n}`;
}

export function item(sale: unknown, seq = (sale as WireSale).seq) {
  return { seq, hash: 'till-hash', sale };
}

export async function enrolledTill(hq: HqStore, store: string, till: string): Promise<{ principal: TillPrincipal; token: string }> {
  const stores = await hq.listStores();
  if (!stores.some((s) => s.code === store)) await hq.addStore(store, `${store} 店`);
  const { code } = await hq.createEnrollCode(store, till);
  const { token } = await hq.enroll(code);
  const p = await hq.authenticate(token);
  if (p?.kind !== 'till') throw new Error('enrolled token does not authenticate');
  return { principal: p.till, token };
}

/** `till hq serve` as its own process; resolves with its URL once /healthz answers. */
export async function spawnServe(home: string, args: string[] = []): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const child = spawn(process.execPath, [BIN, 'hq', 'serve', '--host', '127.0.0.1', '--port', '0', ...args], {
    env: { ...process.env, TILL_HOME: home },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const deadline = Date.now() + 20_000;
  for (;;) {
    const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(err);
    if (m) return { child, url: m[1], stderr: () => err };
    if (child.exitCode !== null) throw new Error(`till hq serve exited with ${child.exitCode}: ${err}`);
    if (Date.now() > deadline) throw new Error(`till hq serve did not start: ${err}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

export async function post(url: string, path: string, token: string | null, body: unknown): Promise<{ status: number; body: any }> {
  const r = await fetch(url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: r.status, body: await r.json() };
}

export async function get(url: string, path: string, token: string | null): Promise<{ status: number; body: any }> {
  const r = await fetch(url + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: r.status, body: await r.json() };
}
