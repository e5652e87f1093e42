// Product search at 1,000,000 products, as the checkout runs it while the cashier types
// (searchProducts, the screen's limit of 50, the checkout connection's pragmas): p99 per kind
// of query, each beside a bare indexed barcode lookup (findProductByBarcode) measured in the
// same run, alternately.
// The catalog is the demo's (brands × items × sizes × serials, real pinyin initials), written
// through a till database's schema and indexed for search as an import does it.
// SEARCH_BENCH_PRODUCTS=100000 npm run bench -- search   runs it small while developing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoBarcode, demoCatalog } from '../src/demo/catalog.js';
import { openDatabase, useCheckoutPragmas, type DB } from '../src/db/open.js';
import { deferSearchIndex, findProductByBarcode, searchProducts } from '../src/db/products.js';
import { InitialsCache } from '../src/import/pinyin.js';
import { median, percentile, report, reportAbsolute } from './lib.js';

const N = Number(process.env.SEARCH_BENCH_PRODUCTS ?? 1_000_000);
const RUNS = Number(process.env.SEARCH_BENCH_RUNS ?? 200);
/** What the checkout screen asks for (src/ui: SEARCH_LIMIT). */
const LIMIT = 50;
const P99_LIMIT_MS = 20;

const QUERIES: Array<[string, string]> = [
  ['1 character', 'k'],
  ['1 Chinese character', '乐'],
  ['2-character pinyin initials', 'kl'],
  ['4-character pinyin initials', 'ksfh'],
  ['Chinese name fragment', '红烧牛肉'],
  ['barcode prefix', '6930000'],
  ['no match', 'xqzv'],
];

const dir = mkdtempSync(join(tmpdir(), 'till-search-bench-'));
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

function fill(db: DB): void {
  const initials = new InitialsCache();
  const insert = db.prepare("INSERT INTO products (id, name, pinyin, price_fen, unit, category, barcodes, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, '2026-01-01')");
  const code = db.prepare('INSERT INTO product_barcodes (barcode, product_id) VALUES (?, ?)');
  db.transaction(() => {
    const indexAdded = deferSearchIndex(db); // as an import does
    let id = 0;
    for (const p of demoCatalog(N, { weighed: false })) {
      id++;
      insert.run(id, p.name, initials.initials(p.name), p.priceFen, p.unit, p.category, p.barcode);
      code.run(p.barcode, id);
    }
    indexAdded();
  })();
}

try {
  const db = openDatabase(join(dir, 'till.db'), { create: true });
  const t0 = process.hrtime.bigint();
  fill(db);
  process.stdout.write(`(${N.toLocaleString('en-US')} demo products written, indexed for search, in ${(ms(t0) / 1000).toFixed(1)} s)\n`);
  useCheckoutPragmas(db); // as `till checkout` opens it: no memory map, a 2 MiB page cache

  let k = 0;
  const lookup = () => {
    const c = demoBarcode((k++ * 7919 + 13) % N);
    const t = process.hrtime.bigint();
    if (!findProductByBarcode(db, c)) throw new Error(`missing ${c}`);
    return ms(t);
  };
  for (const [what, q] of QUERIES) {
    const r = searchProducts(db, q, LIMIT);
    const search: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t = process.hrtime.bigint();
      searchProducts(db, q, LIMIT);
      search.push(ms(t));
      bare.push(lookup());
    }
    const shown = `${r.items.length}${r.capped ? '+' : ''} shown`;
    report({ name: `search "${q}" (${what}, ${shown}), p99`, value: percentile(search, 99), unit: 'ms', baseline: percentile(bare, 99), baselineName: 'bare findProductByBarcode p99' });
    reportAbsolute({ name: `search "${q}" p99 at ${N.toLocaleString('en-US')} products`, value: percentile(search, 99), unit: 'ms', limit: P99_LIMIT_MS, note: `median ${median(search).toFixed(2)} ms` });
  }

  // What the search index replaced: LIKE '%…%' over every product (a few runs: it is slow).
  const scan = db.prepare(`SELECT p.id FROM products p WHERE p.active = 1 AND (p.name LIKE @like OR p.pinyin LIKE @like)
    ORDER BY (p.pinyin LIKE @prefix) DESC, (p.name LIKE @prefix) DESC, length(p.name), p.id LIMIT 51`);
  const old: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = process.hrtime.bigint();
    scan.all({ like: '%ksfh%', prefix: 'ksfh%' });
    old.push(ms(t));
  }
  reportAbsolute({ name: 'reference: the same search as a full scan (LIKE, no index), median', value: median(old), unit: 'ms' });
  db.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
