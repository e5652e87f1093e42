// sales + sale_lines + payments: a completed sale and its outbox row are one transaction.
import { businessDayOf, type BusinessDayRule } from '../core/dates.js';
import { newSaleId, receiptNumber } from '../core/ids.js';
import { buildSale, saleDiscountByLine, type SaleDraft } from '../core/sale.js';
import type { Payment, Sale, SaleLine } from '../core/types.js';
import { NotFoundError, UserError } from '../errors.js';
import { stmt, type DB } from './open.js';
import { enqueueSale, nextSeq, TRAINING_SEQ_BASE } from './outbox.js';
import { businessDayRuleOf, getIdentity } from './settings.js';
import { receiptBase } from './sync-state.js';

export interface SaleWithSync extends Sale {
  syncedAt: string | null;
  /** What HQ said of it beyond holding it: quarantined (not counted), or counted and flagged. */
  hqFlag: string | null;
  /** The store's business day (YYYY-MM-DD) decided at commit (store time zone and cutoff). */
  businessDate: string;
  /** A training sale (练习模式): never uploaded, listed or exported unless asked for. */
  training: boolean;
}

export interface RecordOptions {
  /** A training sale (练习模式): kept apart from the store's figures and never put in the outbox. */
  training?: boolean;
  /** The store's business day (time zone and cutoff); by default from the till's config. */
  rule?: BusinessDayRule;
}

/**
 * Training sales number their seq from TRAINING_SEQ_BASE: the device's stream stays gap-free
 * (sync counts on it) and a training sale never takes a number HQ would wait for.
 */
export { TRAINING_SEQ_BASE };

/**
 * Commits one sale: header, lines, payments and outbox row in a single transaction, with the
 * next seq of the device's event stream and the business day's next receipt number (the store's day: its time
 * zone and cutoff from config). Side effects (printing, upload) belong
 * after this returns.
 */
export function recordSale(db: DB, draft: SaleDraft, at: Date = new Date(), opts: RecordOptions = {}): Sale {
  const identity = getIdentity(db);
  if (!identity) throw new UserError('This till has no store/till code; run `till init` first.', 'E_NOT_INITIALISED');
  const rule = opts.rule ?? businessDayRuleOf(db);
  return db.transaction(() => {
    const training = opts.training === true;
    const seq = training
      ? (stmt(db, 'SELECT coalesce(max(seq), ?) AS n FROM sales WHERE seq > ?').get(TRAINING_SEQ_BASE, TRAINING_SEQ_BASE) as { n: number }).n + 1
      : nextSeq(db); // the stream's next number, shared with every other event kind
    // The business day is decided here, once, and travels with the sale (HQ never re-derives it).
    const businessDate = businessDayOf(at, rule);
    const day = businessDate.replaceAll('-', '');
    // A till replacing another continues that day's receipt numbers after HQ's last one.
    const daily =
      (stmt(db, 'SELECT count(*) + 1 AS n FROM sales WHERE business_date = ? AND training = ?').get(day, training ? 1 : 0) as { n: number }).n +
      (training ? 0 : receiptBase(db, day));
    const receiptNo = receiptNumber(identity.storeCode, identity.tillCode, day, daily);
    const sale = buildSale(draft, {
      id: newSaleId(),
      // A training receipt number can never be taken for a real one (nor returned at the till).
      receiptNo: training ? `T-${receiptNo}` : receiptNo,
      storeCode: identity.storeCode,
      tillCode: identity.tillCode,
      seq,
      createdAt: at.toISOString(),
    });
    insertSale(db, sale, day, training);
    if (!training) enqueueSale(db, { ...sale, businessDate });
    return sale;
  }).immediate();
}

