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
 * (prefix or substring: "kkkl" finds 可口可乐); see searchProducts for the order.
 */
export function listProducts(db: DB, opts: ListOptions = {}): Product[] {
  if (opts.search?.trim()) return searchProducts(db, opts.search, opts.limit, opts).items;
  const where: string[] = [];
  const params: Record<string, unknown> = { limit: opts.limit ?? -1, offset: opts.offset ?? 0 };
  if (!opts.includeInactive) where.push('p.active = 1');
  if (opts.category) {
    where.push('p.category = @category');
    params.category = opts.category;
  }
  const sql = `${SELECT} ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY p.id LIMIT @limit OFFSET @offset`;
  return (stmt(db, sql).all(params) as ProductRow[]).map(toProduct);
}

export function countProducts(db: DB): number {
  return (stmt(db, 'SELECT count(*) AS n FROM products').get() as { n: number }).n;
}

/**
 * For a bulk writer, inside its own transaction: the search index of the products it adds from
 * now on is written by the returned function, in one statement, instead of by a trigger per
 * row (FTS5 flushes at the end of every statement that changed it: see migration 33). Call it
 * before COMMIT; a ROLLBACK undoes both.
 */
export function deferSearchIndex(db: DB): () => void {
  if (!db.inTransaction) throw new Error('deferSearchIndex must run inside the writer\'s transaction');
  const after = stmt(db, 'SELECT coalesce(max(id), 0) FROM products').pluck().get() as number;
  stmt(db, 'INSERT INTO product_search_deferred (after) VALUES (?)').run(after);
  return () => {
    stmt(db, 'DELETE FROM product_search_deferred').run();
    stmt(db, 'INSERT INTO product_search (rowid, text) SELECT search_rowid, text FROM product_search_rows WHERE id > ? ORDER BY id').run(after);
  };
}

// ---- search -----------------------------------------------------------------------------

export interface SearchResult {
  items: Product[];
  /** More products match than `limit`: the screen says "50+", not "50". */
  capped: boolean;
}

export type SearchOptions = Pick<ListOptions, 'category' | 'offset' | 'includeInactive'>;

/**
 * Products matching what the cashier typed: a barcode prefix, a name substring or pinyin
 * initials (prefix or substring), all ASCII-case-insensitive as SQL's LIKE. Order: pinyin
 * starts with the query, then name starts with it ("kkkl" puts 可口可乐 on top), then the
 * shortest name, then id. Without `limit`, every match.
 *
 * The product_search index (migration 33) gives the candidates of each of the four ranks in
 * turn; each candidate is checked against products with the LIKE conditions, so the index may
 * over-match but the result is exactly what scanning every product would give.
 */
