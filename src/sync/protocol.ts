// The till ↔ HQ wire protocol (DESIGN.md, "Sync"): one place for routes and payload schemas,
// shared by the till's uploader/puller (src/sync) and the HQ service (src/hq).
// Amounts are integer fen; every sale carries its per-till gap-free `seq`.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { parseDay } from '../core/dates.js';
import { LIMITS } from '../core/limits.js';

/** The limits every payload below is held to; the till checks the same ones where data enters. */
export { LIMITS };

/**
 * 2: a stream per device (enroll sends `deviceId`), acknowledgements by sale id and content
 * hash (`acks`, `held`), a sale's `businessDate`.
 * 3: the stream carries events of every kind (DESIGN.md, "Events"): an upload item is either a
 * sale, as in version 2 (`{seq, hash, sale}`, byte for byte), or `{seq, hash, kind, event}`
 * with an `eventSchema` event. HQ keeps accepting version 1 and 2 tills (sales only).
 */
export const PROTOCOL_VERSION = 3;

export const routes = {
  health: '/healthz',
  /** POST EnrollRequest → EnrollResponse (no token: the one-time code is the credential). */
  enroll: '/v1/enroll',
  /** GET → SyncState: HQ's high-water mark for the calling device (`?device=<uuid>` names it). */
  state: '/v1/sync/state',
  /** POST HeldRequest → HeldResponse: what HQ holds at some seqs of the calling device. */
  held: '/v1/sync/held',
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
  barcode: z.string().max(LIMITS.barcode).nullable(),
  name: z.string().min(1).max(LIMITS.productName),
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
  reference: z.string().max(LIMITS.paymentReference).nullable(),
});

export const saleSchema = z.object({
  id: z.string().uuid(),
  receiptNo: z.string().min(1).max(LIMITS.receiptNo),
  storeCode: z.string().min(1).max(LIMITS.storeCode),
  tillCode: z.string().min(1).max(LIMITS.tillCode),
  seq: z.number().int().positive(),
  cashierId: z.string().min(1).max(LIMITS.cashierId),
  cashierName: z.string().max(LIMITS.cashierName),
  createdAt: z.string().datetime(),
  /** The store's business day (YYYY-MM-DD) the till computed at commit; absent from protocol 1 tills. */
  businessDate: z
    .string()
    .refine((d) => parseDay(d) !== null, 'a business day is a real day as YYYY-MM-DD')
    .optional(),
  status: z.enum(['completed', 'voided']),
  subtotalFen: nonNegFen,
  discountFen: nonNegFen,
  orderDiscountFen: nonNegFen,
  totalFen: nonNegFen,
  paidFen: nonNegFen,
  changeFen: nonNegFen,
  itemCount: z.number().int().nonnegative(),
  lines: z.array(saleLineSchema).min(1).max(LIMITS.saleLines),
  payments: z.array(paymentSchema).max(LIMITS.saleTenders),
});
export type WireSale = z.infer<typeof saleSchema>;

// ---- Events other than sales (protocol 3) ----------------------------------------------------
// Each kind: its body's schema here, its handler at HQ (src/hq/events.ts). Texts are held to
// core/limits.ts, which the till checks where they are typed.

const day = z.string().refine((d) => parseDay(d) !== null, 'a business day is a real day as YYYY-MM-DD');
const who = z.string().min(1).max(LIMITS.cashierId);
const text = (max: number) => z.string().max(max);

const returnBody = z.object({
  returnNo: z.string().min(1).max(LIMITS.receiptNo),
  /** The sale returned: its id and receipt number (at HQ, the return is checked against it). */
  saleId: z.string().uuid(),
  receiptNo: z.string().min(1).max(LIMITS.receiptNo),
  /** 'post-void': a whole sale voided after it was paid (a full return). */
  type: z.enum(['return', 'post-void']),
  cashierId: who,
  supervisorId: who,
  reason: text(LIMITS.reason),
  refundMode: z.enum(['original', 'cash']),
  refundFen: nonNegFen,
  lines: z
    .array(z.object({ lineNo: z.number().int().positive(), qty: z.number().int().positive(), qtyGrams: z.number().int().positive().nullable(), refundFen: nonNegFen }))
    .min(1)
    .max(LIMITS.saleLines),
  tenders: z.array(z.object({ method: paymentSchema.shape.method, amountFen: nonNegFen })).max(LIMITS.saleTenders),
});

const voidLine = z.object({
  productId: z.number().int().nullable(),
  barcode: z.string().max(LIMITS.barcode).nullable(),
  name: z.string().max(LIMITS.productName),
  qty: z.number().int().nonnegative(),
  qtyGrams: z.number().int().positive().nullable(),
  unitPriceFen: nonNegFen,
  grossFen: nonNegFen,
  discountFen: nonNegFen,
});

