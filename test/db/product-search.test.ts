// Product search as the checkout and `till products list --search` use it: the same products in
// the same order as reading every product would give, the cap said when more match, and the
// search index (migration 33) in step with every way a product is written.
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { applyCatalogPage } from '../../src/db/hq-catalog.js';
import { migrate, migrations } from '../../src/db/migrations.js';
import { openDatabase, type DB } from '../../src/db/open.js';
import { deferSearchIndex, listProducts, searchProducts } from '../../src/db/products.js';
import { addProduct, removeProduct, updateProduct, upsertProducts, type BulkRow } from '../../src/db/products-write.js';
import { importProducts } from '../../src/import/service.js';
import type { CatalogProduct } from '../../src/sync/protocol.js';
import { withCheckDigit } from '../../src/core/barcode.js';
import type { Product } from '../../src/core/types.js';
import { memoryTill } from '../helpers/till.js';

let db: DB;
afterEach(() => db?.close());

// ---- the reference: every product read and filtered in plain JS -------------------------

/** SQLite's LIKE folds ASCII letters only. */
const fold = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

function reference(products: Product[], query: string, opts: { includeInactive?: boolean; category?: string } = {}): Product[] {
  const q = query.trim();
  const listed = (p: Product) => (opts.includeInactive || p.active) && (!opts.category || p.category === opts.category);
  // Nothing to search for lists every product in id order.
  if (!q) return products.filter(listed).sort((a, b) => a.id - b.id);
  const lower = q.toLowerCase();
  const pinyinPrefix = (p: Product) => fold(p.pinyin).startsWith(fold(lower));
  const namePrefix = (p: Product) => fold(p.name).startsWith(fold(q));
  const matches = (p: Product) =>
    fold(p.name).includes(fold(q)) || fold(p.pinyin).includes(fold(lower)) || p.barcodes.some((b) => fold(b).startsWith(fold(q)));
  const rank = (p: Product) => (pinyinPrefix(p) ? 0 : 2) + (namePrefix(p) ? 0 : 1);
  return products
    .filter((p) => listed(p) && matches(p))
    .sort((a, b) => rank(a) - rank(b) || [...a.name].length - [...b.name].length || a.id - b.id);
}

const all = (d: DB) => listProducts(d, { includeInactive: true });
const names = (ps: Product[]) => ps.map((p) => p.name);

// Names from a small alphabet, so that queries often match: Chinese characters (with their
// pinyin initials), ASCII letters in both cases, digits, a space and LIKE's own wildcards.
const CHARS = ['可', '口', '乐', '康', '师', '傅', '牛', '肉', '面', '水', 'k', 'K', 'l', 'A', 'b', '5', '0', 'm', ' ', '%', '_'];
const name = fc.array(fc.constantFrom(...CHARS), { minLength: 1, maxLength: 9 }).map((cs) => cs.join('').trim() || '可乐');
const query = fc.oneof(
  fc.array(fc.constantFrom(...CHARS, 'x', 'z'), { minLength: 1, maxLength: 5 }).map((cs) => cs.join('')),
  fc.constantFrom('k', 'kk', 'kkl', 'kkkl', '可', '可乐', '牛肉面', '69', '6900', 'K1', 'kb', 'ab', 'AB', '%', '_', 'zzz'),
);
const code = fc.oneof(
  fc.integer({ min: 0, max: 999 }).map((n) => withCheckDigit(`690000000${String(n).padStart(3, '0')}`)),
  fc.array(fc.constantFrom('A', 'b', 'K', '1', '6', '9'), { minLength: 1, maxLength: 6 }).map((cs) => `K${cs.join('')}`),
);