export function searchProducts(db: DB, query: string, limit?: number, opts: SearchOptions = {}): SearchResult {
  const q = query.trim();
  const offset = opts.offset ?? 0;
  if (!q) {
    const items = listProducts(db, { ...opts, limit: limit === undefined ? undefined : limit + 1 });
    return { items: items.slice(0, limit), capped: limit !== undefined && items.length > limit };
  }
  const want = limit === undefined ? Infinity : offset + limit + 1;
  const lower = q.toLowerCase();
  const params: Record<string, unknown> = {
    like: `%${escapeLike(q)}%`,
    prefix: `${escapeLike(q)}%`,
    py: `%${escapeLike(lower)}%`,
    prefixLower: `${escapeLike(lower)}%`,
    codes: `%,${escapeLike(q)}%`,
  };
  if (opts.category) params.category = opts.category;
  const filters = `${opts.includeInactive ? '' : 'p.active = 1 AND '}${opts.category ? 'p.category = @category AND ' : ''}`;
  // A barcode starts with q when ",q" is in ",<the product's barcodes>" (codes hold no comma).
  const codePrefix = q.includes(',') ? BARCODE_PREFIX : "(',' || p.barcodes) LIKE @codes ESCAPE '\\'";
  const pinyinPrefix = termsContaining(db, `\u0003${lower}`);
  const namePrefix = termsContaining(db, `\u0002${q}`);
  const ranks: Rank[] = [
    { where: `${PINYIN_PREFIX} AND ${NAME_PREFIX}`, match: pinyinPrefix && namePrefix && `(${pinyinPrefix}) AND (${namePrefix})` },
    { where: `${PINYIN_PREFIX} AND NOT ${NAME_PREFIX}`, match: pinyinPrefix },
    { where: `NOT ${PINYIN_PREFIX} AND ${NAME_PREFIX}`, match: namePrefix },
    {
      where: `NOT ${PINYIN_PREFIX} AND NOT ${NAME_PREFIX} AND (p.name LIKE @like ESCAPE '\\' OR p.pinyin LIKE @py ESCAPE '\\' OR ${codePrefix})`,
      match: () => termsContaining(db, q),
      barcodes: q,
    },
  ];
  const oneChar = [...q].length === 1;
  const found: Product[] = [];
  for (const rank of ranks) {
    if (found.length >= want) break;
    const need = want - found.length;
    const check = stmt(db, `${SELECT} WHERE p.id = @id AND ${filters}${rank.where}`);
    /** Checks candidates (rowids, in the search's order) until `need` products pass. */
    const take = (rowids: number[], out: Product[]) => {
      for (const rowid of rowids) {
        if (out.length >= need) break;
        const r = check.get({ ...params, id: Math.floor(rowid / ROWID_LEN) }) as ProductRow | undefined;
        if (r) out.push(toProduct(r));
      }
      return out;
    };
    // The first rows of the search's order, when they hold enough matches, are the answer.
    const walk = (rows: number) => (need === Infinity ? [] : (stmt(db, WALK(filters + rank.where)).all({ ...params, w: rows, n: need }) as ProductRow[]));
    if (rank.match === null) continue;
    // A query of one character usually matches many products (and its index terms are
    // costly to gather): walk first, and further.
    let walked = oneChar ? walk(WALK_ROWS_SHORT) : undefined;
    if (walked && walked.length >= need) {
      found.push(...walked.map(toProduct));
      continue;
    }
    const match = typeof rank.match === 'function' ? rank.match() : rank.match;
    if (!match && rank.barcodes === undefined) continue;
    const first = firstCandidates(db, match, rank.barcodes);
    if (first.rowids.length < MANY) {
      found.push(...take([...new Set(first.rowids)].sort(bySearchOrder), []));
      continue;
    }
    // The first MANY candidates by id say how common matches are; walking pays when they are
    // common enough for the walk to meet `need` of them (twice over, as they need not be
    // spread evenly over name lengths).
    if (!walked && first.share * WALK_ROWS >= 2 * need) walked = walk(WALK_ROWS);
    if (walked && walked.length >= need) {
      found.push(...walked.map(toProduct));
      continue;
    }
    // Many matches, few of them among the shortest names: the index sorts its candidates (by
    // rowid: name length, id) and the first few are checked.
    for (let k = need === Infinity ? -1 : need * 2 + 16; ; k *= 4) {
      const top = topCandidates(db, match, rank.barcodes, k);
      const got = take(top, []);
      if (got.length >= need || k < 0 || top.length < k) {
        found.push(...got);
        break;
      }
    }
  }
  const end = limit === undefined ? found.length : offset + limit;
  return { items: found.slice(offset, end), capped: found.length > end };
}

interface Rank {
  /** The rank's exact condition on products p. */
  where: string;
  /** FTS5 query for its candidates in product_search, null when none can match. */
  match: string | null | (() => string | null);
  /** Also candidates: products with a barcode that starts with this. */
  barcodes?: string;
}

const PINYIN_PREFIX = "p.pinyin LIKE @prefixLower ESCAPE '\\'";
const NAME_PREFIX = "p.name LIKE @prefix ESCAPE '\\'";
const BARCODE_PREFIX = "EXISTS (SELECT 1 FROM product_barcodes b WHERE b.product_id = p.id AND b.barcode LIKE @prefix ESCAPE '\\')";
/** product_search's rowid is id × ROWID_LEN + the name's length (migration 33). */
const ROWID_LEN = 1024;
const bySearchOrder = (a: number, b: number) => (a % ROWID_LEN) - (b % ROWID_LEN) || a - b;
/** Up to this many candidates are read in id order and sorted here. */
const MANY = 2000;
/**
 * Rows of the search's order walked for a query with more candidates, before sorting them. A
 * walk reads products (~10× the cost of a candidate in the sort), so it is kept short: it wins
 * when matches are common among the shortest names, and costs little when they are not.
 * CROSS JOIN keeps the walk the outer loop, so rows come in its order and the walk stops at
 * LIMIT (given a free hand, the planner scans products whole).
 */
