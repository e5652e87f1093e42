// HQ's catalog pages applied to a till's products: HQ wins on its products' fields, a page and
// its cursor land together, tombstones delete, a reset re-pulls without emptying the shelf.
import { afterEach, describe, expect, it } from 'vitest';
import type { DB } from '../../src/db/open.js';
import { applyCatalogPage, beginCatalogReset, countHqProducts, productIdByHqId } from '../../src/db/hq-catalog.js';
import { findProductByBarcode, findProductByPlu, getProduct, listProducts } from '../../src/db/products.js';
import { addProduct, updateProduct } from '../../src/db/products-write.js';
import { findSale, recordSale } from '../../src/db/sales.js';
import { getCatalogCursor } from '../../src/db/sync-state.js';
import type { CatalogChange, CatalogPage, CatalogProduct } from '../../src/sync/protocol.js';
import { memoryTill } from '../helpers/till.js';

let db: DB;
afterEach(() => db?.close());

const COLA = '6901234567892';
const WATER = '6902538004045';
const CHIPS = '6924743915763';

function product(hqId: number, o: Partial<CatalogProduct> = {}): CatalogProduct {
  return { hqId, name: `商品${hqId}`, priceFen: 100 * hqId, unit: '个', category: '饮料', weighed: false, plu: null, barcodes: [], active: true, ...o };
}
const upsert = (version: number, p: CatalogProduct): CatalogChange => ({ op: 'upsert', version, product: p });
const del = (version: number, hqId: number): CatalogChange => ({ op: 'delete', version, hqId });
function page(changes: CatalogChange[], o: Partial<CatalogPage> = {}): CatalogPage {
  const nextCursor = changes.length ? Math.max(...changes.map((c) => c.version)) : 0;
  return { changes, nextCursor, upToDate: true, reset: false, ...o };
}

