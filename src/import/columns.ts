// Which column of a product file holds which field: header names in English or Chinese as
// suppliers, legacy systems and Excel write them, or an explicit --map for other layouts.

export type Field = 'barcode' | 'name' | 'price' | 'category' | 'unit' | 'weighed' | 'plu';
export const FIELDS: Field[] = ['barcode', 'name', 'price', 'category', 'unit', 'weighed', 'plu'];
export const REQUIRED: Field[] = ['name', 'price'];

/** Header names each field is known by; compared after `normalizeHeader`. */
const ALIASES: Record<Field, string[]> = {
  barcode: ['barcode', 'barcodes', 'ean', 'ean13', 'gtin', 'upc', '条码', '条形码', '商品条码', '国际条码', '条码号'],
  name: ['name', 'productname', 'product', 'itemname', 'title', '名称', '品名', '商品名称', '商品名', '货品名称', '产品名称'],
  price: ['price', 'retailprice', 'saleprice', 'unitprice', 'sellingprice', '售价', '价格', '零售价', '单价', '销售价', '零售单价'],
  category: ['category', 'group', 'department', '分类', '类别', '商品分类', '品类', '类目', '大类'],
  unit: ['unit', 'uom', '单位', '计量单位', '销售单位'],
  weighed: ['weighed', 'byweight', 'soldbyweight', '称重', '是否称重', '计重'],
  plu: ['plu', 'plucode', 'scalecode', '秤码', '称重码', 'plu码', '秤号'],
};

const BY_ALIAS = new Map<string, Field>(FIELDS.flatMap((f) => ALIASES[f].map((a) => [a, f] as [string, Field])));

/** "Retail Price (元)" → "retailprice"; "商品 名称" → "商品名称". */
export function normalizeHeader(h: string): string {
  return h
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase()
    .replace(/[（(【\[].*?[)）】\]]/g, '')
    .replace(/[\s_\-./:：]+/g, '');
}

/** A column by its header name, or by its 1-based position ("3" or 3). */
export type ColumnRef = string | number;
export type ColumnMap = Partial<Record<Field, ColumnRef>>;

export class ColumnError extends Error {}

/** Parses `--map '{"barcode":"商品编码","price":"会员价"}'` (values: header names or 1-based column numbers). */
export function parseColumnMap(json: string): ColumnMap {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new ColumnError(`--map takes a JSON object such as '{"barcode":"商品编码","price":"会员价"}'; got ${json}`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new ColumnError('--map takes a JSON object of field → column name or number');
  const out: ColumnMap = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (!(FIELDS as string[]).includes(k)) throw new ColumnError(`--map: unknown field "${k}"; fields are ${FIELDS.join(', ')}`);
    if (typeof v === 'number' ? !Number.isInteger(v) || v < 1 : typeof v !== 'string' || v.trim() === '') {
      throw new ColumnError(`--map: "${k}" must name a column (its header, or its number counting from 1)`);
    }
    out[k as Field] = v as ColumnRef;
  }
  return out;
}

export interface Layout {
  /** Field → 0-based column index. */
  index: Partial<Record<Field, number>>;
  /** Field → the header as written in the file. */
  headers: Partial<Record<Field, string>>;
  /** Headers the import does not use. */
  ignored: string[];
}

/**
 * Resolves the header row to field positions. Throws a ColumnError naming what is missing and
 * what the header holds, so the user can fix the file or pass --map.
 */
export function resolveLayout(header: string[], map: ColumnMap = {}): Layout {
  const index: Partial<Record<Field, number>> = {};
  const norm = header.map(normalizeHeader);
  for (const [field, ref] of Object.entries(map) as Array<[Field, ColumnRef]>) {
    const i = typeof ref === 'number' || /^\d+$/.test(ref) ? Number(ref) - 1 : norm.indexOf(normalizeHeader(ref));
    if (i < 0 || i >= header.length) {
      throw new ColumnError(`--map: column ${JSON.stringify(ref)} for ${field} is not in the header (${header.join(', ')})`);
    }
    index[field] = i;
  }
  const taken = new Set(Object.values(index));
  norm.forEach((h, i) => {
    const f = BY_ALIAS.get(h);
    if (f && index[f] === undefined && !taken.has(i)) {
      index[f] = i;
      taken.add(i);
    }
  });
  const missing = REQUIRED.filter((f) => index[f] === undefined);
  if (missing.length) {
    throw new ColumnError(
      `no ${missing.join(' or ')} column in the header (${header.map((h) => h.trim()).join(', ') || 'empty'}); ` +
        `name the columns e.g. 条码,名称,售价 / barcode,name,price, or pass --map '{"${missing[0]}":"<your column>"}'`,
    );
  }
  if (index.barcode === undefined && index.plu === undefined) {
    throw new ColumnError(
      `no barcode (条码) or PLU column in the header (${header.join(', ')}); each product needs one so that importing the file again updates it instead of adding a copy`,
    );
  }
  const headers: Partial<Record<Field, string>> = {};
  for (const [f, i] of Object.entries(index) as Array<[Field, number]>) headers[f] = header[i].trim();
  const ignored = header.filter((h, i) => !taken.has(i) && h.trim() !== '').map((h) => h.trim());
  return { index, headers, ignored };
}

/** Whether a header row names at least the required fields (used to pick the delimiter). */
export function looksLikeHeader(header: string[], map: ColumnMap = {}): boolean {
  try {
    resolveLayout(header, map);
    return true;
  } catch {
    return false;
  }
}
