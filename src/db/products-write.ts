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

// ---- bulk import (till products import, HQ catalog files) --------------------------------

export type UpsertOutcome = 'added' | 'updated' | 'unchanged';

export interface BulkRow {
  product: ProductInput;
  /** Pinyin initials of product.name when the caller computed them (import workers). */
  pinyin?: string;
}

export type BulkResult = { outcome: UpsertOutcome; id: number } | { error: string };

interface BulkProductRow {
  id: number;
  name: string;
  pinyin: string;
  price_fen: number;
  unit: string;
  category: string;
  weighed: number;
  plu: string | null;
  barcodes: string;
}

/**
 * Adds or updates many products in one transaction, with the invariants of addProduct and
 * updateProduct (validation, pinyin initials, product_barcodes and the products.barcodes copy).
 * A row is matched by any of its barcodes, else by its PLU. Fields a row leaves undefined
 * (unit, category, weighed, plu) keep their current value; barcodes are only ever added. A row
 * equal to the product it matches is not written ('unchanged'), so importing a file twice
 * changes nothing. A row that cannot be applied gets an error; the others are still written.
 * `dryRun` computes the same results and rolls everything back.
 */
export function upsertProducts(db: DB, rows: BulkRow[], opts: { dryRun?: boolean } = {}): BulkResult[] {
  const run = db.transaction((): BulkResult[] => {
    const updatedAt = now();
    // Owners of every barcode in the batch, fetched at once; codes added below are recorded too.
    const codes: string[] = [];
    for (const r of rows) for (const b of r.product.barcodes ?? []) codes.push(b.trim());
    const owner = new Map<string, number>();
    const current = new Map<number, BulkProductRow>();
    const found = stmt(
      db,
      `SELECT b.barcode AS code, p.id, p.name, p.pinyin, p.price_fen, p.unit, p.category, p.weighed, p.plu, p.barcodes
         FROM json_each(?) j JOIN product_barcodes b ON b.barcode = j.value JOIN products p ON p.id = b.product_id`,
    ).all(JSON.stringify(codes)) as Array<BulkProductRow & { code: string }>;
    for (const f of found) {
      owner.set(f.code, f.id);
      current.set(f.id, f);
    }
    const byPlu = stmt(db, 'SELECT id, name, pinyin, price_fen, unit, category, weighed, plu, barcodes FROM products WHERE plu = ?');
    const insert = stmt(
      db,
      `INSERT INTO products (name, pinyin, price_fen, unit, category, weighed, plu, barcodes, active, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?)`,
    );
    const insertCode = stmt(db, 'INSERT INTO product_barcodes (barcode, product_id) VALUES (?, ?)');
    const update = stmt(db, 'UPDATE products SET name = ?, pinyin = ?, price_fen = ?, unit = ?, category = ?, weighed = ?, plu = ?, updated_at = ? WHERE id = ?');

    return rows.map((row): BulkResult => {
      let input: ProductInput;
      try {
        input = validateProductInput(row.product);
      } catch (e) {
        if (e instanceof UserError) return { error: e.message };
        throw e;
      }
      const ids = new Set<number>();
      for (const b of input.barcodes) {
        const id = owner.get(b);
        if (id !== undefined) ids.add(id);
      }
      if (ids.size > 1) {
        const [a, b] = [...ids];
        return { error: `its barcodes belong to two products, #${a} ${current.get(a)?.name} and #${b} ${current.get(b)?.name}; give each row the codes of one product` };
      }
      let cur = ids.size === 1 ? current.get([...ids][0]) : undefined;
      if (input.plu != null) {
        const pluOwner = byPlu.get(input.plu) as BulkProductRow | undefined;
        if (!cur && pluOwner) cur = current.get(pluOwner.id) ?? pluOwner;
        else if (cur && pluOwner && pluOwner.id !== cur.id) {
          return { error: `PLU ${input.plu} already belongs to product #${pluOwner.id} ${pluOwner.name}` };
        }
      }
      if (!cur) {
        const sorted = [...input.barcodes].sort();
        const pinyin = row.pinyin ?? pinyinInitials(input.name);
        const info = insert.run(input.name, pinyin, input.priceFen, input.unit ?? '', input.category ?? '', input.weighed ? 1 : 0, input.plu ?? null, sorted.join(','), updatedAt);
        const id = Number(info.lastInsertRowid);
        for (const b of sorted) {
          insertCode.run(b, id);
          owner.set(b, id);
        }
        current.set(id, { id, name: input.name, pinyin, price_fen: input.priceFen, unit: input.unit ?? '', category: input.category ?? '', weighed: input.weighed ? 1 : 0, plu: input.plu ?? null, barcodes: sorted.join(',') });
        return { outcome: 'added', id };
      }
      const have = cur.barcodes ? cur.barcodes.split(',') : [];
      const extra = input.barcodes.filter((b) => !have.includes(b));
      const next: BulkProductRow = {
        id: cur.id,
        name: input.name,
        pinyin: input.name === cur.name ? cur.pinyin : (row.pinyin ?? pinyinInitials(input.name)),
        price_fen: input.priceFen,
        unit: input.unit ?? cur.unit,
        category: input.category ?? cur.category,
        weighed: input.weighed === undefined ? cur.weighed : input.weighed ? 1 : 0,
        plu: input.plu ?? cur.plu,
        barcodes: extra.length ? [...have, ...extra].sort().join(',') : cur.barcodes,
      };
      const same =
        extra.length === 0 &&
        next.name === cur.name &&
        next.price_fen === cur.price_fen &&
        next.unit === cur.unit &&
        next.category === cur.category &&
        next.weighed === cur.weighed &&
        next.plu === cur.plu;
      if (same) return { outcome: 'unchanged', id: cur.id };
      update.run(next.name, next.pinyin, next.price_fen, next.unit, next.category, next.weighed, next.plu, updatedAt, cur.id);
      if (extra.length) {
        setBarcodes(db, cur.id, next.barcodes.split(','));
        for (const b of extra) owner.set(b, cur.id);
      }
      current.set(cur.id, next);
      return { outcome: 'updated', id: cur.id };
    });
  });
  if (!opts.dryRun) return run.immediate();
  let results: BulkResult[] = [];
  try {
    db.transaction(() => {
      results = run();
      throw ROLLBACK;
    }).immediate();
  } catch (e) {
    if (e !== ROLLBACK) throw e;
  }
  return results;
}

const ROLLBACK = Symbol('rollback');
