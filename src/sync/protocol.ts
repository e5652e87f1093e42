// The till ↔ HQ wire protocol (DESIGN.md, "Sync"): one place for routes and payload schemas,
// shared by the till's uploader/puller (src/sync) and the HQ service (src/hq).
// Amounts are integer fen; every sale carries its per-till gap-free `seq`.
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
