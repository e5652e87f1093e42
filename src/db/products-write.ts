// products + product_barcodes, writers: validate, compute pinyin initials once, write in a
// transaction. Kept apart from the readers because pinyin-pro is heavy to load.
import { BarcodeError, validateBarcode } from '../core/barcode.js';
import { LIMITS, productTextProblem } from '../core/limits.js';
import { pinyinInitials } from '../core/pinyin.js';
import type { Product } from '../core/types.js';
import { NotFoundError, UserError } from '../errors.js';
import { assertInTransaction, stmt, type DB } from './open.js';
import { getProduct, type ProductRow } from './products.js';

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
  // The limits HQ holds a sale's line and a catalog product to (core/limits.ts).
  const text = productTextProblem({ name, unit: input.unit, category: input.category });
  if (text) throw new UserError(`${text[0].toUpperCase()}${text.slice(1)}.`);
  if (!Number.isSafeInteger(input.priceFen) || input.priceFen < 0) {
    throw new UserError(`The price must be a non-negative amount in fen, got ${input.priceFen}.`);
  }
  const barcodes = [...new Set((input.barcodes ?? []).map((b) => checkedBarcode(b)))];
  if (barcodes.length > LIMITS.productBarcodes) throw new UserError(`A product may have at most ${LIMITS.productBarcodes} barcodes, got ${barcodes.length}.`);
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

// ---- bulk import (till products import) --------------------------------------------------

export interface BulkRow {
  product: ProductInput;
  /** Pinyin initials of product.name when the caller computed them (import workers). */
  pinyin?: string;
}

export interface BulkOutcome {
  added: number;
  updated: number;
  unchanged: number;
  /** Rows that could not be applied, by their index in the batch. */
  errors: Array<{ index: number; error: string }>;
}

/** What the bulk path reads of a product: its row without the flags it never changes, and HQ's id. */
type BulkProductRow = Omit<ProductRow, 'active' | 'updated_at'> & { hq_id: number | null };

const PRODUCT_COLUMNS = 'id, name, pinyin, price_fen, unit, category, weighed, plu, barcodes, hq_id';
/** A barcode, then PRODUCT_COLUMNS of the product that has it. */
type FoundRow = [string, number, string, string, number, string, string, number, string | null, string, number | null];
/** New products go in with one INSERT of this many rows (fewer calls into SQLite). */
const INSERT_ROWS = 50;
const INSERT_ONE = '(?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)';
const insertSql = (n: number) =>
  `INSERT INTO products (id, name, pinyin, price_fen, unit, category, weighed, plu, barcodes, active, updated_at) VALUES ${Array(n).fill(INSERT_ONE).join(', ')}`;
const INSERT_MANY = insertSql(INSERT_ROWS);
const INSERT_SINGLE = insertSql(1);
/** product_barcodes rows of new one-barcode products, straight from their barcodes copy. */
const COPY_CODES = `INSERT INTO product_barcodes (barcode, product_id)
  SELECT barcodes, id FROM products WHERE id BETWEEN ? AND ? AND barcodes <> '' AND instr(barcodes, ',') = 0`;

/**
 * Adds or updates many products in one transaction, with the invariants of addProduct and
 * updateProduct (validation, pinyin initials, product_barcodes and the products.barcodes copy).
 * A row is matched by any of its barcodes, else by its PLU. Fields a row leaves undefined
 * (unit, category, weighed, plu) keep their current value; barcodes are only ever added. A row
 * equal to the product it matches is not written ('unchanged'), so importing a file twice
 * changes nothing. A row that cannot be applied gets an error; the others are still written.
 * `dryRun` computes the same outcome and rolls everything back.
 */
