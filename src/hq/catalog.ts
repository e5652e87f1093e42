// HQ's central catalog: products with one version counter, bumped in every edit transaction
// (each changed row gets its own version, so a page may end anywhere), tombstones for deleted
// rows, and pages of changes since a cursor for the tills (DESIGN.md, "Catalog pull").
// A product may be limited to one store; tills of other stores never see it.
import { BarcodeError, validateBarcode } from '../core/barcode.js';
import { LIMITS, productTextProblem } from '../core/limits.js';
import { NotFoundError, TillError, UserError } from '../errors.js';
import type { ProductPatch } from '../db/products-write.js';
import type { CatalogChange, CatalogPage, CatalogProduct } from '../sync/protocol.js';
import { forUpdate, isUniqueViolation, valuesList, type Queryable, type SqlDriver } from './storage/driver.js';

export interface HqProduct extends CatalogProduct {
  /** null: sold in every store; else only this store's tills receive it. */
  storeCode: string | null;
  version: number;
  updatedAt: string;
}

export interface HqProductInput {
  name: string;
  priceFen: number;
  barcodes?: string[];
  unit?: string;
  category?: string;
  weighed?: boolean;
  plu?: string | null;
  active?: boolean;
  storeCode?: string | null;
}

export interface HqProductPatch extends ProductPatch {
  /** Replace the whole barcode list (imports). */
  barcodes?: string[];
}

interface ProductRow {
  hq_id: number;
  version: number;
  store_code: string | null;
  name: string;
  price_fen: number;
  unit: string;
  category: string;
  weighed: number;
  plu: string | null;
  barcodes: string;
  active: number;
  updated_at: string;
}

const COLUMNS = 'hq_id, version, store_code, name, price_fen, unit, category, weighed, plu, barcodes, active, updated_at';

/** A row as the tills see it in a catalog page (numbers arrive as strings from PostgreSQL). */
function toCatalogProduct(r: Omit<ProductRow, 'version' | 'store_code' | 'updated_at'>): CatalogProduct {
  return {
    hqId: Number(r.hq_id),
    name: r.name,
    priceFen: Number(r.price_fen),
    unit: r.unit,
    category: r.category,
    weighed: Number(r.weighed) === 1,
    plu: r.plu,
    barcodes: r.barcodes ? r.barcodes.split(',') : [],
    active: Number(r.active) === 1,
  };
}

function toProduct(r: ProductRow): HqProduct {
  // The catalog product, completed in place (not a spread into a new object: an import reads
  // one product per row of its file).
  const p = toCatalogProduct(r) as HqProduct;
  p.storeCode = r.store_code;
  p.version = Number(r.version);
  p.updatedAt = r.updated_at;
  return p;
}

/** Same rules as the till's products (src/db/products-write.ts), without loading pinyin. */
export function validateHqProduct(input: HqProductInput): Required<Omit<HqProductInput, 'storeCode'>> & { storeCode: string | null } {
  const name = input.name?.trim() ?? '';
  if (!name) throw new UserError('A product needs a name (--name).');
  // The limits a till's sale of it is held to (core/limits.ts): no control character (a NUL in a
  // name would get every sale of the product quarantined), no field longer than the protocol's.
  const text = productTextProblem({ name, unit: (input.unit ?? '').trim(), category: (input.category ?? '').trim() });
  if (text) throw new UserError(`${text[0].toUpperCase()}${text.slice(1)}.`);
  if (!Number.isSafeInteger(input.priceFen) || input.priceFen < 0) throw new UserError(`The price must be a non-negative amount in fen, got ${input.priceFen}.`);
  const barcodes = [...new Set((input.barcodes ?? []).map(checkedBarcode))].sort();
  if (barcodes.length > LIMITS.productBarcodes) throw new UserError(`A product may have at most ${LIMITS.productBarcodes} barcodes, got ${barcodes.length}.`);
  const plu = input.plu == null || input.plu === '' ? null : input.plu;
  if (plu !== null && !/^\d{5}$/.test(plu)) throw new UserError(`The scale item code (PLU) must be 5 digits, got "${plu}".`);
  const unit = (input.unit ?? '').trim();
  const category = (input.category ?? '').trim();
  return { name, priceFen: input.priceFen, barcodes, unit, category, weighed: input.weighed ?? false, plu, active: input.active ?? true, storeCode: input.storeCode ?? null };
}

