// The bulk writer behind `till products import`: matching rows to products, changing only what
// differs, and keeping the catalog's invariants (barcode index, barcode copy, pinyin).
import { beforeEach, describe, expect, it } from 'vitest';
import type { DB } from '../../src/db/open.js';
import { countProducts, findProductByBarcode, getProduct, listProducts } from '../../src/db/products.js';
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
    const res = upsertProducts(db, [row({ name: '可口可乐500ml', priceFen: 350, barcodes: ['6920202888883', '6901234567892'], unit: '瓶' })]);
    expect(res).toEqual({ added: 1, updated: 0, unchanged: 0, errors: [] });
    const p = findProductByBarcode(db, '6920202888883')!;
    expect(p).toMatchObject({ name: '可口可乐500ml', priceFen: 350, unit: '瓶', pinyin: 'kkkl500ml', barcodes: ['6901234567892', '6920202888883'], active: true });
    expect(listProducts(db, { search: 'kkkl' }).map((x) => x.id)).toEqual([p.id]);
    assertBarcodeInvariant(db);
  });

  it('adds hundreds of products in one batch, each findable by its own barcode', () => {
    const rows = Array.from({ length: 537 }, (_, i) => row({ name: `商品${i}`, priceFen: i, barcodes: [`X${i}`], plu: i % 100 === 0 ? String(10000 + i) : undefined }));
    expect(upsertProducts(db, rows)).toMatchObject({ added: 537, errors: [] });
    expect(countProducts(db)).toBe(537);
    for (const i of [0, 49, 50, 199, 200, 536]) expect(findProductByBarcode(db, `X${i}`)).toMatchObject({ name: `商品${i}`, priceFen: i });
    assertBarcodeInvariant(db);
  });

  it('writes nothing for a row equal to its product, so a second import changes nothing', () => {
    const rows = [row({ name: '雪碧', priceFen: 300, barcodes: ['6901234567892'], category: '饮料' })];
    upsertProducts(db, rows);
    const before = getProduct(db, 1)!;
    expect(upsertProducts(db, rows)).toEqual({ added: 0, updated: 0, unchanged: 1, errors: [] });
    expect(getProduct(db, 1)).toEqual(before);
  });

  it("refuses to change a product from HQ's catalog and takes a row equal to it as unchanged", () => {
    const p = addProduct(db, { name: '康师傅冰红茶', priceFen: 300, barcodes: ['6920202888883', '6901234567892'], category: '饮料' });
    db.prepare('UPDATE products SET hq_id = 7 WHERE id = ?').run(p.id);
    const res = upsertProducts(db, [
      row({ name: '康师傅冰红茶', priceFen: 250, barcodes: ['6920202888883'] }),
      row({ name: '康师傅冰红茶', priceFen: 300, barcodes: ['6901234567892', '6920202888883'] }),
    ]);
    expect(res).toEqual({ added: 0, updated: 0, unchanged: 1, errors: [{ index: 0, error: expect.stringMatching(/^product #1 康师傅冰红茶 comes from HQ's catalog; change it at HQ/) }] });
    expect(getProduct(db, p.id)).toMatchObject({ priceFen: 300 });
  });

  it('updates the fields a row gives and keeps those it leaves out', () => {
    const p = addProduct(db, { name: '芬达', priceFen: 300, barcodes: ['6901234567892'], unit: '瓶', category: '饮料', plu: null });
    expect(upsertProducts(db, [row({ name: '芬达橙味', priceFen: 320, barcodes: ['6901234567892'] })])).toMatchObject({ updated: 1 });
    expect(getProduct(db, p.id)).toMatchObject({ name: '芬达橙味', pinyin: 'fdcw', priceFen: 320, unit: '瓶', category: '饮料' });
  });

  it('adds a barcode to the product found by another of its barcodes or by its PLU, never removing one', () => {
    const a = addProduct(db, { name: '可乐', priceFen: 300, barcodes: ['6901234567892'] });
    const b = addProduct(db, { name: '散装苹果', priceFen: 1280, barcodes: [], plu: '10001', weighed: true });
    const res = upsertProducts(db, [row({ name: '可乐', priceFen: 300, barcodes: ['6901234567892', '6920202888883'] }), row({ name: '散装苹果', priceFen: 1280, barcodes: ['2000000000008'], plu: '10001' })]);
    expect(res).toEqual({ added: 0, updated: 2, unchanged: 0, errors: [] });
    expect(getProduct(db, a.id)!.barcodes).toEqual(['6901234567892', '6920202888883']);
    expect(findProductByBarcode(db, '2000000000008')?.id).toBe(b.id);
    expect(countProducts(db)).toBe(2);
    assertBarcodeInvariant(db);
  });

  it('updates a product that an earlier row of the same batch added', () => {
    const res = upsertProducts(db, [row({ name: '香蕉', priceFen: 698, plu: '10002' }), row({ name: '香蕉', priceFen: 598, plu: '10002', barcodes: ['6901234567892'] })]);
    expect(res).toEqual({ added: 1, updated: 1, unchanged: 0, errors: [] });
    expect(findProductByBarcode(db, '6901234567892')).toMatchObject({ name: '香蕉', priceFen: 598, plu: '10002' });
    expect(countProducts(db)).toBe(1);
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
    expect(res).toEqual({
      added: 1,
      updated: 0,
      unchanged: 0,
      errors: [
        { index: 0, error: expect.stringMatching(`belong to two products, #${a.id} A and #${b.id} B`) },
        { index: 1, error: `PLU 10001 already belongs to product #${b.id} B` },
      ],
    });
    expect(getProduct(db, a.id)!.name).toBe('A');
  });

  it('refuses what addProduct refuses (a wrong check digit) with the same reason', () => {
    const res = upsertProducts(db, [row({ name: 'x', barcodes: ['6901234567893'] })]);
    expect(res.errors).toEqual([{ index: 0, error: expect.stringMatching(/wrong check digit/) }]);
    expect(countProducts(db)).toBe(0);
  });

  it('reports the same outcome on a dry run and writes nothing', () => {
    addProduct(db, { name: 'A', priceFen: 100, barcodes: ['6901234567892'] });
    const rows = [row({ name: 'A', priceFen: 200, barcodes: ['6901234567892'] }), row({ name: 'B', barcodes: ['6920202888883'] }), row({ name: 'C', barcodes: ['6920202888883'] })];
    const dry = upsertProducts(db, rows, { dryRun: true });
    expect(dry).toEqual({ added: 1, updated: 2, unchanged: 0, errors: [] });
    expect(countProducts(db)).toBe(1);
    expect(getProduct(db, 1)!.priceFen).toBe(100);
    expect(upsertProducts(db, rows)).toEqual(dry);
    expect(countProducts(db)).toBe(2);
  });
});