export function upsertProducts(db: DB, rows: BulkRow[], opts: { dryRun?: boolean; validated?: boolean } = {}): BulkOutcome {
  const run = db.transaction((): BulkOutcome => {
    const out: BulkOutcome = { added: 0, updated: 0, unchanged: 0, errors: [] };
    const updatedAt = now();
    // Owners of the batch's barcodes, fetched at once; codes added below are recorded too.
    const codes: string[] = [];
    for (const r of rows) for (const b of r.product.barcodes ?? []) codes.push(b.trim());
    const owner = new Map<string, number>();
    const current = new Map<number, BulkProductRow>();
    // Rows as arrays: better-sqlite3 builds objects row by row at about twice the cost.
    const found = stmt(
      db,
      `SELECT b.barcode, ${PRODUCT_COLUMNS.replace(/(\w+)/g, 'p.$1')} FROM json_each(?) j
         JOIN product_barcodes b ON b.barcode = j.value JOIN products p ON p.id = b.product_id`,
    )
      .raw(true)
      .all(JSON.stringify(codes)) as FoundRow[];
    for (const f of found) {
      owner.set(f[0], f[1]);
      if (!current.has(f[1])) current.set(f[1], { id: f[1], name: f[2], pinyin: f[3], price_fen: f[4], unit: f[5], category: f[6], weighed: f[7], plu: f[8], barcodes: f[9], hq_id: f[10] });
    }
    const byPlu = stmt(db, `SELECT ${PRODUCT_COLUMNS} FROM products WHERE plu = ?`);
    const byId = stmt(db, `SELECT ${PRODUCT_COLUMNS} FROM products WHERE id = ?`);
    const update = stmt(db, 'UPDATE products SET name = ?, pinyin = ?, price_fen = ?, unit = ?, category = ?, weighed = ?, plu = ?, updated_at = ? WHERE id = ?');
    const insertCode = stmt(db, 'INSERT INTO product_barcodes (barcode, product_id) VALUES (?, ?)');

    // New products wait here and go in INSERT_ROWS at a time. Their ids are given here (we
    // hold the write lock), so later rows of the batch can find them.
    const firstNew = (stmt(db, 'SELECT coalesce(max(id), 0) + 1 AS n FROM products').get() as { n: number }).n;
    let nextId = firstNew;
    let pending: unknown[] = [];
    /** Codes of new products with more than one barcode (one-barcode ones are copied in SQL). */
    let pendingCodes: Array<string | number> = [];
    let flushedTo = firstNew;
    const pluOfNew = new Map<string, number>();
    const width = 10; // values per product row in INSERT_ONE
    const flush = () => {
      let i = 0;
      for (; i + INSERT_ROWS * width <= pending.length; i += INSERT_ROWS * width) stmt(db, INSERT_MANY).run(pending.slice(i, i + INSERT_ROWS * width));
      for (; i < pending.length; i += width) stmt(db, INSERT_SINGLE).run(pending.slice(i, i + width));
      if (nextId > flushedTo) stmt(db, COPY_CODES).run(flushedTo, nextId - 1);
      for (let k = 0; k < pendingCodes.length; k += 2) insertCode.run(pendingCodes[k], pendingCodes[k + 1]);
      flushedTo = nextId;
      pending = [];
      pendingCodes = [];
    };

    for (let index = 0; index < rows.length; index++) {
      const row = rows[index];
      let input: ProductInput;
      try {
        // Rows of an import file were validated as they were read (src/import/rows.ts).
        input = opts.validated ? row.product : validateProductInput(row.product);
      } catch (e) {
        if (e instanceof UserError) {
          out.errors.push({ index, error: e.message });
          continue;
        }
        throw e;
      }
      let id: number | undefined;
      let other: number | undefined;
      for (const b of input.barcodes) {
        const o = owner.get(b);
        if (o === undefined) continue;
        if (id === undefined) id = o;
        else if (o !== id) other = o;
      }
      if (other !== undefined) {
        const name = (x: number) => (current.get(x) ?? (byId.get(x) as BulkProductRow | undefined))?.name ?? '';
        out.errors.push({ index, error: `its barcodes belong to two products, #${id} ${name(id!)} and #${other} ${name(other)}; give each row the codes of one product` });
        continue;
      }
      if (input.plu != null) {
        const pluId = pluOfNew.get(input.plu) ?? (byPlu.get(input.plu) as BulkProductRow | undefined)?.id;
        if (id === undefined) id = pluId;
        else if (pluId !== undefined && pluId !== id) {
          const holder = pluId >= firstNew ? undefined : (byId.get(pluId) as BulkProductRow);
          out.errors.push({ index, error: `PLU ${input.plu} already belongs to product #${pluId}${holder ? ' ' + holder.name : ''}` });
          continue;
        }
      }

      if (id === undefined) {
        const sorted = input.barcodes.length > 1 ? [...input.barcodes].sort() : input.barcodes;
        const plu = input.plu ?? null;
        pending.push(nextId, input.name, row.pinyin ?? pinyinInitials(input.name), input.priceFen, input.unit ?? '', input.category ?? '', input.weighed ? 1 : 0, plu, sorted.join(','), updatedAt);
        for (const b of sorted) {
          if (sorted.length > 1) pendingCodes.push(b, nextId);
          owner.set(b, nextId);
        }
        if (plu !== null) pluOfNew.set(plu, nextId);
        nextId++;
        out.added++;
        if (pending.length >= INSERT_ROWS * width * 4) flush();
        continue;
      }

      // A product added earlier in this batch is written before it is changed.
      if (id >= firstNew) flush();
      const cur = current.get(id) ?? (byId.get(id) as BulkProductRow);
      // The usual re-import: same single barcode, same fields — decided without allocating.
      const weighed = input.weighed === undefined ? cur.weighed : input.weighed ? 1 : 0;
      if (
        input.name === cur.name &&
        input.priceFen === cur.price_fen &&
        (input.unit ?? cur.unit) === cur.unit &&
        (input.category ?? cur.category) === cur.category &&
        weighed === cur.weighed &&
        (input.plu ?? cur.plu) === cur.plu &&
        (input.barcodes.length === 0 || (input.barcodes.length === 1 && input.barcodes[0] === cur.barcodes))
      ) {
        out.unchanged++;
        continue;
      }
      const have = cur.barcodes ? cur.barcodes.split(',') : [];
      const extra = input.barcodes.filter((b) => !have.includes(b));
      const next: BulkProductRow = {
        id,
        hq_id: cur.hq_id,
        name: input.name,
        pinyin: input.name === cur.name ? cur.pinyin : (row.pinyin ?? pinyinInitials(input.name)),
        price_fen: input.priceFen,
        unit: input.unit ?? cur.unit,
        category: input.category ?? cur.category,
        weighed: input.weighed === undefined ? cur.weighed : input.weighed ? 1 : 0,
        plu: input.plu ?? cur.plu,
        barcodes: extra.length ? [...have, ...extra].sort().join(',') : cur.barcodes,
      };
      if (
        extra.length === 0 &&
        next.name === cur.name &&
        next.price_fen === cur.price_fen &&
        next.unit === cur.unit &&
        next.category === cur.category &&
        next.weighed === cur.weighed &&
        next.plu === cur.plu
      ) {
        out.unchanged++;
        continue;
      }
      if (cur.hq_id !== null) {
        // HQ wins on its products' fields (see assertLocalProduct in db/products.ts).
        out.errors.push({ index, error: `product #${id} ${cur.name} comes from HQ's catalog; change it at HQ, not in a till's import` });
        continue;
      }
      update.run(next.name, next.pinyin, next.price_fen, next.unit, next.category, next.weighed, next.plu, updatedAt, id);
      if (extra.length) {
        setBarcodes(db, id, next.barcodes.split(','));
        for (const b of extra) owner.set(b, id);
      }
      current.set(id, next);
      out.updated++;
    }
    flush();
    return out;
  });
  if (!opts.dryRun) return run.immediate();
  let outcome: BulkOutcome | undefined;
  try {
    db.transaction(() => {
      outcome = run();
      throw ROLLBACK;
    }).immediate();
  } catch (e) {
    if (e !== ROLLBACK) throw e;
  }
  return outcome!;
}