const WALK_ROWS = 2000;
/** A query of one character walks further: it often matches a good share of the catalog. */
const WALK_ROWS_SHORT = 5000;
const WALK = (where: string) => `SELECT p.* FROM (SELECT id FROM products INDEXED BY products_name_length ORDER BY length(name), id LIMIT @w) w
  CROSS JOIN products p ON p.id = w.id WHERE ${where} LIMIT @n`;
const LAST_CHAR = '\u{10FFFF}';

/**
 * An FTS5 query for the products whose indexed text contains `s` (a query, maybe after a
 * marker), or null when none can. Three characters or more: each of their trigrams. Fewer:
 * any term (trigram) that starts with them, read from the index's vocabulary.
 */
function termsContaining(db: DB, s: string): string | null {
  const chars = [...s];
  if (chars.length >= 3) {
    const grams = new Set<string>();
    for (let i = 0; i + 3 <= chars.length; i++) grams.add(chars.slice(i, i + 3).join(''));
    return [...grams].map(quote).join(' AND ');
  }
  const folded = s.toLowerCase();
  const terms = stmt(db, 'SELECT term FROM product_search_terms WHERE term >= ? AND term < ?').pluck().all(folded, folded + LAST_CHAR) as string[];
  return terms.length ? terms.map(quote).join(' OR ') : null;
}

function quote(term: string): string {
  return `"${term.replace(/"/g, '""')}"`;
}

/** Products with a barcode that starts with `code`, as product_search rowids (SQL). */
const BY_CODE = (order: string) => `SELECT p.id * ${ROWID_LEN} + min(length(p.name), ${ROWID_LEN - 1}) AS r
  FROM product_barcodes b JOIN products p ON p.id = b.product_id
  WHERE b.barcode >= ? AND b.barcode < ? AND b.barcode LIKE ? ESCAPE '\\' ${order} LIMIT ?`;

/**
 * Runs `select(low, high, like)` over the barcode index for the codes that start with `code` as
 * LIKE sees it (ASCII letters in either case): the part before the first letter, and that
 * letter in both cases.
 */
function byCode(code: string, select: (low: string, high: string, like: string) => number[]): number[] {
  const letter = code.search(/[A-Za-z]/);
  const heads = letter < 0 ? [code] : [...new Set([code.slice(0, letter + 1).toLowerCase(), code.slice(0, letter + 1).toUpperCase()])];
  return heads.flatMap((h) => select(h, h + LAST_CHAR, `${escapeLike(code)}%`));
}

/**
 * Up to MANY candidates (product_search rowids) in any order, and the share of all products
 * they suggest match: when the index alone gave MANY, they are the first by id, so MANY over the
 * id of the last. (Barcodes give no such measure: taken as 1.)
 */
function firstCandidates(db: DB, match: string | null, code: string | undefined): { rowids: number[]; share: number } {
  const rowids = match ? (stmt(db, 'SELECT rowid FROM product_search WHERE product_search MATCH ? LIMIT ?').pluck().all(match, MANY) as number[]) : [];
  if (rowids.length >= MANY) return { rowids, share: MANY / Math.floor(rowids[MANY - 1] / ROWID_LEN) };
  if (code !== undefined) {
    const select = stmt(db, BY_CODE('')).pluck();
    rowids.push(...byCode(code, (low, high, like) => select.all(low, high, like, MANY) as number[]));
  }
  return { rowids, share: 1 };
}

/** The first `limit` candidates in the search's order (-1: all). */
function topCandidates(db: DB, match: string | null, code: string | undefined, limit: number): number[] {
  const order = `ORDER BY r % ${ROWID_LEN}, r`;
  const out = match ? (stmt(db, `SELECT rowid AS r FROM product_search WHERE product_search MATCH ? ${order} LIMIT ?`).pluck().all(match, limit) as number[]) : [];
  if (code !== undefined) {
    const select = stmt(db, BY_CODE(order)).pluck();
    out.push(...byCode(code, (low, high, like) => select.all(low, high, like, limit) as number[]));
  }
  const sorted = [...new Set(out)].sort(bySearchOrder);
  return limit < 0 ? sorted : sorted.slice(0, limit);
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