function checkedBarcode(b: string): string {
  try {
    return validateBarcode(b);
  } catch (e) {
    if (e instanceof BarcodeError) throw new UserError(e.message[0].toUpperCase() + e.message.slice(1) + '.', 'E_BARCODE');
    throw e;
  }
}

/** Takes `n` new versions from the counter (locking it until commit); returns the first. */
async function takeVersions(q: Queryable, n: number): Promise<number> {
  const row = await q.get<{ version: number }>('UPDATE hq_catalog_state SET version = version + ? WHERE id = 1 RETURNING version', [n]);
  return Number(row!.version) - n + 1;
}

async function productById(q: Queryable, id: number, lock = false): Promise<HqProduct | undefined> {
  const r = await q.get<ProductRow>(`SELECT ${COLUMNS} FROM hq_products WHERE hq_id = ?${lock ? forUpdate(q) : ''}`, [id]);
  return r && toProduct(r);
}

/** A product by barcode, or by id written "#12" (or a bare number that is no barcode). */
export async function resolveHqProduct(q: Queryable, ref: string, lock = false): Promise<HqProduct> {
  const key = ref.trim();
  const byCode = await q.get<{ hq_id: number }>('SELECT hq_id FROM hq_product_barcodes WHERE barcode = ?', [key]);
  if (byCode) return (await productById(q, Number(byCode.hq_id), lock))!;
  const m = /^#?(\d{1,15})$/.exec(key);
  const byId = m ? await productById(q, Number(m[1]), lock) : undefined;
  if (byId) return byId;
  throw new NotFoundError(`No HQ product with barcode or id "${ref}". Try \`till hq products list --search ${ref}\`.`);
}

async function assertFree(q: Queryable, p: { barcodes: string[]; plu: string | null }, ownId?: number): Promise<void> {
  for (const b of p.barcodes) {
    const owner = await q.get<{ hq_id: number; name: string }>(
      'SELECT b.hq_id, p.name FROM hq_product_barcodes b JOIN hq_products p ON p.hq_id = b.hq_id WHERE b.barcode = ?',
      [b],
    );
    if (owner && Number(owner.hq_id) !== ownId) {
      throw new UserError(`Barcode ${b} already belongs to HQ product #${owner.hq_id} ${owner.name}; remove it there first or update that product.`, 'E_DUPLICATE');
    }
  }
  if (p.plu !== null) {
    const owner = await q.get<{ hq_id: number; name: string }>('SELECT hq_id, name FROM hq_products WHERE plu = ?', [p.plu]);
    if (owner && Number(owner.hq_id) !== ownId) throw new UserError(`Scale item code ${p.plu} already belongs to HQ product #${owner.hq_id} ${owner.name}.`, 'E_DUPLICATE');
  }
}

async function assertStore(q: Queryable, storeCode: string | null): Promise<void> {
  if (storeCode === null) return;
  const s = await q.get('SELECT code FROM hq_stores WHERE code = ?', [storeCode]);
  if (!s) throw new NotFoundError(`No store ${storeCode}; add it with \`till hq stores add ${storeCode} --name <name>\`.`);
}

/** Why products cannot be limited to this store (it does not exist), or undefined. */
async function storeError(q: Queryable, storeCode: string | null): Promise<TillError | undefined> {
  try {
    await assertStore(q, storeCode);
    return undefined;
  } catch (e) {
    if (e instanceof TillError) return e;
    throw e;
  }
}

