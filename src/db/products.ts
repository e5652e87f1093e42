// products + product_barcodes, readers: the local catalog as the checkout and admin reads see it.
// Cached prepared statements on indexed columns (barcode lookup is the checkout's hot path).
// Writers live in products-write.ts so that reads never load the pinyin dictionary.
import type { Product } from '../core/types.js';
import { NotFoundError, UserError } from '../errors.js';
import { stmt, type DB } from './open.js';

export interface ProductRow {
  id: number;
  name: string;
  pinyin: string;
  price_fen: number;
  unit: string;
  category: string;
  weighed: number;
  plu: string | null;
  active: number;
  updated_at: string;
  barcodes: string;
}

const SELECT = 'SELECT p.* FROM products p';

function toProduct(r: ProductRow): Product {
  return {
    id: r.id,
    name: r.name,
    pinyin: r.pinyin,
    priceFen: r.price_fen,
    unit: r.unit,
    category: r.category,
    weighed: r.weighed === 1,
    plu: r.plu,
    barcodes: r.barcodes ? r.barcodes.split(',') : [],
    active: r.active === 1,
    updatedAt: r.updated_at,
  };
}

// ---- readers ----------------------------------------------------------------------------

export function findProductByBarcode(db: DB, barcode: string): Product | undefined {
  const r = stmt(db, 'SELECT p.* FROM product_barcodes b JOIN products p ON p.id = b.product_id WHERE b.barcode = ?').get(barcode) as ProductRow | undefined;
  return r && toProduct(r);
}

export function findProductByPlu(db: DB, plu: string): Product | undefined {
  const r = stmt(db, `${SELECT} WHERE p.plu = ?`).get(plu) as ProductRow | undefined;
  return r && toProduct(r);
}

export function getProduct(db: DB, id: number): Product | undefined {
  const r = stmt(db, `${SELECT} WHERE p.id = ?`).get(id) as ProductRow | undefined;
  return r && toProduct(r);
}

/** HQ's id of a product that came from HQ's catalog (sync), or null for a product of this till. */
export function hqIdOf(db: DB, id: number): number | null {
  return (stmt(db, 'SELECT hq_id FROM products WHERE id = ?').get(id) as { hq_id: number | null } | undefined)?.hq_id ?? null;
}

/**
 * Refuses a local change to a product from HQ's catalog: HQ wins on its fields (DESIGN.md), so
 * a local price would hold only until HQ next changed the product, and HQ would not know it.
 */
export function assertLocalProduct(db: DB, p: Pick<Product, 'id' | 'name'>, what: string): void {
  if (hqIdOf(db, p.id) !== null) {
    throw new UserError(`Product #${p.id} ${p.name} comes from HQ's catalog, so it cannot be ${what} here; change it at HQ (till hq products …), and the till gets the change at its next sync.`, 'E_HQ_PRODUCT');
  }
}

/** A product by barcode, or by numeric id when written as "#12" or a bare id that is no barcode. */
export function resolveProduct(db: DB, ref: string): Product {
  const byCode = findProductByBarcode(db, ref.trim());
  if (byCode) return byCode;
  const m = /^#?(\d{1,9})$/.exec(ref.trim());
  const byId = m ? getProduct(db, Number(m[1])) : undefined;
  if (byId) return byId;
  throw new NotFoundError(`No product with barcode or id "${ref}". Try \`till products list --search ${ref}\`.`);
}

export interface ListOptions {
  search?: string;
  category?: string;
  limit?: number;
  offset?: number;
  includeInactive?: boolean;
}

/**
 * Lists products. A search matches a barcode (prefix), a name substring or pinyin initials
 * (prefix or substring: "kkkl" finds 可口可乐).
 */
export function listProducts(db: DB, opts: ListOptions = {}): Product[] {
  const where: string[] = [];
  const params: Record<string, unknown> = {};
  if (!opts.includeInactive) where.push('p.active = 1');
  if (opts.category) {
    where.push('p.category = @category');
    params.category = opts.category;
  }
  const q = opts.search?.trim();
  if (q) {
    params.like = `%${escapeLike(q)}%`;
    params.prefix = `${escapeLike(q)}%`;
    params.py = `%${escapeLike(q.toLowerCase())}%`;
    where.push(`(p.name LIKE @like ESCAPE '\\' OR p.pinyin LIKE @py ESCAPE '\\'
      OR p.id IN (SELECT product_id FROM product_barcodes WHERE barcode LIKE @prefix ESCAPE '\\'))`);
  }
  params.limit = opts.limit ?? -1;
  params.offset = opts.offset ?? 0;
  // Exact pinyin-prefix and name-prefix matches first, so "kkkl" puts 可口可乐 on top.
  const order = q
    ? `ORDER BY (p.pinyin LIKE @prefixLower ESCAPE '\\') DESC, (p.name LIKE @prefix ESCAPE '\\') DESC, length(p.name), p.id`
    : 'ORDER BY p.id';
  if (q) params.prefixLower = `${escapeLike(q.toLowerCase())}%`;
  const sql = `${SELECT} ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ${order} LIMIT @limit OFFSET @offset`;
  return (stmt(db, sql).all(params) as ProductRow[]).map(toProduct);
}

export function countProducts(db: DB): number {
  return (stmt(db, 'SELECT count(*) AS n FROM products').get() as { n: number }).n;
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}


type ProductTuple = [number, string, string, number, string, string, number, string | null, string, number, string];

/**
 * Every product (inactive too) in id order, a page at a time, without loading them all (exports).
 * Rows come from SQLite as arrays: better-sqlite3 builds a keyed object per row at about twice
 * the cost (1M products: 2.7 s → 1.4 s).
 */
export function* iterateProducts(db: DB, pageSize = 1000): Generator<Product> {
  const page = stmt(db, 'SELECT id, name, pinyin, price_fen, unit, category, weighed, plu, barcodes, active, updated_at FROM products WHERE id > ? ORDER BY id LIMIT ?').raw(true);
  let after = 0;
  for (;;) {
    const rows = page.all(after, pageSize) as ProductTuple[];
    if (rows.length === 0) return;
    for (const [id, name, pinyin, priceFen, unit, category, weighed, plu, barcodes, active, updatedAt] of rows) {
      yield { id, name, pinyin, priceFen, unit, category, weighed: weighed === 1, plu, barcodes: barcodes ? barcodes.split(',') : [], active: active === 1, updatedAt };
    }
    after = rows[rows.length - 1][0];
  }
}