describe('search finds what reading every product finds, in the same order', () => {
  it('over random catalogs and queries, with and without a limit', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ name, codes: fc.uniqueArray(code, { maxLength: 2 }), active: fc.boolean(), category: fc.constantFrom('饮料', '零食') }), { minLength: 1, maxLength: 40 }),
        fc.array(query, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 8 }),
        (products, queries, limit) => {
          db = openDatabase(':memory:', { create: true });
          const seen = new Set<string>();
          for (const p of products) {
            const codes = p.codes.filter((c) => !seen.has(c));
            codes.forEach((c) => seen.add(c));
            const added = addProduct(db, { name: p.name, priceFen: 100, barcodes: codes, category: p.category });
            if (!p.active) updateProduct(db, added.id, { active: false });
          }
          const catalog = all(db);
          for (const q of queries) {
            const expected = reference(catalog, q);
            expect(names(searchProducts(db, q).items)).toEqual(names(expected));
            expect(searchProducts(db, q, limit)).toEqual({ items: expected.slice(0, limit), capped: expected.length > limit });
            expect(searchProducts(db, q, limit, { includeInactive: true }).items).toEqual(reference(catalog, q, { includeInactive: true }).slice(0, limit));
            expect(searchProducts(db, q, limit, { category: '零食', offset: 1 }).items).toEqual(reference(catalog, q, { category: '零食' }).slice(1, limit + 1));
          }
          db.close();
        },
      ),
      { numRuns: 200 },
    );
  });

  it('on a catalog where one query matches thousands of products (read in order, not sorted)', () => {
    db = memoryTill();
    const brands = ['可口可乐', '康师傅', '农夫山泉', '乐事', 'KitKat'];
    const rows: BulkRow[] = Array.from({ length: 12_000 }, (_, i) => ({
      product: { name: `${brands[i % brands.length]}${['', '无糖', '红烧牛肉面', '特别加长版超大份量装'][i % 4]}${i % 7 ? ` ${i}号` : ''}`, priceFen: 100, barcodes: [`69${String(i).padStart(8, '0')}`] },
    }));
    upsertProducts(db, rows);
    const catalog = all(db);
    for (const q of ['k', 'kk', 'kkkl', '可口', '牛肉面', 'Kit', '1号', '69000', '6', 'nfsqwt', 'zzzz', 'tbjc', '特别加长', '份量装 1']) {
      const expected = reference(catalog, q);
      expect({ q, r: searchProducts(db, q, 50) }).toEqual({ q, r: { items: expected.slice(0, 50), capped: expected.length > 50 } });
    }
    expect(searchProducts(db, 'kkkl', 50, { offset: 50 }).items).toEqual(reference(catalog, 'kkkl').slice(50, 100));
  });
});

describe('the cap', () => {
  it('62 matches at a limit of 50: fifty shown, and more said to exist', () => {
    db = memoryTill();
    for (let i = 1; i <= 62; i++) addProduct(db, { name: `可口可乐${i}号`, priceFen: 350, barcodes: [] });
    addProduct(db, { name: '雪碧', priceFen: 300, barcodes: [] });
    const r = searchProducts(db, 'kkkl', 50);
    expect(r.items).toHaveLength(50);
    expect(r.capped).toBe(true);
    expect(searchProducts(db, 'kkkl', 62)).toMatchObject({ capped: false });
    expect(searchProducts(db, 'kkkl')).toMatchObject({ capped: false });
    expect(searchProducts(db, 'kkkl').items).toHaveLength(62);
  });
});