async function setBarcodes(q: Queryable, id: number, barcodes: string[]): Promise<void> {
  await q.run('DELETE FROM hq_product_barcodes WHERE hq_id = ?', [id]);
  for (const b of barcodes) await q.run('INSERT INTO hq_product_barcodes (barcode, hq_id) VALUES (?, ?)', [b, id]);
}

/** Adds a product inside the caller's transaction. */
export async function insertProduct(q: Queryable, raw: HqProductInput, version: number, now: string): Promise<HqProduct> {
  const p = validateHqProduct(raw);
  await assertStore(q, p.storeCode);
  await assertFree(q, p);
  const row = await q.get<{ hq_id: number }>(
    `INSERT INTO hq_products (version, store_code, name, price_fen, unit, category, weighed, plu, barcodes, active, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING hq_id`,
    [version, p.storeCode, p.name, p.priceFen, p.unit, p.category, p.weighed ? 1 : 0, p.plu, p.barcodes.join(','), p.active ? 1 : 0, now],
  );
  const id = Number(row!.hq_id);
  await setBarcodes(q, id, p.barcodes);
  return (await productById(q, id))!;
}

/** Applies a patch inside the caller's transaction. */
export async function patchProduct(q: Queryable, cur: HqProduct, patch: HqProductPatch, version: number, now: string): Promise<HqProduct> {
  const remove = new Set((patch.removeBarcodes ?? []).map((b) => b.trim()));
  for (const b of remove) {
    if (!cur.barcodes.includes(b)) throw new UserError(`HQ product #${cur.hqId} has no barcode ${b}; it has ${cur.barcodes.join(', ') || 'none'}.`);
  }
  const next = validateHqProduct({
    name: patch.name ?? cur.name,
    priceFen: patch.priceFen ?? cur.priceFen,
    unit: patch.unit ?? cur.unit,
    category: patch.category ?? cur.category,
    weighed: patch.weighed ?? cur.weighed,
    plu: patch.plu === undefined ? cur.plu : patch.plu,
    active: patch.active ?? cur.active,
    barcodes: patch.barcodes ?? [...cur.barcodes.filter((b) => !remove.has(b)), ...(patch.addBarcodes ?? [])],
    storeCode: cur.storeCode,
  });
  await assertFree(q, next, cur.hqId);
  await q.run(
    `UPDATE hq_products SET version = ?, name = ?, price_fen = ?, unit = ?, category = ?, weighed = ?, plu = ?, barcodes = ?, active = ?, updated_at = ?
     WHERE hq_id = ?`,
    [version, next.name, next.priceFen, next.unit, next.category, next.weighed ? 1 : 0, next.plu, next.barcodes.join(','), next.active ? 1 : 0, now, cur.hqId],
  );
  if (next.barcodes.join(',') !== cur.barcodes.join(',')) await setBarcodes(q, cur.hqId, next.barcodes);
  return (await productById(q, cur.hqId))!;
}

type ValidProduct = ReturnType<typeof validateHqProduct>;

/** Placeholders per lookup query: always this many (unused ones NULL), so one statement serves. */
const LOOKUP_CHUNK = 256;

/** The product of each code, from `sql` (selecting `code` and the product's row) + ` IN (…)`. */
async function productsHaving(q: Queryable, sql: string, codes: string[]): Promise<Map<string, HqProduct>> {
  const found = new Map<string, HqProduct>();
  const list = `(${Array(LOOKUP_CHUNK).fill('?').join(', ')})`;
  for (let i = 0; i < codes.length; i += LOOKUP_CHUNK) {
    const part: Array<string | null> = codes.slice(i, i + LOOKUP_CHUNK);
    while (part.length < LOOKUP_CHUNK) part.push(null);
    for (const r of await q.all<ProductRow & { code: string }>(`${sql} IN ${list}`, part)) found.set(r.code, toProduct(r));
  }
  return found;
}

