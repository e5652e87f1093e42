// products + product_barcodes, writers: validate, compute pinyin initials once, write in a
// transaction. Kept apart from the readers because pinyin-pro is heavy to load.
import { BarcodeError, validateBarcode } from '../core/barcode.js';
import { pinyinInitials } from '../core/pinyin.js';
import type { Product } from '../core/types.js';
import { NotFoundError, UserError } from '../errors.js';
import { assertInTransaction, type DB } from './open.js';
import { getProduct, stmt } from './products.js';


export interface ProductInput {
  name: string;
  priceFen: number;
  barcodes: string[];
  unit?: string;
  category?: string;
  weighed?: boolean;
  plu?: string | null;
  active?: boolean;
}

/** Checks one product's fields; throws a UserError naming the field and what to fix. */
export function validateProductInput(input: ProductInput): ProductInput {
  const name = input.name?.trim();
  if (!name) throw new UserError('A product needs a name (--name).');
  if (name.length > 200) throw new UserError(`The name "${name.slice(0, 20)}…" is longer than 200 characters.`);
  if (!Number.isSafeInteger(input.priceFen) || input.priceFen < 0) {
    throw new UserError(`The price must be a non-negative amount in fen, got ${input.priceFen}.`);
  }
  const barcodes = [...new Set((input.barcodes ?? []).map((b) => checkedBarcode(b)))];
  if (input.plu != null && !/^\d{5}$/.test(input.plu)) {
    throw new UserError(`The scale item code (PLU) must be 5 digits, got "${input.plu}".`);
  }
  return { ...input, name, barcodes };
}

function checkedBarcode(b: string): string {
  try {
    return validateBarcode(b);
  } catch (e) {
    if (e instanceof BarcodeError) throw new UserError(e.message[0].toUpperCase() + e.message.slice(1) + '.', 'E_BARCODE');
    throw e;
  }
}

function now(): string {
  return new Date().toISOString();
}

function assertBarcodesFree(db: DB, barcodes: string[], ownId?: number): void {
  for (const b of barcodes) {
    const owner = stmt(db, 'SELECT b.product_id AS id, p.name FROM product_barcodes b JOIN products p ON p.id = b.product_id WHERE b.barcode = ?').get(b) as
      | { id: number; name: string }
      | undefined;
    if (owner && owner.id !== ownId) {
      throw new UserError(`Barcode ${b} already belongs to product #${owner.id} ${owner.name}; remove it there first or update that product.`, 'E_DUPLICATE');
    }
  }
}

function assertPluFree(db: DB, plu: string | null | undefined, ownId?: number): void {
  if (plu == null) return;
  const owner = stmt(db, 'SELECT id, name FROM products WHERE plu = ?').get(plu) as { id: number; name: string } | undefined;
  if (owner && owner.id !== ownId) throw new UserError(`Scale item code ${plu} already belongs to product #${owner.id} ${owner.name}.`, 'E_DUPLICATE');
}

/**
 * Makes `barcodes` the product's full set: product_barcodes (the unique index) and the
 * products.barcodes copy that hot-path reads use. The caller checked they are free.
 */
export function setBarcodes(db: DB, productId: number, barcodes: string[]): void {
  assertInTransaction(db, 'setBarcodes');
  const sorted = [...new Set(barcodes)].sort();
  stmt(db, 'DELETE FROM product_barcodes WHERE product_id = ?').run(productId);
  for (const b of sorted) stmt(db, 'INSERT INTO product_barcodes (barcode, product_id) VALUES (?, ?)').run(b, productId);
  stmt(db, 'UPDATE products SET barcodes = ? WHERE id = ?').run(sorted.join(','), productId);
}

export function addProduct(db: DB, raw: ProductInput): Product {
  const input = validateProductInput(raw);
  return db.transaction(() => {
    assertBarcodesFree(db, input.barcodes);
    assertPluFree(db, input.plu);
    const info = stmt(
      db,
      `INSERT INTO products (name, pinyin, price_fen, unit, category, weighed, plu, active, updated_at)
       VALUES (@name, @pinyin, @priceFen, @unit, @category, @weighed, @plu, @active, @updatedAt)`,
    ).run({
      name: input.name,
      pinyin: pinyinInitials(input.name),
      priceFen: input.priceFen,
      unit: input.unit ?? '',
      category: input.category ?? '',
      weighed: input.weighed ? 1 : 0,
      plu: input.plu ?? null,
      active: input.active === false ? 0 : 1,
      updatedAt: now(),
    });
    const id = Number(info.lastInsertRowid);
    setBarcodes(db, id, input.barcodes);
    return getProduct(db, id)!;
  })();
}

export interface ProductPatch {
  name?: string;
  priceFen?: number;
  unit?: string;
  category?: string;
  weighed?: boolean;
  plu?: string | null;
  active?: boolean;
  addBarcodes?: string[];
  removeBarcodes?: string[];
}

export function updateProduct(db: DB, id: number, patch: ProductPatch): Product {
  return db.transaction(() => {
    const cur = getProduct(db, id);
    if (!cur) throw new NotFoundError(`No product #${id}.`);
    const remove = new Set((patch.removeBarcodes ?? []).map((b) => b.trim()));
    for (const b of remove) {
      if (!cur.barcodes.includes(b)) throw new UserError(`Product #${id} has no barcode ${b}; it has ${cur.barcodes.join(', ') || 'none'}.`);
    }
    const next = validateProductInput({
      name: patch.name ?? cur.name,
      priceFen: patch.priceFen ?? cur.priceFen,
      unit: patch.unit ?? cur.unit,
      category: patch.category ?? cur.category,
      weighed: patch.weighed ?? cur.weighed,
      plu: patch.plu === undefined ? cur.plu : patch.plu,
      active: patch.active ?? cur.active,
      barcodes: [...cur.barcodes.filter((b) => !remove.has(b)), ...(patch.addBarcodes ?? [])],
    });
    assertBarcodesFree(db, next.barcodes, id);
    assertPluFree(db, next.plu, id);
    stmt(
      db,
      `UPDATE products SET name = @name, pinyin = @pinyin, price_fen = @priceFen, unit = @unit, category = @category,
         weighed = @weighed, plu = @plu, active = @active, updated_at = @updatedAt WHERE id = @id`,
    ).run({
      id,
      name: next.name,
      pinyin: next.name === cur.name ? cur.pinyin : pinyinInitials(next.name),
      priceFen: next.priceFen,
      unit: next.unit ?? '',
      category: next.category ?? '',
      weighed: next.weighed ? 1 : 0,
      plu: next.plu ?? null,
      active: next.active === false ? 0 : 1,
      updatedAt: now(),
    });
    setBarcodes(db, id, next.barcodes);
    return getProduct(db, id)!;
  })();
}

export function removeProduct(db: DB, id: number): Product {
  return db.transaction(() => {
    const cur = getProduct(db, id);
    if (!cur) throw new NotFoundError(`No product #${id}.`);
    // Sales keep their own copy of name and price, so a removed product leaves history intact.
    stmt(db, 'DELETE FROM products WHERE id = ?').run(id);
    return cur;
  })();
}