const voidBody = z.object({
  type: z.enum(['sale-cancelled', 'line-removed', 'sale-dropped']),
  cashierId: who,
  approverId: who.nullable(),
  lines: z.array(voidLine).max(LIMITS.saleLines),
  amountFen: nonNegFen,
  saleTotalFen: nonNegFen,
  paidFen: nonNegFen,
});

const approvalBody = z.object({
  cashierId: who,
  supervisorId: who,
  reason: text(LIMITS.reason),
  action: text(LIMITS.reason),
  detail: text(LIMITS.eventDetail),
});

const shiftOpenBody = z.object({ shiftId: z.number().int().positive(), drawer: text(LIMITS.tillCode), cashierId: who, floatFen: nonNegFen });
const shiftCloseBody = z.object({
  shiftId: z.number().int().positive(),
  drawer: text(LIMITS.tillCode),
  cashierId: who,
  closedBy: who,
  countedFen: nonNegFen,
  expectedCashFen: fen,
  overShortFen: fen,
});
const cashMoveBody = z.object({ shiftId: z.number().int().positive(), byId: who, amountFen: nonNegFen.positive(), reason: text(LIMITS.reason) });

/** A Z report as the till took it: the figures HQ sums are checked, the rest is kept as sent. */
const zReportBody = z
  .object({
    no: z.number().int().positive(),
    takenAt: z.string().datetime(),
    businessDate: day,
    salesCount: z.number().int().nonnegative(),
    grossFen: fen,
    discountFen: fen,
    returnsFen: fen,
    netFen: fen,
    grandTotalFen: fen,
  })
  .passthrough();

export const eventBodySchemas = {
  return: returnBody,
  void: voidBody,
  approval: approvalBody,
  'shift-open': shiftOpenBody,
  'shift-close': shiftCloseBody,
  'pay-in': cashMoveBody,
  'pay-out': cashMoveBody,
  'z-report': zReportBody,
} as const;
export type EventKind = keyof typeof eventBodySchemas;
export const EVENT_KINDS = Object.keys(eventBodySchemas) as EventKind[];
export type WireEventBody<K extends EventKind = EventKind> = z.infer<(typeof eventBodySchemas)[K]>;

const envelope = {
  id: z.string().uuid(),
  storeCode: z.string().min(1).max(LIMITS.storeCode),
  tillCode: z.string().min(1).max(LIMITS.tillCode),
  seq: z.number().int().positive(),
  createdAt: z.string().datetime(),
  businessDate: day,
};

/** An event of the device's stream: its id, kind, seq, time, business day and body. */
export const eventSchema = z.discriminatedUnion(
  'kind',
  EVENT_KINDS.map((k) => z.object({ ...envelope, kind: z.literal(k), body: eventBodySchemas[k] })) as unknown as [
    z.ZodObject<typeof envelope & { kind: z.ZodLiteral<EventKind>; body: z.ZodTypeAny }>,
    ...Array<z.ZodObject<typeof envelope & { kind: z.ZodLiteral<EventKind>; body: z.ZodTypeAny }>>,
  ],
);
export interface WireEvent<K extends EventKind = EventKind> {
  id: string;
  kind: K;
  storeCode: string;
  tillCode: string;
  seq: number;
  createdAt: string;
  businessDate: string;
  body: WireEventBody<K>;
}

export const deviceIdSchema = z.string().uuid();

/** `deviceId`: the installation's id from `till init` (absent from protocol 1 tills). */
export const enrollRequestSchema = z.object({ code: z.string().min(4).max(64), deviceId: deviceIdSchema.optional() });
export const enrollResponseSchema = z.object({
  storeCode: z.string(),
  storeName: z.string(),
  tillCode: z.string(),
  token: z.string(),
  deviceId: z.string().nullable().optional(),
});
export type EnrollResponse = z.infer<typeof enrollResponseSchema>;

export const syncStateSchema = z.object({
  storeCode: z.string(),
  tillCode: z.string(),
  hwm: z.number().int().nonnegative(),
  /** The device this token belongs to (null: an HQ-v1 till HQ has not heard its id from yet). */
  deviceId: z.string().nullable().optional(),
  /** Uploads of this device HQ holds in quarantine (not counted) until an admin resolves them. */
  quarantined: z.number().int().nonnegative().optional(),
  /** Seqs at which HQ holds other content than this device sent (each is also in quarantine). */
  conflicts: z.number().int().nonnegative().optional(),
  /** HQ's highest seq of any device under this till code (a replacement continues after it). */
  tillHwm: z.number().int().nonnegative().optional(),
  /** HQ's highest receipt number of the till code (a replacement continues the day's numbering). */
  lastReceiptNo: z.string().nullable().optional(),
  /** When HQ retired this device: what it made after needs a new enrollment. */
  retiredAt: z.string().nullable().optional(),
});
export type SyncState = z.infer<typeof syncStateSchema>;

/**
 * A batch of consecutive outbox rows in seq order. HQ validates each sale with saleSchema and
 * each event (protocol 3: `kind` set, `event` instead of `sale`) with eventSchema.
 */