/** [start, size] of the multi-row statements for `count` rows: 64 at a time, then 32, 16, … (few statement shapes). */
function* parts(count: number): Generator<[number, number]> {
  for (let at = 0; at < count; ) {
    const n = 1 << Math.min(6, Math.floor(Math.log2(count - at)));
    yield [at, n];
    at += n;
  }
}

/** New products whose barcodes and PLUs no product has (the caller checked), then their barcodes. */
async function insertMany(q: Queryable, rows: Array<{ p: ValidProduct; version: number }>, now: string): Promise<void> {
  const ids = new Map<string, number>();
  const keyOf = (barcodes: string, plu: string | null) => (barcodes ? barcodes : `plu:${plu}`);
  for (const [at, n] of parts(rows.length)) {
    const params = rows.slice(at, at + n).flatMap(({ p, version }) => [version, p.storeCode, p.name, p.priceFen, p.unit, p.category, p.weighed ? 1 : 0, p.plu, p.barcodes.join(','), p.active ? 1 : 0, now]);
    const made = await q.all<{ hq_id: number; barcodes: string; plu: string | null }>(
      `INSERT INTO hq_products (version, store_code, name, price_fen, unit, category, weighed, plu, barcodes, active, updated_at)
       VALUES ${valuesList(n, 11)} RETURNING hq_id, barcodes, plu`,
      params,
    );
    for (const r of made) ids.set(keyOf(r.barcodes, r.plu), Number(r.hq_id));
  }
  const pairs = rows.flatMap(({ p }) => p.barcodes.map((b) => [b, ids.get(keyOf(p.barcodes.join(','), p.plu))!]));
  for (const [at, n] of parts(pairs.length)) {
    await q.run(`INSERT INTO hq_product_barcodes (barcode, hq_id) VALUES ${valuesList(n, 2)}`, pairs.slice(at, at + n).flat());
  }
}

export interface UpsertSummary {
  added: number;
  updated: number;
  unchanged: number;
  /** Rows not taken: their index in the input and why. */
  rejected: Array<{ index: number; reason: string }>;
}

/** Thrown to roll a dry run back. */
class DryRun extends Error {}

export class HqCatalog {
  constructor(
    private readonly db: SqlDriver,
    private readonly now: () => Date = () => new Date(),
  ) {}

  add(input: HqProductInput): Promise<HqProduct> {
    return raceToUserError(this.db.transaction(async (q) => insertProduct(q, input, await takeVersions(q, 1), this.now().toISOString())));
  }

  update(ref: string, patch: HqProductPatch): Promise<HqProduct> {
    return raceToUserError(
      this.db.transaction(async (q) => {
        const version = await takeVersions(q, 1);
        return patchProduct(q, await resolveHqProduct(q, ref, true), patch, version, this.now().toISOString());
      }),
    );
  }

  /** Deletes the product and leaves a tombstone, so tills drop it on their next pull. */
  remove(ref: string): Promise<HqProduct> {
    return this.db.transaction(async (q) => {
      const version = await takeVersions(q, 1);
      const cur = await resolveHqProduct(q, ref, true);
      await q.run('DELETE FROM hq_product_barcodes WHERE hq_id = ?', [cur.hqId]);
      await q.run('DELETE FROM hq_products WHERE hq_id = ?', [cur.hqId]);
      await q.run('INSERT INTO hq_tombstones (hq_id, version, store_code, deleted_at) VALUES (?, ?, ?, ?)', [cur.hqId, version, cur.storeCode, this.now().toISOString()]);
      return cur;
    });
  }