const ROLLBACK = Symbol('rollback');

/**
 * New products for the bulk path, as one JSON array (one statement per batch instead of a
 * bound value per field: SQLite reads the array itself). Each element:
 * [pinyin, name, priceFen, unit|null, category|null, weighed 0|1|null, plu|null, barcodes]
 * where barcodes is the sorted, comma-separated list. Fields left null get the defaults a new
 * product gets from upsertProducts. The JSON text, or its UTF-8 bytes (bound as a blob and
 * read back as text).
 */
export type NewProductsJson = string | Uint8Array;

const INSERT_JSON = `INSERT INTO products (id, name, pinyin, price_fen, unit, category, weighed, plu, barcodes, active, updated_at)
  SELECT ? + key, v->>1, v->>0, v->>2, coalesce(v->>3, ''), coalesce(v->>4, ''), coalesce(v->>5, 0), v->>6, v->>7, 1, ?
  FROM (SELECT key, value AS v FROM jsonb_each(CAST(? AS TEXT)))`;
/** product_barcodes rows of new products with several barcodes (codes hold only [0-9A-Za-z-]). */
const SPLIT_CODES = `INSERT INTO product_barcodes (barcode, product_id)
  SELECT c.value, p.id FROM products p, json_each('["' || replace(p.barcodes, ',', '","') || '"]') c
  WHERE p.id BETWEEN ? AND ? AND instr(p.barcodes, ',') > 0`;

