// The till ↔ HQ wire protocol (DESIGN.md, "Sync"): one place for routes and payload schemas,
// shared by the till's uploader/puller (src/sync) and the HQ service (src/hq).
// Amounts are integer fen; every sale carries its per-till gap-free `seq`.
import { createHash } from 'node:crypto';
import { z } from 'zod';

export const PROTOCOL_VERSION = 1;

export const routes = {
  health: '/healthz',
  /** POST EnrollRequest → EnrollResponse (no token: the one-time code is the credential). */
  enroll: '/v1/enroll',
  /** GET → SyncState: HQ's high-water mark for the calling till. */
  state: '/v1/sync/state',
  /** POST UploadRequest → UploadResponse. */
  sales: '/v1/sales/batch',
  /** GET ?since=<cursor>&limit=<n> → CatalogPage. */
  catalog: '/v1/catalog',
} as const;

const fen = z.number().int().safe();
const nonNegFen = fen.nonnegative();

export const saleLineSchema = z.object({
  lineNo: z.number().int().positive(),
  productId: z.number().int().nullable(),
  barcode: z.string().max(64).nullable(),
  name: z.string().min(1).max(200),
  qty: z.number().int().positive(),
  qtyGrams: z.number().int().positive().nullable(),
  unitPriceFen: nonNegFen,
  discountFen: nonNegFen,
  lineTotalFen: nonNegFen,
});

export const paymentSchema = z.object({
  method: z.enum(['cash', 'card', 'wechat', 'alipay']),
  amountFen: nonNegFen,
  tenderedFen: nonNegFen,
  changeFen: nonNegFen,
  reference: z.string().max(64).nullable(),
});

export const saleSchema = z.object({
  id: z.string().uuid(),
  receiptNo: z.string().min(1).max(64),
  storeCode: z.string().min(1).max(16),
  tillCode: z.string().min(1).max(16),
  seq: z.number().int().positive(),
  cashierId: z.string().min(1).max(16),
  cashierName: z.string().max(64),
  createdAt: z.string().datetime(),
  status: z.enum(['completed', 'voided']),
  subtotalFen: nonNegFen,
  discountFen: nonNegFen,
  orderDiscountFen: nonNegFen,
  totalFen: nonNegFen,
  paidFen: nonNegFen,
  changeFen: nonNegFen,
  itemCount: z.number().int().nonnegative(),
  lines: z.array(saleLineSchema).min(1).max(500),
  payments: z.array(paymentSchema).max(20),
});
export type WireSale = z.infer<typeof saleSchema>;

export const enrollRequestSchema = z.object({ code: z.string().min(4).max(64) });
export const enrollResponseSchema = z.object({
  storeCode: z.string(),
  storeName: z.string(),
  tillCode: z.string(),
  token: z.string(),
});
export type EnrollResponse = z.infer<typeof enrollResponseSchema>;

export const syncStateSchema = z.object({ storeCode: z.string(), tillCode: z.string(), hwm: z.number().int().nonnegative() });
export type SyncState = z.infer<typeof syncStateSchema>;

/** A batch of consecutive outbox rows in seq order. HQ validates each sale with saleSchema. */
export const uploadRequestSchema = z.object({
  sales: z.array(z.object({ seq: z.number().int().positive(), hash: z.string().min(1).max(128), sale: z.unknown() })).min(1).max(500),
});
export type UploadRequest = z.infer<typeof uploadRequestSchema>;

export const uploadResponseSchema = z.object({
  /** HQ's high-water mark after this batch, durably committed: the till marks rows ≤ it synced. */
  ackedThrough: z.number().int().nonnegative(),
  inserted: z.number().int().nonnegative(),
  duplicates: z.number().int().nonnegative(),
  quarantined: z.number().int().nonnegative(),
  /** Set when the batch stopped at a gap (HQ expects `expectedSeq` next). */
  expectedSeq: z.number().int().positive().optional(),
});
export type UploadResponse = z.infer<typeof uploadResponseSchema>;

export const catalogProductSchema = z.object({
  hqId: z.number().int().positive(),
  name: z.string().min(1).max(200),
  priceFen: nonNegFen,
  unit: z.string().max(16),
  category: z.string().max(64),
  weighed: z.boolean(),
  plu: z.string().nullable(),
  barcodes: z.array(z.string()).max(20),
  active: z.boolean(),
});
export type CatalogProduct = z.infer<typeof catalogProductSchema>;

export const catalogChangeSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('upsert'), version: z.number().int().positive(), product: catalogProductSchema }),
  z.object({ op: z.literal('delete'), version: z.number().int().positive(), hqId: z.number().int().positive() }),
]);
export type CatalogChange = z.infer<typeof catalogChangeSchema>;