  /**
   * Adds or updates many products in ONE transaction: a row whose barcode or PLU matches an
   * existing product updates it, any other row adds a product. A row HQ cannot take (bad
   * field, barcode of another product) is listed by its index and changes nothing; the other
   * rows are taken. With `dryRun` the transaction is rolled back after counting.
   * `rows` may also come as batches read while the transaction runs (a file of any size, never
   * held whole); indexes then count through all of them, and with `onRejected` a refused row
   * is reported as it is met instead of listed in the summary.
   */
  async upsertMany(
    rows: HqProductInput[] | AsyncIterable<HqProductInput[]>,
    opts: { dryRun?: boolean; onRejected?: (index: number, reason: string) => void } = {},
  ): Promise<UpsertSummary> {
    let summary: UpsertSummary | undefined;
    const batches = Array.isArray(rows) ? [rows] : rows;
    try {
      await this.db.transaction(async (q) => {
        const now = this.now().toISOString();
        const s: UpsertSummary = { added: 0, updated: 0, unchanged: 0, rejected: [] };
        const reject = (index: number, e: unknown) => {
          // Checked before anything is written for the row, so the transaction stays usable.
          if (!(e instanceof TillError)) throw e;
          if (opts.onRejected) opts.onRejected(index, e.message);
          else s.rejected.push({ index, reason: e.message });
        };
        let index = 0;
        for await (const batch of batches) {
          if (batch.length === 0) continue;
          await this.upsertBatch(q, batch, index, now, s, reject);
          index += batch.length;
        }
        summary = s;
        if (opts.dryRun) throw new DryRun();
      });
    } catch (e) {
      if (!(e instanceof DryRun)) throw e;
    }
    return summary!;
  }

  /**
   * One batch of upsertMany. The products that own the batch's barcodes and PLUs are read in a
   * few queries, and new products go in with multi-row INSERTs: one row at a time took ~7 round
   * trips to the database (1M products: 25 s on SQLite, ~20 min on PostgreSQL). A row that
   * touches a product changed or added earlier in the batch, or that changes its product, takes
   * the careful path of a single edit.
   */
  private async upsertBatch(
    q: Queryable,
    batch: HqProductInput[],
    first: number,
    now: string,
    s: UpsertSummary,
    reject: (index: number, e: unknown) => void,
  ): Promise<void> {
    let version = await takeVersions(q, batch.length);
    const valid = batch.map((raw) => {
      try {
        return validateHqProduct(raw);
      } catch (e) {
        if (e instanceof TillError) return e;
        throw e;
      }
    });
    const stores = new Map<string | null, TillError | undefined>([[null, undefined]]);
    const codes: string[] = [];
    const plus: string[] = [];
    for (const v of valid) {
      if (v instanceof TillError) continue;
      codes.push(...v.barcodes);
      if (v.plu !== null) plus.push(v.plu);
      if (!stores.has(v.storeCode)) stores.set(v.storeCode, await storeError(q, v.storeCode));
    }
    const byCode = await productsHaving(q, 'SELECT b.barcode AS code, p.* FROM hq_product_barcodes b JOIN hq_products p ON p.hq_id = b.hq_id WHERE b.barcode', codes);
    const byPlu = await productsHaving(q, 'SELECT p.plu AS code, p.* FROM hq_products p WHERE p.plu', plus);
    const known = (p: HqProduct) => {
      for (const b of p.barcodes) byCode.set(b, p);
      if (p.plu !== null) byPlu.set(p.plu, p);
    };
    // New products waiting for their INSERT, and the codes they claim.
    const pending: Array<{ p: ValidProduct; version: number }> = [];
    const claimed = new Set<string>();
    const flush = async () => {
      if (pending.length > 0) await insertMany(q, pending.splice(0), now);
    };
    for (let i = 0; i < batch.length; i++) {
      const v = valid[i];
      try {
        if (v instanceof TillError) throw v;
        const unknownStore = stores.get(v.storeCode);
        if (unknownStore) throw unknownStore;
        const keys = v.plu === null ? v.barcodes : [...v.barcodes, `plu:${v.plu}`];
        if (keys.length > 0 && !keys.some((k) => claimed.has(k))) {
          let match: HqProduct | undefined;
          for (const b of v.barcodes) if ((match = byCode.get(b))) break;
          if (!match && v.plu !== null) match = byPlu.get(v.plu);
          if (!match) {
            pending.push({ p: v, version: version++ });
            for (const k of keys) claimed.add(k);
            s.added++;
            continue;
          }
          if (sameContent(match, v)) {
            s.unchanged++;
            continue;
          }
        }
        await flush();
        const match = await this.findMatch(q, v.barcodes, v.plu);
        if (!match) {
          known(await insertProduct(q, batch[i], version++, now));
          s.added++;
        } else if (sameContent(match, v)) {
          s.unchanged++;
        } else {
          known(await patchProduct(q, match, { ...v, barcodes: [...new Set([...match.barcodes, ...v.barcodes])] }, version++, now));
          s.updated++;
        }
      } catch (e) {
        reject(first + i, e);
      }
    }
    await flush();
  }

