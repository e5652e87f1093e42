// The bulk writer behind `till products import`: matching rows to products, changing only what
// differs, and keeping the catalog's invariants (barcode index, barcode copy, pinyin).
import { beforeEach, describe, expect, it } from 'vitest';
import type { DB } from '../../src/db/open.js';
import { findProductByBarcode, getProduct, listProducts, countProducts } from '../../src/db/products.js';
import { addProduct, upsertProducts, type BulkRow } from '../../src/db/products-write.js';
import { memoryTill } from '../helpers/till.js';

const row = (p: Partial<BulkRow['product']> & { name: string }): BulkRow => ({ product: { priceFen: 100, barcodes: [], ...p } });

/** Every product's barcode copy equals its rows in product_barcodes. */
function assertBarcodeInvariant(db: DB): void {
  const bad = db
    .prepare(
      `SELECT p.id FROM products p WHERE p.barcodes != coalesce((SELECT group_concat(barcode, ',') FROM (SELECT barcode FROM product_barcodes b WHERE b.product_id = p.id ORDER BY barcode)), '')`,
    )
    .all();
  expect(bad).toEqual([]);
}

describe('upsertProducts', () => {
  let db: DB;
  beforeEach(() => {
    db = memoryTill();
  });

  it('adds new products that scan, search by pinyin and keep both barcode records', () => {
    const res = upsertProducts(db, [row({ name: '可口可乐500ml', priceFen: 350, barcodes: ['6901234567892', '6920202888883'], unit: '瓶' })]);
    expect(res).toEqual([{ outcome: 'added', id: expect.any(Number) }]);
    const p = findProductByBarcode(db, '6920202888883')!;
    expect(p).toMatchObject({ name: '可口可乐500ml', priceFen: 350, unit: '瓶', pinyin: 'kkkl500ml', barcodes: ['6901234567892', '6920202888883'] });
    expect(listProducts(db, { search: 'kkkl' }).map((x) => x.id)).toEqual([p.id]);
    assertBarcodeInvariant(db);
  });

  it('writes nothing for a row equal to its product, so a second import changes nothing', () => {
    const rows = [row({ name: '雪碧', priceFen: 300, barcodes: ['6901234567892'], category: '饮料' })];
    upsertProducts(db, rows);
    const before = getProduct(db, 1)!;
    expect(upsertProducts(db, rows)).toEqual([{ outcome: 'unchanged', id: 1 }]);
    expect(getProduct(db, 1)).toEqual(before);
  });

  it('updates the fields a row gives and keeps those it leaves out', () => {
    const p = addProduct(db, { name: '芬达', priceFen: 300, barcodes: ['6901234567892'], unit: '瓶', category: '饮料', plu: null });
    const res = upsertProducts(db, [row({ name: '芬达橙味', priceFen: 320, barcodes: ['6901234567892'] })]);
    expect(res).toEqual([{ outcome: 'updated', id: p.id }]);
    expect(getProduct(db, p.id)).toMatchObject({ name: '芬达橙味', pinyin: 'fdcw', priceFen: 320, unit: '瓶', category: '饮料' });
  });

  it('adds a barcode to the product found by another of its barcodes or by its PLU, never removing one', () => {
    const a = addProduct(db, { name: '可乐', priceFen: 300, barcodes: ['6901234567892'] });
    const b = addProduct(db, { name: '散装苹果', priceFen: 1280, barcodes: [], plu: '10001', weighed: true });
    const res = upsertProducts(db, [row({ name: '可乐', priceFen: 300, barcodes: ['6901234567892', '6920202888883'] }), row({ name: '散装苹果', priceFen: 1280, barcodes: ['2000000000008'], plu: '10001' })]);
    expect(res).toEqual([
      { outcome: 'updated', id: a.id },
      { outcome: 'updated', id: b.id },
    ]);
    expect(getProduct(db, a.id)!.barcodes).toEqual(['6901234567892', '6920202888883']);
    expect(findProductByBarcode(db, '2000000000008')?.id).toBe(b.id);
    expect(countProducts(db)).toBe(2);
    assertBarcodeInvariant(db);
  });

  it('refuses a row whose codes belong to different products, and still writes the others', () => {
    const a = addProduct(db, { name: 'A', priceFen: 100, barcodes: ['6901234567892'] });
    const b = addProduct(db, { name: 'B', priceFen: 100, barcodes: ['6920202888883'], plu: '10001' });
    const res = upsertProducts(db, [
      row({ name: 'AB', barcodes: ['6901234567892', '6920202888883'] }),
      row({ name: 'A2', barcodes: ['6901234567892'], plu: '10001' }),
      row({ name: 'C', barcodes: ['6933333333337'] }),
    ]);
    expect(res[0]).toEqual({ error: expect.stringMatching(`belong to two products, #${a.id} A and #${b.id} B`) });
    expect(res[1]).toEqual({ error: `PLU 10001 already belongs to product #${b.id} B` });
    expect(res[2]).toEqual({ outcome: 'added', id: expect.any(Number) });
    expect(getProduct(db, a.id)!.name).toBe('A');
  });

  it('refuses what addProduct refuses (a wrong check digit) with the same reason', () => {
    const res = upsertProducts(db, [row({ name: 'x', barcodes: ['6901234567893'] })]);
    expect(res).toEqual([{ error: expect.stringMatching(/wrong check digit/) }]);
    expect(countProducts(db)).toBe(0);
  });

  it('reports the same outcomes on a dry run and writes nothing', () => {
    addProduct(db, { name: 'A', priceFen: 100, barcodes: ['6901234567892'] });
    const rows = [row({ name: 'A', priceFen: 200, barcodes: ['6901234567892'] }), row({ name: 'B', barcodes: ['6920202888883'] }), row({ name: 'C', barcodes: ['6920202888883'] })];
    const dry = upsertProducts(db, rows, { dryRun: true });
    expect(dry.map((r) => ('outcome' in r ? r.outcome : r.error))).toEqual(['updated', 'added', 'updated']);
    expect(countProducts(db)).toBe(1);
    expect(getProduct(db, 1)!.priceFen).toBe(100);
    expect(upsertProducts(db, rows)).toEqual(dry.map((r) => ('outcome' in r ? { ...r, id: expect.any(Number) } : r)));
  });
});