function insertSale(db: DB, s: Sale, day: string, training: boolean): void {
  stmt(
    db,
    `INSERT INTO sales (id, receipt_no, store_code, till_code, seq, business_date, cashier_id, cashier_name, created_at, status,
       subtotal_fen, discount_fen, order_discount_fen, total_fen, paid_fen, change_fen, item_count, training)
     VALUES (@id, @receiptNo, @storeCode, @tillCode, @seq, @day, @cashierId, @cashierName, @createdAt, @status,
       @subtotalFen, @discountFen, @orderDiscountFen, @totalFen, @paidFen, @changeFen, @itemCount, @training)`,
  ).run({ ...s, day, training: training ? 1 : 0, lines: undefined, payments: undefined });
  const line = stmt(
    db,
    `INSERT INTO sale_lines (sale_id, line_no, product_id, barcode, name, qty, qty_grams, unit_price_fen, discount_fen, line_total_fen, sale_discount_fen)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  // The sale discount's share of each line, fixed now: a return refunds what the line really cost.
  const shares = saleDiscountByLine(s);
  s.lines.forEach((l, i) => line.run(s.id, l.lineNo, l.productId, l.barcode, l.name, l.qty, l.qtyGrams, l.unitPriceFen, l.discountFen, l.lineTotalFen, shares[i]));
  const pay = stmt(db, 'INSERT INTO payments (sale_id, idx, method, amount_fen, tendered_fen, change_fen, reference) VALUES (?, ?, ?, ?, ?, ?, ?)');
  s.payments.forEach((p, i) => pay.run(s.id, i + 1, p.method, p.amountFen, p.tenderedFen, p.changeFen, p.reference));
}

interface SaleRow {
  id: string;
  receipt_no: string;
  store_code: string;
  till_code: string;
  seq: number;
  cashier_id: string;
  cashier_name: string;
  created_at: string;
  status: Sale['status'];
  subtotal_fen: number;
  discount_fen: number;
  order_discount_fen: number;
  total_fen: number;
  paid_fen: number;
  change_fen: number;
  item_count: number;
  training: number;
  business_date: string;
  synced_at: string | null;
  hq_flag: string | null;
}

function hydrate(db: DB, r: SaleRow): SaleWithSync {
  const lines = db
    .prepare(
      `SELECT line_no AS lineNo, product_id AS productId, barcode, name, qty, qty_grams AS qtyGrams, unit_price_fen AS unitPriceFen,
         discount_fen AS discountFen, line_total_fen AS lineTotalFen FROM sale_lines WHERE sale_id = ? ORDER BY line_no`,
    )
    .all(r.id) as SaleLine[];
  const payments = db
    .prepare('SELECT method, amount_fen AS amountFen, tendered_fen AS tenderedFen, change_fen AS changeFen, reference FROM payments WHERE sale_id = ? ORDER BY idx')
    .all(r.id) as Payment[];
  return {
    id: r.id,
    receiptNo: r.receipt_no,
    storeCode: r.store_code,
    tillCode: r.till_code,
    seq: r.seq,
    cashierId: r.cashier_id,
    cashierName: r.cashier_name,
    createdAt: r.created_at,
    status: r.status,
    // Gross (Σ qty × unit price) by definition: total + every discount. Sales written before the
    // figures had one definition stored the lines' net here; reading it this way shows them right.
    subtotalFen: r.total_fen + r.discount_fen,
    discountFen: r.discount_fen,
    orderDiscountFen: r.order_discount_fen,
    totalFen: r.total_fen,
    paidFen: r.paid_fen,
    changeFen: r.change_fen,
    itemCount: r.item_count,
    lines,
    payments,
    syncedAt: r.synced_at,
    hqFlag: r.hq_flag ?? null,
    businessDate: `${r.business_date.slice(0, 4)}-${r.business_date.slice(4, 6)}-${r.business_date.slice(6)}`,
    training: r.training === 1,
  };
}

const SELECT_SALE = 'SELECT s.*, o.synced_at, o.hq_flag FROM sales s LEFT JOIN outbox o ON o.sale_id = s.id';

export interface SaleQuery {
  /** ISO timestamps or dates; `to` is exclusive when a timestamp, inclusive of the whole day when a date. */
  from?: string;
  to?: string;
  limit?: number;
  /** Training sales too (they are left out unless asked for). */
  includeTraining?: boolean;
}

export function listSales(db: DB, q: SaleQuery = {}): SaleWithSync[] {
  const where: string[] = [];
  const params: Record<string, unknown> = {};
  if (!q.includeTraining) where.push('s.training = 0');
  if (q.from) {
    where.push('s.created_at >= @from');
    params.from = q.from;
  }
  if (q.to) {
    where.push('s.created_at < @to');
    params.to = q.to;
  }
  const sql = `${SELECT_SALE} ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY s.seq ${q.limit ? 'LIMIT ' + Number(q.limit) : ''}`;
  return (db.prepare(sql).all(params) as SaleRow[]).map((r) => hydrate(db, r));
}

/** Iterates sales in seq order without loading them all (exports). */
export function* iterateSales(db: DB, q: SaleQuery = {}): Generator<SaleWithSync> {
  let after = 0;
  for (;;) {
    const where = ['s.seq > @after'];
    const params: Record<string, unknown> = { after };
    if (!q.includeTraining) where.push('s.training = 0');
    if (q.from) (where.push('s.created_at >= @from'), (params.from = q.from));
    if (q.to) (where.push('s.created_at < @to'), (params.to = q.to));
    const rows = db.prepare(`${SELECT_SALE} WHERE ${where.join(' AND ')} ORDER BY s.seq LIMIT 500`).all(params) as SaleRow[];
    if (rows.length === 0) return;
    for (const r of rows) yield hydrate(db, r);
    after = rows[rows.length - 1].seq;
  }
}

export function findSale(db: DB, ref: string): SaleWithSync {
  const key = ref.trim();
  const r =
    key === 'last'
      ? (db.prepare(`${SELECT_SALE} ORDER BY s.seq DESC LIMIT 1`).get() as SaleRow | undefined)
      : (db.prepare(`${SELECT_SALE} WHERE s.receipt_no = ? OR s.id = ?`).get(key, key) as SaleRow | undefined);
  if (!r) throw new NotFoundError(key === 'last' ? 'No sales yet on this till.' : `No sale with receipt number or id "${ref}". Try \`till sales list\`.`);
  return hydrate(db, r);
}