  private async findMatch(q: Queryable, barcodes: string[], plu: string | null): Promise<HqProduct | undefined> {
    for (const b of barcodes) {
      const r = await q.get<{ hq_id: number }>('SELECT hq_id FROM hq_product_barcodes WHERE barcode = ?', [b]);
      if (r) return productById(q, Number(r.hq_id), true);
    }
    if (plu) {
      const r = await q.get<{ hq_id: number }>('SELECT hq_id FROM hq_products WHERE plu = ?', [plu]);
      if (r) return productById(q, Number(r.hq_id), true);
    }
    return undefined;
  }

  async list(opts: { search?: string; storeCode?: string; limit?: number; includeInactive?: boolean } = {}): Promise<HqProduct[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (!opts.includeInactive) where.push('active = 1');
    if (opts.storeCode) {
      where.push('(store_code IS NULL OR store_code = ?)');
      params.push(opts.storeCode);
    }
    const s = opts.search?.trim();
    if (s) {
      where.push('(name LIKE ? OR hq_id IN (SELECT hq_id FROM hq_product_barcodes WHERE barcode LIKE ?))');
      params.push(`%${s.replace(/[\\%_]/g, '')}%`, `${s.replace(/[\\%_]/g, '')}%`);
    }
    params.push(opts.limit ?? 1_000_000);
    const rows = await this.db.all<ProductRow>(`SELECT ${COLUMNS} FROM hq_products ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY hq_id LIMIT ?`, params);
    return rows.map(toProduct);
  }

  async state(): Promise<{ version: number; horizon: number; products: number; tombstones: number }> {
    const s = await this.db.get<{ version: number; horizon: number }>('SELECT version, horizon FROM hq_catalog_state WHERE id = 1');
    const p = await this.db.get<{ n: number }>('SELECT count(*) AS n FROM hq_products');
    const t = await this.db.get<{ n: number }>('SELECT count(*) AS n FROM hq_tombstones');
    return { version: Number(s!.version), horizon: Number(s!.horizon), products: Number(p!.n), tombstones: Number(t!.n) };
  }