export const uploadItemSchema = z.object({
  seq: z.number().int().positive(),
  hash: z.string().min(1).max(128),
  sale: z.unknown().optional(),
  kind: z.string().max(32).optional(),
  event: z.unknown().optional(),
});
export type UploadItem = z.infer<typeof uploadItemSchema>;
export const uploadRequestSchema = z.object({ sales: z.array(uploadItemSchema).min(1).max(500) });
export type UploadRequest = z.infer<typeof uploadRequestSchema>;

/**
 * What HQ holds at one seq of the device: the sale's id and content hash ('held' counted as a
 * sale, 'quarantined' kept but not counted), or, for 'conflict', the hash of the other
 * content HQ holds there. A till marks a row synced only when the hash is that of its own row
 * (heldHash) and the status is not 'conflict'.
 */
export const ackSchema = z.object({
  seq: z.number().int().positive(),
  saleId: z.string().nullable(),
  hash: z.string(),
  status: z.enum(['held', 'quarantined', 'conflict']),
  /** Protocol 3: why HQ flagged the event it holds (counted all the same), e.g. a return beyond what was sold. */
  flag: z.string().max(2000).optional(),
});
export type Ack = z.infer<typeof ackSchema>;

export const heldRequestSchema = z.object({ seqs: z.array(z.number().int().positive()).min(1).max(1000) });
export type HeldRequest = z.infer<typeof heldRequestSchema>;
/** Seqs HQ holds nothing at are absent. */
export const heldResponseSchema = z.object({ held: z.array(ackSchema) });
export type HeldResponse = z.infer<typeof heldResponseSchema>;

export const uploadResponseSchema = z.object({
  /** Protocol 2: one ack per seq of the batch HQ processed (not those after a gap). */
  acks: z.array(ackSchema).optional(),
  /**
   * HQ's high-water mark for the device after this batch, durably committed. Protocol 1 tills
   * marked rows ≤ it synced; protocol 2 tills mark a row synced only by its ack.
   */
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
  name: z.string().min(1).max(LIMITS.productName),
  priceFen: nonNegFen,
  unit: z.string().max(LIMITS.unit),
  category: z.string().max(LIMITS.category),
  weighed: z.boolean(),
  plu: z.string().nullable(),
  barcodes: z.array(z.string()).max(LIMITS.productBarcodes),
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
// token a device got from `enroll` (HQ keeps only its sha256). A token reads and writes only
// its own device's stream (issue 17: a stream per installation, not per till code) and its own
// store's catalog; admin routes need the admin token (`till hq admin-token`). Failures: 401
// unauthorized (missing/unknown token), 403 forbidden.
//
// Upload semantics (per batch, one HQ transaction; items are taken in seq order):
//   seq <= hwm      HQ holds the same content → counted in `duplicates`; other content →
//                   quarantined (counted in `quarantined`) and an alert is raised at HQ;
//                   nothing (a hole below the mark) → taken as at hwm + 1, hwm unchanged.
//   seq == hwm + 1  inserted, or quarantined if it breaks a rule (not a valid saleSchema sale,
//                   sale.seq != item seq, another store/till, inconsistent totals, sale id
//                   already known); either way hwm advances, so a poison sale never blocks.
//   seq >  hwm + 1  gap: the batch stops there; `expectedSeq` says what HQ needs next.
// Protocol 3 events (`kind` + `event`) follow the same rules, seq for seq, in the same hwm: an
// event HQ cannot take (not a valid eventSchema event, another seq or till) is quarantined and
// advances hwm; its ack carries the event id in `saleId`. A return taking a line back beyond
// what was sold (two tills returning it offline) is kept, counted and flagged with an alert.
// The answer is returned only after the transaction committed durably. `acks` gives, per seq
// HQ processed, the sale id and content hash it holds there ('held', 'quarantined', or for a
// different content 'conflict'); `held` answers the same for seqs a till asks about at its
// handshake. A sale already at HQ under another seq or device with the same content is 'held'
// (counted once). "Same content" is HQ's own digest of the sale, `heldHash` (sha256 of the
// sale as saleSchema parses it: fixed key order, unknown keys dropped; canonical JSON for a
// payload that is no valid sale); the till's `hash` is stored for diagnostics only.
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

/**
 * The hash HQ acknowledges a sale by: sha256 of the sale as saleSchema parses it (its key
 * order, unknown keys dropped), or of the canonical JSON of anything that is no valid sale.
 * An event (`kind` other than 'sale') the same way with eventSchema.
 * The till computes it over its outbox payload to compare with HQ's acks.
 */
export function heldHash(raw: unknown, kind = 'sale'): string {
  const parsed = (kind === 'sale' ? saleSchema : eventSchema).safeParse(raw);
  const text = parsed.success ? JSON.stringify(parsed.data) : canonicalJson(raw);
  return createHash('sha256').update(text).digest('hex');
}

/** sha256 (hex) of a value's canonical JSON (what a till may send as an upload item's `hash`). */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}