describe('applying HQ catalog pages', () => {
  it('creates HQ products the scanner finds by barcode, with pinyin initials, and moves the cursor', () => {
    db = memoryTill();
    const r = applyCatalogPage(db, 0, page([upsert(1, product(1, { name: '可口可乐500ml', priceFen: 350, barcodes: [COLA] })), upsert(2, product(2, { name: '农夫山泉', barcodes: [WATER] }))]));
    expect(r).toMatchObject({ applied: true, upserts: 2, cursor: 2 });
    expect(findProductByBarcode(db, COLA)).toMatchObject({ name: '可口可乐500ml', priceFen: 350, pinyin: 'kkkl500ml' });
    expect(listProducts(db, { search: 'nfsq' }).map((p) => p.name)).toEqual(['农夫山泉']);
    expect(getCatalogCursor(db)).toBe(2);
  });

  it('lets HQ win on price over a local edit, while a sale already made keeps the price it was sold at', () => {
    db = memoryTill();
    applyCatalogPage(db, 0, page([upsert(1, product(1, { name: '可口可乐', priceFen: 350, barcodes: [COLA] }))]));
    const id = productIdByHqId(db, 1)!;
    updateProduct(db, id, { priceFen: 300 }); // a local edit
    const sale = recordSale(db, { cashierId: '1001', cashierName: '张三', lines: [{ productId: id, barcode: COLA, name: '可口可乐', qty: 2, qtyGrams: null, unitPriceFen: 300 }], tenders: [{ method: 'cash', tenderedFen: 1000 }] });
    applyCatalogPage(db, 1, page([upsert(5, product(1, { name: '可口可乐', priceFen: 400, barcodes: [COLA] }))]));
    expect(findProductByBarcode(db, COLA)!.priceFen).toBe(400);
    expect(findSale(db, sale.receiptNo).lines[0]).toMatchObject({ unitPriceFen: 300, lineTotalFen: 600 });
  });

  it('deletes a product on a tombstone; past sales keep their copy of it', () => {
    db = memoryTill();
    applyCatalogPage(db, 0, page([upsert(1, product(1, { name: '薯片', barcodes: [CHIPS] }))]));
    const id = productIdByHqId(db, 1)!;
    const sale = recordSale(db, { cashierId: '1001', cashierName: '张三', lines: [{ productId: id, barcode: CHIPS, name: '薯片', qty: 1, qtyGrams: null, unitPriceFen: 100 }], tenders: [{ method: 'cash', tenderedFen: 100 }] });
    const r = applyCatalogPage(db, 1, page([del(2, 1)]));
    expect(r.deletes).toBe(1);
    expect(findProductByBarcode(db, CHIPS)).toBeUndefined();
    expect(getProduct(db, id)).toBeUndefined();
    expect(findSale(db, sale.receiptNo).lines[0].name).toBe('薯片');
  });

  it('moves a barcode and a scale code to the HQ product that now carries them', () => {
    db = memoryTill();
    applyCatalogPage(db, 0, page([upsert(1, product(1, { name: '旧可乐', barcodes: [COLA], plu: '00123' })), upsert(2, product(2, { name: '新可乐' }))]));
    applyCatalogPage(db, 2, page([upsert(3, product(2, { name: '新可乐', barcodes: [COLA], plu: '00123' }))]));
    expect(findProductByBarcode(db, COLA)!.name).toBe('新可乐');
    expect(findProductByPlu(db, '00123')!.name).toBe('新可乐');
    expect(getProduct(db, productIdByHqId(db, 1)!)).toMatchObject({ barcodes: [], plu: null });
  });

  it('adopts a product keyed in at the till before enrollment instead of duplicating it', () => {
    db = memoryTill();
    const local = addProduct(db, { name: '可乐(本店)', priceFen: 300, barcodes: [COLA] });
    applyCatalogPage(db, 0, page([upsert(1, product(1, { name: '可口可乐', priceFen: 350, barcodes: [COLA] }))]));
    expect(productIdByHqId(db, 1)).toBe(local.id);
    expect(listProducts(db)).toHaveLength(1);
    expect(findProductByBarcode(db, COLA)).toMatchObject({ id: local.id, name: '可口可乐', priceFen: 350 });
  });

  it('skips a product the till cannot take without blocking the rest of the page', () => {
    db = memoryTill();
    const r = applyCatalogPage(db, 0, page([upsert(1, product(1, { plu: '12' })), upsert(2, product(2, { name: '农夫山泉', barcodes: [WATER, '6901234567890'] }))]));
    expect(r.skipped).toEqual([{ hqId: 1, reason: expect.stringMatching(/PLU.*5 digits/) }]);
    expect(r.upserts).toBe(1);
    // The bad barcode (wrong check digit) is left out; the good one works.
    expect(findProductByBarcode(db, WATER)!.barcodes).toEqual([WATER]);
    expect(getCatalogCursor(db)).toBe(2);
  });

  it('applies nothing from a page fetched with a cursor another process has moved past', () => {
    db = memoryTill();
    applyCatalogPage(db, 0, page([upsert(1, product(1, { priceFen: 500 })), upsert(2, product(2))]));
    const stale = applyCatalogPage(db, 0, page([upsert(1, product(1, { priceFen: 100 }))]));
    expect(stale.applied).toBe(false);
    expect(getProduct(db, productIdByHqId(db, 1)!)!.priceFen).toBe(500);
    expect(getCatalogCursor(db)).toBe(2);
  });

  it('rolls back the whole page and keeps the cursor when writing it fails part-way', () => {
    db = memoryTill();
    applyCatalogPage(db, 0, page([upsert(1, product(1, { name: '可口可乐', priceFen: 350, barcodes: [COLA] }))]));
    // The disk "fails" on the second product of the next page.
    db.exec(`CREATE TRIGGER fail_insert BEFORE INSERT ON products WHEN NEW.name = '坏商品' BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END;`);
    expect(() => applyCatalogPage(db, 1, page([upsert(2, product(1, { name: '可口可乐', priceFen: 999, barcodes: [COLA] })), upsert(3, product(2, { name: '坏商品' }))]))).toThrow(/disk I\/O/);
    expect(findProductByBarcode(db, COLA)!.priceFen).toBe(350);
    expect(getCatalogCursor(db)).toBe(1);
  });

  it('after a reset, keeps products on the shelf while re-pulling, then sweeps those HQ no longer has', () => {
    db = memoryTill();
    applyCatalogPage(db, 0, page([upsert(1, product(1, { barcodes: [COLA] })), upsert(2, product(2, { barcodes: [WATER] })), upsert(3, product(3, { barcodes: [CHIPS] }))]));
    const local = addProduct(db, { name: '本店自制便当', priceFen: 1500, barcodes: ['2000000000015'] });
    expect(beginCatalogReset(db, 3)).toBe(true);
    expect(getCatalogCursor(db)).toBe(0);
    // First page of the re-pull: product 1 only; everything is still scannable.
    applyCatalogPage(db, 0, page([upsert(10, product(1, { barcodes: [COLA], priceFen: 111 }))], { nextCursor: 10, upToDate: false }));
    expect(findProductByBarcode(db, CHIPS)).toBeDefined();
    // Last page: product 3; product 2 was deleted at HQ beyond the tombstone horizon.
    const r = applyCatalogPage(db, 10, page([upsert(12, product(3, { barcodes: [CHIPS] }))], { nextCursor: 12, upToDate: true }));
    expect(r.swept).toBe(1);
    expect(findProductByBarcode(db, WATER)).toBeUndefined();
    expect(findProductByBarcode(db, COLA)!.priceFen).toBe(111);
    expect(countHqProducts(db)).toBe(2);
    expect(getProduct(db, local.id)).toBeDefined(); // the store's own product is not HQ's to sweep
  });
});