describe('the search index stays in step with every product writer', () => {
  it('add, rename, deactivate and remove', () => {
    db = memoryTill();
    const p = addProduct(db, { name: '农夫山泉550ml', priceFen: 200, barcodes: ['6921168509256'] });
    expect(names(searchProducts(db, 'nfsq').items)).toEqual(['农夫山泉550ml']);
    updateProduct(db, p.id, { name: '怡宝纯净水' });
    expect(names(searchProducts(db, 'nfsq').items)).toEqual([]);
    expect(names(searchProducts(db, 'yb').items)).toEqual(['怡宝纯净水']);
    expect(names(searchProducts(db, '纯净').items)).toEqual(['怡宝纯净水']);
    updateProduct(db, p.id, { priceFen: 250 });
    expect(names(searchProducts(db, '怡宝纯').items)).toEqual(['怡宝纯净水']);
    removeProduct(db, p.id);
    expect(names(searchProducts(db, '怡宝纯', 10, { includeInactive: true }).items)).toEqual([]);
    expect(indexed(db)).toBe(0);
  });

  it('a CSV import, new products and changed ones (the index of new ones written at each commit)', async () => {
    db = memoryTill();
    const csv = (rows: string[]) => new TextEncoder().encode(['barcode,name,price', ...rows].join('\n'));
    addProduct(db, { name: '农夫山泉550ml', priceFen: 200, barcodes: ['6921168509256'] });
    await importProducts(db, csv(['6901234567892,可口可乐500ml,3.50', '6920202888883,乐事薯片,7.90', '6921168509256,农夫山泉矿泉水,2.00']), { rejectsPath: undefined });
    expect(names(searchProducts(db, 'kkkl').items)).toEqual(['可口可乐500ml']);
    expect(names(searchProducts(db, '薯片').items)).toEqual(['乐事薯片']);
    expect(names(searchProducts(db, '矿泉').items)).toEqual(['农夫山泉矿泉水']);
    await importProducts(db, csv(['6920202888883,乐事黄瓜味薯片,7.90', '6970000000000,卫龙辣条,3.00']), { rejectsPath: undefined });
    expect(names(searchProducts(db, '黄瓜').items)).toEqual(['乐事黄瓜味薯片']);
    expect(names(searchProducts(db, 'lsspp').items)).toEqual([]);
    expect(names(searchProducts(db, 'wl').items)).toEqual(['卫龙辣条']);
    expect(indexed(db)).toBe(4);
    // Writes after an import are indexed by the triggers again.
    addProduct(db, { name: '王老吉', priceFen: 400, barcodes: [] });
    expect(names(searchProducts(db, 'wlj').items)).toEqual(['王老吉']);
  });

  it('a bulk writer that defers the index: what it adds, renames and removes in its transaction', () => {
    db = memoryTill();
    const kept = addProduct(db, { name: '康师傅冰红茶', priceFen: 300, barcodes: [] });
    db.transaction(() => {
      const indexAdded = deferSearchIndex(db);
      const renamed = addProduct(db, { name: '旺旺雪饼', priceFen: 500, barcodes: [] });
      const gone = addProduct(db, { name: '旺仔牛奶', priceFen: 450, barcodes: [] });
      updateProduct(db, renamed.id, { name: '旺旺仙贝' });
      removeProduct(db, gone.id);
      updateProduct(db, kept.id, { name: '康师傅绿茶' });
      indexAdded();
    })();
    expect(names(searchProducts(db, 'ww').items)).toEqual(['旺旺仙贝']);
    expect(names(searchProducts(db, '绿茶').items)).toEqual(['康师傅绿茶']);
    expect(indexed(db)).toBe(2);
  });

  it("HQ's catalog pulled: created, renamed, deleted", () => {
    db = memoryTill();
    const hq = (hqId: number, o: Partial<CatalogProduct>): CatalogProduct => ({ hqId, name: `商品${hqId}`, priceFen: 100, unit: '个', category: '饮料', weighed: false, plu: null, barcodes: [], active: true, ...o });
    applyCatalogPage(db, 0, { changes: [{ op: 'upsert', version: 1, product: hq(1, { name: '王老吉凉茶' }) }], nextCursor: 1, upToDate: true, reset: false });
    expect(names(searchProducts(db, 'wlj').items)).toEqual(['王老吉凉茶']);
    applyCatalogPage(db, 1, { changes: [{ op: 'upsert', version: 2, product: hq(1, { name: '加多宝凉茶' }) }], nextCursor: 2, upToDate: true, reset: false });
    expect(names(searchProducts(db, '凉茶').items)).toEqual(['加多宝凉茶']);
    expect(names(searchProducts(db, 'wlj').items)).toEqual([]);
    applyCatalogPage(db, 2, { changes: [{ op: 'delete', version: 3, hqId: 1 }], nextCursor: 3, upToDate: true, reset: false });
    expect(names(searchProducts(db, '凉茶', 10, { includeInactive: true }).items)).toEqual([]);
    expect(indexed(db)).toBe(0);
  });

  it('a till made before the index gets its products indexed when it opens (migration 33)', () => {
    const raw = new Database(':memory:');
    raw.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
    for (const n of Object.keys(migrations).map(Number).filter((n) => n < 33).sort((a, b) => a - b)) {
      raw.exec(migrations[n]);
      raw.prepare("INSERT INTO schema_migrations VALUES (?, 'then')").run(n);
    }
    raw.prepare("INSERT INTO products (id, name, pinyin, price_fen, barcodes, updated_at) VALUES (7, '康师傅冰红茶', 'ksfbhc', 300, '6920202888883', '2026-01-01')").run();
    raw.prepare("INSERT INTO product_barcodes (barcode, product_id) VALUES ('6920202888883', 7)").run();
    db = raw;
    migrate(db);
    expect(searchProducts(db, 'ksf').items.map((p) => p.id)).toEqual([7]);
    expect(searchProducts(db, '冰红茶').items.map((p) => p.id)).toEqual([7]);
    expect(indexed(db)).toBe(1);
  });
});

/**
 * Products held by the index: each indexed product has exactly one term that starts with the
 * name marker (char 2). Stale entries would not change a result (every candidate is checked)
 * but would grow the index; missing ones would hide products.
 */
function indexed(d: DB): number {
  return (d.prepare('SELECT coalesce(sum(doc), 0) AS n FROM product_search_terms WHERE term >= char(2) AND term < char(3)').get() as { n: number }).n;
}