  /**
   * Changes after `since` that a till of `storeCode` may see, oldest first, at most `limit`.
   * A cursor older than the tombstone horizon (it may have missed a delete) or newer than HQ's
   * counter (HQ was restored from a backup) gets `reset`: the page restarts from 0 and the till
   * must drop its HQ products first.
   */
  async page(storeCode: string, since: number, limit: number): Promise<CatalogPage> {
    // Read the counter first: every row with a version up to it has committed (versions are
    // taken under the counter's lock), so the page below cannot skip a change still in flight.
    const s = await this.db.get<{ version: number; horizon: number }>('SELECT version, horizon FROM hq_catalog_state WHERE id = 1');
    const top = Number(s!.version);
    const horizon = Number(s!.horizon);
    const reset = since > top || (since > 0 && since < horizon);
    const from = reset ? 0 : since;
    const tombstones =
      from === 0
        ? '' // a till starting from 0 holds no HQ product: deletes are of no use to it
        : `UNION ALL
           SELECT version, hq_id, 1 AS deleted, NULL AS name, NULL AS price_fen, NULL AS unit, NULL AS category, NULL AS weighed, NULL AS plu,
             NULL AS barcodes, NULL AS active
           FROM hq_tombstones WHERE version > ? AND version <= ? AND (store_code IS NULL OR store_code = ?)`;
    const params: unknown[] = [from, top, storeCode];
    if (from !== 0) params.push(from, top, storeCode);
    params.push(limit + 1);
    const rows = await this.db.all<{
      version: number;
      hq_id: number;
      deleted: number;
      name: string;
      price_fen: number;
      unit: string;
      category: string;
      weighed: number;
      plu: string | null;
      barcodes: string;
      active: number;
    }>(
      `SELECT * FROM (
         SELECT version, hq_id, 0 AS deleted, name, price_fen, unit, category, weighed, plu, barcodes, active
         FROM hq_products WHERE version > ? AND version <= ? AND (store_code IS NULL OR store_code = ?)
         ${tombstones}
       ) c ORDER BY version LIMIT ?`,
      params,
    );
    const more = rows.length > limit;
    const changes: CatalogChange[] = rows.slice(0, limit).map((r) =>
      Number(r.deleted) === 1
        ? { op: 'delete', version: Number(r.version), hqId: Number(r.hq_id) }
        : {
            op: 'upsert',
            version: Number(r.version),
            product: toCatalogProduct(r),
          },
    );
    return { changes, nextCursor: more ? changes[changes.length - 1].version : Math.max(from, top), upToDate: !more, reset };
  }

  /**
   * Forgets tombstones of deletes older than `olderThan`. Tills whose cursor is older than the
   * newest forgotten delete get a reset on their next pull. Live products stamped at or below
   * that horizon are re-stamped above the counter, so a till re-pulling from 0 passes the
   * horizon with its first page (every till re-receives those products once).
   */
  compact(olderThan: Date): Promise<{ removed: number; horizon: number; restamped: number }> {
    return this.db.transaction(async (q) => {
      const state = await q.get<{ version: number; horizon: number }>(`SELECT version, horizon FROM hq_catalog_state WHERE id = 1${forUpdate(q)}`);
      const old = await q.get<{ h: number | null }>('SELECT max(version) AS h FROM hq_tombstones WHERE deleted_at < ?', [olderThan.toISOString()]);
      const h = old?.h == null ? null : Number(old.h);
      if (h === null) return { removed: 0, horizon: Number(state!.horizon), restamped: 0 };
      const top = Number(state!.version);
      const removed = await q.run('DELETE FROM hq_tombstones WHERE version <= ?', [h]);
      // old version v ≤ h ≤ top becomes top + v: distinct, and above every version in use.
      const restamped = await q.run('UPDATE hq_products SET version = version + ? WHERE version <= ?', [top, h]);
      await q.run('UPDATE hq_catalog_state SET version = ?, horizon = ? WHERE id = 1', [top + h, h]);
      return { removed, horizon: h, restamped };
    });
  }
}

/** Checks run before writes, but another HQ instance may take a barcode or PLU in between. */
async function raceToUserError<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    if (isUniqueViolation(err)) throw new UserError('Another edit took one of these barcodes or the PLU a moment ago; check the product and try again.', 'E_DUPLICATE');
    throw err;
  }
}

function sameContent(cur: HqProduct, next: ReturnType<typeof validateHqProduct>): boolean {
  return (
    cur.name === next.name &&
    cur.priceFen === next.priceFen &&
    cur.unit === next.unit &&
    cur.category === next.category &&
    cur.weighed === next.weighed &&
    cur.plu === next.plu &&
    cur.active === next.active &&
    next.barcodes.every((b) => cur.barcodes.includes(b))
  );
}