export const catalogPageSchema = z.object({
  changes: z.array(catalogChangeSchema),
  nextCursor: z.number().int().nonnegative(),
  upToDate: z.boolean(),
  /** The cursor was older than the tombstone horizon: drop the HQ catalog and pull from 0. */
  reset: z.boolean(),
});
export type CatalogPage = z.infer<typeof catalogPageSchema>;

export const errorBodySchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

// ---- Added by HQ (issue 6): how HQ reads these payloads ------------------------------------
//
// Auth: every route except `health` and `enroll` needs `Authorization: Bearer <token>`, the
// token a till got from `enroll` (HQ keeps only its sha256). A till token reads and writes only
// its own till's stream and its own store's catalog; admin routes need the admin token
// (`till hq admin-token`). Failures: 401 unauthorized (missing/unknown token), 403 forbidden.
//
// Upload semantics (per batch, one HQ transaction; items are taken in seq order):
//   seq <= hwm      duplicate: same content → counted in `duplicates`; different content →
//                   quarantined (counted in `quarantined`) and an alert is raised at HQ.
//   seq == hwm + 1  inserted, or quarantined if it breaks a rule (not a valid saleSchema sale,
//                   sale.seq != item seq, another store/till, inconsistent totals, sale id
//                   already known); either way hwm advances, so a poison sale never blocks.
//   seq >  hwm + 1  gap: the batch stops there; `expectedSeq` says what HQ needs next.
// `ackedThrough` is returned only after the transaction committed durably.
// "Same content" is decided by HQ's own digest of the sale (sha256 of the sale as saleSchema
// parses it: fixed key order, unknown keys dropped; canonical JSON for a payload that is no
// valid sale), not by the till's `hash`, which HQ stores for diagnostics only. A till may send
// `contentHash(sale)` there.
//
// Catalog: a till receives the products for every store plus those limited to its own store,
// oldest change first. `reset` comes when its cursor is older than HQ's tombstone horizon
// (`till hq catalog compact`) or newer than HQ's counter (HQ restored from a backup); that page
// and the ones after it restart from 0, and the first of them already ends past the horizon.
//
// Errors are always `errorBodySchema` JSON with one of `errorCodes`; never a stack trace.
// A 503 carries `Retry-After`.

export const AUTH_SCHEME = 'Bearer';

export const errorCodes = {
  badRequest: 'bad_request', // 400: body or query invalid (message says which field)
  unauthorized: 'unauthorized', // 401: no token, or a token HQ does not know
  enrollCodeInvalid: 'enroll_code_invalid', // 401: enroll code unknown, expired or used (message says which)
  forbidden: 'forbidden', // 403: the token may not do this (e.g. a till token on an admin route)
  notFound: 'not_found', // 404
  payloadTooLarge: 'payload_too_large', // 413
  unsupportedMediaType: 'unsupported_media_type', // 415: send application/json
  internal: 'internal', // 500: HQ logged the details; retry later
  unavailable: 'unavailable', // 503: HQ's database is unreachable; retry later
} as const;

/** Query of GET `routes.catalog`; `limit` defaults to 500 and is capped at 2000. */
export const catalogQuerySchema = z.object({
  since: z.coerce.number().int().nonnegative().default(0),
  limit: z.coerce.number().int().positive().max(2000).default(500),
});

/** Admin routes (admin token). Admin commands on the HQ machine may use the database instead. */
export const adminRoutes = {
  /** GET → stores with their tills (hwm, last upload). POST {code, name} → the store. */
  stores: '/v1/admin/stores',
  /** POST {storeCode, tillCode, ttlMinutes?} → {code, storeCode, tillCode, expiresAt}. */
  enrollCodes: '/v1/admin/enroll-codes',
  /**
   * GET ?from=&to=&store= (real YYYY-MM-DD business days, inclusive; anything else is 400) →
   * sales report. Amount fields are exact integers of fen; beyond 2^53 they are still written
   * as exact JSON numbers (read them with a big-number-aware parser).
   */
  salesReport: '/v1/admin/sales/report',
  /** GET ?store=&till=S001/T01&limit=&after=<id> → quarantined uploads still waiting, oldest first. */
  quarantine: '/v1/admin/quarantine',
} as const;

/** Canonical JSON: object keys sorted at every level, so equal content gives equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) out[k] = (v as Record<string, unknown>)[k];
      return out;
    }
    return v;
  }) ?? 'null';
}

/** sha256 (hex) of a value's canonical JSON (what a till may send as an upload item's `hash`). */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}