/**
 * Whether any product has one of these barcodes or PLUs (JSON arrays of strings), i.e. whether
 * rows holding them could update a product rather than add one.
 */
export function anyProductHas(db: DB, barcodesJson: string | Uint8Array, plusJson: string | null): boolean {
  if (stmt(db, 'SELECT 1 FROM json_each(CAST(? AS TEXT)) j JOIN product_barcodes b ON b.barcode = j.value LIMIT 1').get(barcodesJson)) return true;
  return plusJson !== null && !!stmt(db, 'SELECT 1 FROM json_each(?) j JOIN products p ON p.plu = j.value LIMIT 1').get(plusJson);
}

/**
 * Adds `count` products that match no product (the caller made sure: anyProductHas, or an
 * import into an empty catalog) and were validated; ids follow the highest one. Runs in the
 * caller's transaction. If a constraint still fails (another process added a product with one
 * of the codes meanwhile) nothing of the batch is left written and it returns false, so the
 * caller can take the rows through upsertProducts.
 */
export function insertNewProducts(db: DB, rows: NewProductsJson, count: number, hasSeveralCodes: boolean): boolean {
  assertInTransaction(db, 'insertNewProducts');
  if (count === 0) return true;
  const first = (stmt(db, 'SELECT coalesce(max(id), 0) + 1 AS n FROM products').get() as { n: number }).n;
  const last = first + count - 1;
  // Each statement is atomic on its own; if a later one fails, the products the first one
  // added (ids from `first`, ours: we hold the write lock) are removed again. Cheaper than a
  // savepoint, which copies every page the batch touches to a sub-journal first.
  try {
    stmt(db, INSERT_JSON).run(first, now(), rows);
  } catch (e) {
    if ((e as { code?: string }).code?.startsWith('SQLITE_CONSTRAINT')) return false;
    throw e;
  }
  try {
    stmt(db, COPY_CODES).run(first, last);
    if (hasSeveralCodes) stmt(db, SPLIT_CODES).run(first, last);
  } catch (e) {
    stmt(db, 'DELETE FROM products WHERE id BETWEEN ? AND ?').run(first, last); // and their product_barcodes rows (ON DELETE CASCADE)
    if ((e as { code?: string }).code?.startsWith('SQLITE_CONSTRAINT')) return false;
    throw e;
  }
  return true;
}
