// HQ's catalog applied to the local products table: one page of changes and its cursor in one
// transaction. HQ wins on the fields of its products (price, name, barcodes, …); a barcode or
// scale code HQ gives to one of its products is taken from whichever local product had it.
// Products are written through products-write.ts, which keeps product_barcodes, the
// products.barcodes copy and the pinyin initials consistent.
import { BarcodeError, validateBarcode } from '../core/barcode.js';
import type { CatalogPage, CatalogProduct } from '../sync/protocol.js';
import { TillError } from '../errors.js';
import { getProduct } from './products.js';
import { stmt, type DB } from './open.js';
import { addProduct, removeProduct, updateProduct, validateProductInput } from './products-write.js';
import { getCatalogCursor, isCatalogResetting, setCatalogCursor, setCatalogResetting } from './sync-state.js';

export interface SkippedProduct {
  hqId: number;
  reason: string;
}

export interface ApplyResult {
  /** False when another process moved the cursor since the page was fetched: nothing applied. */
  applied: boolean;
  upserts: number;
  deletes: number;
  /** Products swept after a reset (deleted at HQ beyond its tombstone horizon). */
  swept: number;
  skipped: SkippedProduct[];
  cursor: number;
}

export function productIdByHqId(db: DB, hqId: number): number | undefined {
  return (stmt(db, 'SELECT id FROM products WHERE hq_id = ?').get(hqId) as { id: number } | undefined)?.id;
}

export function countHqProducts(db: DB): number {
  return (stmt(db, 'SELECT count(*) AS n FROM products WHERE hq_id IS NOT NULL').get() as { n: number }).n;
}

/**
 * HQ answered `reset` (our cursor is older than its tombstone horizon): pull again from 0 and,
 * once up to date, sweep the HQ products that did not come back. Products stay in place
 * meanwhile, so a running checkout never sees an empty catalog.
 */
export function beginCatalogReset(db: DB, expectedCursor: number): boolean {
  return db
    .transaction(() => {
      if (getCatalogCursor(db) !== expectedCursor) return false;
      stmt(db, 'DELETE FROM sync_catalog_seen').run();
      setCatalogResetting(db, true);
      setCatalogCursor(db, 0);
      return true;
    })
    .immediate();
}

/**
 * A page HQ answered with `reset` (it restarts from 0): starts the reset and applies the page
 * in one transaction. False when another process moved the cursor first.
 */
export function applyResetPage(db: DB, since: number, page: CatalogPage): ApplyResult | undefined {
  return db
    .transaction(() => (beginCatalogReset(db, since) ? applyCatalogPage(db, 0, { ...page, reset: false }) : undefined))
    .immediate();
}

/** Applies one page fetched with `since`, and moves the cursor to page.nextCursor, atomically. */
export function applyCatalogPage(db: DB, since: number, page: CatalogPage): ApplyResult {
  return db
    .transaction((): ApplyResult => {
      const result: ApplyResult = { applied: false, upserts: 0, deletes: 0, swept: 0, skipped: [], cursor: getCatalogCursor(db) };
      // Two processes may pull at once (checkout and `till sync --watch`): only the one whose
      // page starts at the stored cursor applies it, so an older page never overwrites a newer one.
      if (result.cursor !== since) return result;
      const resetting = isCatalogResetting(db);
      for (const change of page.changes) {
        if (change.op === 'delete') {
          if (deleteHqProduct(db, change.hqId)) result.deletes++;
          if (resetting) stmt(db, 'DELETE FROM sync_catalog_seen WHERE hq_id = ?').run(change.hqId);
          continue;
        }
        if (resetting) stmt(db, 'INSERT OR IGNORE INTO sync_catalog_seen (hq_id) VALUES (?)').run(change.product.hqId);
        const reason = upsertHqProduct(db, change.product);
        if (reason) result.skipped.push({ hqId: change.product.hqId, reason });
        else result.upserts++;
      }
      if (resetting && page.upToDate) {
        const gone = stmt(db, 'SELECT hq_id AS hqId FROM products WHERE hq_id IS NOT NULL AND hq_id NOT IN (SELECT hq_id FROM sync_catalog_seen)').all() as { hqId: number }[];
        for (const g of gone) if (deleteHqProduct(db, g.hqId)) result.swept++;
        stmt(db, 'DELETE FROM sync_catalog_seen').run();
        setCatalogResetting(db, false);
      }
      setCatalogCursor(db, page.nextCursor);
      result.applied = true;
      result.cursor = page.nextCursor;
      return result;
    })
    .immediate();
}

function validBarcodes(codes: string[]): string[] {
  const out: string[] = [];
  for (const c of codes) {
    try {
      out.push(validateBarcode(c));
    } catch (e) {
      if (!(e instanceof BarcodeError)) throw e;
    }
  }
  return [...new Set(out)];
}

/** Returns why the product was skipped, or undefined when it was written. */
function upsertHqProduct(db: DB, p: CatalogProduct): string | undefined {
  const barcodes = validBarcodes(p.barcodes);
  const input = { name: p.name, priceFen: p.priceFen, unit: p.unit, category: p.category, weighed: p.weighed, plu: p.plu, active: p.active, barcodes };
  try {
    validateProductInput(input);
  } catch (e) {
    if (e instanceof TillError) return e.message;
    throw e;
  }
  // A savepoint per product: a product the till cannot take leaves no half-applied change.
  try {
    db.transaction(() => {
      let target = productIdByHqId(db, p.hqId);
      if (target === undefined) {
        // A product keyed in at the till before it was enrolled: adopt it rather than duplicate it.
        for (const b of barcodes) {
          const owner = stmt(db, 'SELECT p.id, p.hq_id AS hqId FROM product_barcodes b JOIN products p ON p.id = b.product_id WHERE b.barcode = ?').get(b) as
            | { id: number; hqId: number | null }
            | undefined;
          if (owner && owner.hqId === null) {
            stmt(db, 'UPDATE products SET hq_id = ? WHERE id = ?').run(p.hqId, owner.id);
            target = owner.id;
            break;
          }
        }
      }
      // HQ wins: free the codes it assigns to this product.
      for (const b of barcodes) {
        const owner = stmt(db, 'SELECT product_id AS id FROM product_barcodes WHERE barcode = ?').get(b) as { id: number } | undefined;
        if (owner && owner.id !== target) updateProduct(db, owner.id, { removeBarcodes: [b] });
      }
      if (p.plu !== null) {
        const owner = stmt(db, 'SELECT id FROM products WHERE plu = ?').get(p.plu) as { id: number } | undefined;
        if (owner && owner.id !== target) updateProduct(db, owner.id, { plu: null });
      }
      if (target === undefined) {
        const created = addProduct(db, input);
        stmt(db, 'UPDATE products SET hq_id = ? WHERE id = ?').run(p.hqId, created.id);
        return;
      }
      const cur = getProduct(db, target)!;
      updateProduct(db, target, {
        name: p.name,
        priceFen: p.priceFen,
        unit: p.unit,
        category: p.category,
        weighed: p.weighed,
        plu: p.plu,
        active: p.active,
        addBarcodes: barcodes.filter((b) => !cur.barcodes.includes(b)),
        removeBarcodes: cur.barcodes.filter((b) => !barcodes.includes(b)),
      });
    })();
  } catch (e) {
    if (e instanceof TillError) return e.message;
    throw e;
  }
  return undefined;
}

function deleteHqProduct(db: DB, hqId: number): boolean {
  const id = productIdByHqId(db, hqId);
  if (id === undefined) return false;
  removeProduct(db, id);
  return true;
}
