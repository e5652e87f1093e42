// returns + return_lines + return_tenders (migration 36): a return or post-void is its own
// numbered record referencing the sale. Written in one IMMEDIATE transaction that first reads
// what was already returned of the sale, so that no line ever comes back beyond what was sold
// (core/refund.ts decides; the trigger return_lines_within_sold is the last word).
//
// Not yet in the outbox: outbox rows are sales only (sale_id NOT NULL UNIQUE REFERENCES sales,
// seq = the sale's seq, no kind column). Once the outbox carries events of several kinds, the
// return's row goes in recordReturn's transaction beside the insert (kind 'return').
import { businessDate, newSaleId } from '../core/ids.js';
import { formatFen } from '../core/money.js';
import { planRefund, RefundError, type PriorReturn, type RefundableSale, type RefundMode } from '../core/refund.js';
import { saleDiscountByLine } from '../core/sale.js';
import type { Role, TenderMethod } from '../core/types.js';
import { NotFoundError, UserError } from '../errors.js';
import { recordApproval } from './approvals.js';
import { stmt, type DB } from './open.js';
import { TRAINING_SEQ_BASE } from './sales.js';
import { getIdentity } from './settings.js';
import { verifyLogin, type User } from './users.js';

export type ReturnKind = 'return' | 'post-void';

export interface ReturnLineRecord {
  lineNo: number;
  name: string;
  qty: number;
  qtyGrams: number | null;
  unitPriceFen: number;
  refundFen: number;
}

export interface ReturnTenderRecord {
  /** The sale's payment (1-based) refunded to, or null for cash given instead. */
  paymentIdx: number | null;
  method: TenderMethod;
  amountFen: number;
}

export interface ReturnRecord {
  id: string;
  /** <store>-<till>-<yyyymmdd>-R<n>: numbered per business day, apart from receipts. */
  returnNo: string;
  kind: ReturnKind;
  saleId: string;
  saleReceiptNo: string;
  storeCode: string;
  tillCode: string;
  businessDate: string;
  cashierId: string;
  supervisorId: string;
  reason: string;
  refundMode: RefundMode;
  refundFen: number;
  createdAt: string;
  lines: ReturnLineRecord[];
  tenders: ReturnTenderRecord[];
}

export interface ReturnInput {
  /** The sale's receipt number (or its id). */
  receiptNo: string;
  /** Lines to return (qty omitted: the whole line); omitted: everything not yet returned. */
  lines?: Array<{ lineNo: number; qty?: number }>;
  reason?: string;
  refund?: RefundMode;
  /** Who takes the return at the till; defaults to the cashier who rang up the sale. */
  cashierId?: string;
  /** Who approved it: checked with checkApprover before this is called. */
  supervisorId: string;
  kind?: ReturnKind;
}

// Who may approve a refund or a post-void. This is the till's permission table's entry for
// them, and moves into core/permissions.ts (the one table every check reads) when it lands.
const APPROVER_ROLES: Role[] = ['supervisor', 'admin'];

/**
 * Checks the approver of a return: a supervisor or admin, active, with the right PIN, and not
 * the cashier the return is for (a supervisor never approves their own action). Throws UserError.
 * Run it before recordReturn, outside its transaction (a wrong PIN must count even when the
 * return is then refused).
 */
export function checkApprover(db: DB, a: { supervisorId: string; pin: string; cashierId: string }, now = new Date()): User {
  if (a.supervisorId === a.cashierId) {
    throw new UserError(`User ${a.supervisorId} cannot approve their own return: ask another supervisor.`, 'E_SELF_APPROVAL');
  }
  const r = verifyLogin(db, a.supervisorId, a.pin, now);
  if (!r.ok) {
    const why =
      r.reason === 'locked'
        ? `is locked until ${new Date(r.lockedUntil!).toLocaleTimeString()} after too many wrong PINs`
        : r.reason === 'inactive'
          ? 'is disabled'
          : 'and PIN do not match';
    throw new UserError(`Supervisor ${a.supervisorId} ${why}; the return was not made.`, 'E_APPROVAL');
  }
  if (!APPROVER_ROLES.includes(r.user.role)) {
    throw new UserError(`User ${a.supervisorId} is a ${r.user.role}: a return needs a supervisor or an admin.`, 'E_APPROVAL');
  }
  return r.user;
}

interface SaleHead {
  id: string;
  receipt_no: string;
  cashier_id: string;
  business_date: string;
  status: string;
  training: number;
  total_fen: number;
  order_discount_fen: number;
}

/** The lookups a return makes by number: each one a single indexed probe (EXPLAIN test). */
export const SQL = {
  saleByReceipt: 'SELECT id, receipt_no, cashier_id, business_date, status, training, total_fen, order_discount_fen FROM sales WHERE receipt_no = ?',
  saleById: 'SELECT id, receipt_no, cashier_id, business_date, status, training, total_fen, order_discount_fen FROM sales WHERE id = ?',
  returnsOfSale: 'SELECT id FROM returns WHERE sale_id = ? ORDER BY created_at, id',
  returnByNo: 'SELECT * FROM returns WHERE return_no = ?',
  returnById: 'SELECT * FROM returns WHERE id = ?',
} as const;

function saleHead(db: DB, ref: string): SaleHead {
  const key = ref.trim();
  const r = (
    key === 'last'
      ? stmt(db, `${SQL.saleByReceipt.replace(/ WHERE .*/, '')} WHERE seq < ? ORDER BY seq DESC LIMIT 1`).get(TRAINING_SEQ_BASE)
      : (stmt(db, SQL.saleByReceipt).get(key) ?? stmt(db, SQL.saleById).get(key))
  ) as SaleHead | undefined;
  if (!r) throw new NotFoundError(`No sale with receipt number "${ref}" on this till. Check the number on the receipt, or \`till sales list\`.`);
  return r;
}

/** Who sold a sale, and when (receipt number, id or "last"): the default cashier of its return. */
export function saleOf(db: DB, ref: string): { id: string; receiptNo: string; cashierId: string; businessDate: string } {
  const h = saleHead(db, ref);
  return { id: h.id, receiptNo: h.receipt_no, cashierId: h.cashier_id, businessDate: h.business_date };
}

/** The sale as a refund sees it: each line's paid amount, with the sale discount share stored at sale time. */
export function refundableSale(db: DB, head: Pick<SaleHead, 'id' | 'total_fen' | 'order_discount_fen'>): RefundableSale {
  const lines = stmt(
    db,
    `SELECT line_no AS lineNo, name, qty, qty_grams AS qtyGrams, line_total_fen AS lineTotalFen, sale_discount_fen AS share
       FROM sale_lines WHERE sale_id = ? ORDER BY line_no`,
  ).all(head.id) as Array<{ lineNo: number; name: string; qty: number; qtyGrams: number | null; lineTotalFen: number; share: number | null }>;
  // Sales made before migration 36 did not store the shares: the same rule gives them now.
  const computed = lines.some((l) => l.share === null) ? saleDiscountByLine({ orderDiscountFen: head.order_discount_fen, lines }) : null;
  const payments = stmt(db, 'SELECT idx, method, amount_fen AS amountFen FROM payments WHERE sale_id = ? ORDER BY idx').all(head.id) as RefundableSale['payments'];
  return {
    totalFen: head.total_fen,
    lines: lines.map((l, i) => ({ lineNo: l.lineNo, name: l.name, qty: l.qty, qtyGrams: l.qtyGrams, lineTotalFen: l.lineTotalFen, saleDiscountFen: l.share ?? computed![i] })),
    payments,
  };
}

function priorReturns(db: DB, saleId: string): PriorReturn[] {
  return (stmt(db, SQL.returnsOfSale).all(saleId) as Array<{ id: string }>).map((r) => ({
    lines: stmt(db, 'SELECT line_no AS lineNo, qty, refund_fen AS refundFen FROM return_lines WHERE return_id = ?').all(r.id) as PriorReturn['lines'],
    tenders: stmt(db, 'SELECT payment_idx AS paymentIdx, amount_fen AS amountFen FROM return_tenders WHERE return_id = ?').all(r.id) as PriorReturn['tenders'],
  }));
}

/**
 * Records a return (or a post-void: a full return of a sale of the same business day, nothing
 * of it returned before). One IMMEDIATE transaction: the sale, what was already returned of it,
 * the plan (core/refund.ts), the rows and the approval journal entry. Throws UserError /
 * NotFoundError with a message for the cashier; nothing is written then.
 */
export function recordReturn(db: DB, input: ReturnInput, at: Date = new Date()): ReturnRecord {
  const identity = getIdentity(db);
  if (!identity) throw new UserError('This till has no store/till code; run `till init` first.', 'E_NOT_INITIALISED');
  const kind = input.kind ?? 'return';
  const refundMode = input.refund ?? 'original';
  return db.transaction(() => {
    const head = saleHead(db, input.receiptNo);
    if (head.training === 1) throw new UserError(`${head.receipt_no} is a training sale (练习): it was never a sale, so it cannot be returned.`, 'E_TRAINING');
    if (head.status !== 'completed') throw new UserError(`${head.receipt_no} is ${head.status}: there is nothing to return.`, 'E_NOT_RETURNABLE');
    const cashierId = input.cashierId ?? head.cashier_id;
    if (input.supervisorId === cashierId) throw new UserError(`User ${cashierId} cannot approve their own return: ask another supervisor.`, 'E_SELF_APPROVAL');
    const day = businessDate(at);
    const prior = priorReturns(db, head.id);
    if (kind === 'post-void') {
      // "In the same shift": until shifts land (db/shifts.ts), the same business day at this till.
      if (head.business_date !== day) throw new UserError(`${head.receipt_no} was sold on another business day (${head.business_date}): a post-void is for today's sales; make a return instead.`, 'E_POST_VOID');
      if (prior.length > 0) throw new UserError(`${head.receipt_no} already has a return: a post-void voids a whole untouched sale; return the rest instead.`, 'E_POST_VOID');
      if (input.lines) throw new UserError('A post-void takes the whole sale back: leave the lines out.', 'E_POST_VOID');
    }
    let plan;
    try {
      plan = planRefund(refundableSale(db, head), prior, { lines: input.lines, mode: refundMode });
    } catch (e) {
      if (e instanceof RefundError) throw new UserError(`${head.receipt_no}: ${e.message}`, e.code);
      throw e;
    }
    const daily = (stmt(db, 'SELECT count(*) + 1 AS n FROM returns WHERE business_date = ?').get(day) as { n: number }).n;
    const id = newSaleId();
    const returnNo = `${identity.storeCode}-${identity.tillCode}-${day}-R${String(daily).padStart(4, '0')}`;
    const createdAt = at.toISOString();
    stmt(
      db,
      `INSERT INTO returns (id, return_no, sale_id, kind, business_date, cashier_id, supervisor_id, reason, refund_mode, refund_fen, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(id, returnNo, head.id, kind, day, cashierId, input.supervisorId, input.reason?.trim() ?? '', refundMode, plan.refundFen, createdAt);
    const line = stmt(db, 'INSERT INTO return_lines (return_id, sale_id, line_no, qty, qty_grams, refund_fen) VALUES (?, ?, ?, ?, ?, ?)');
    for (const l of plan.lines) line.run(id, head.id, l.lineNo, l.qty, l.qtyGrams, l.refundFen);
    const tender = stmt(db, 'INSERT INTO return_tenders (return_id, idx, payment_idx, method, amount_fen) VALUES (?, ?, ?, ?, ?)');
    plan.tenders.forEach((t, i) => tender.run(id, i + 1, t.paymentIdx, t.method, t.amountFen));
    const what = plan.lines.map((l) => `line ${l.lineNo}${l.qtyGrams !== null ? '' : ` ×${l.qty}`}`).join(', ');
    recordApproval(
      db,
      { cashierId, supervisorId: input.supervisorId, reason: kind === 'post-void' ? 'post-void' : 'refund', action: kind, detail: `${returnNo} of ${head.receipt_no}: ${what}; refund ¥${formatFen(plan.refundFen)}` },
      at,
    );
    return findReturn(db, id);
  }).immediate();
}

interface ReturnRow {
  id: string;
  return_no: string;
  sale_id: string;
  kind: ReturnKind;
  business_date: string;
  cashier_id: string;
  supervisor_id: string;
  reason: string;
  refund_mode: RefundMode;
  refund_fen: number;
  created_at: string;
}

function hydrate(db: DB, r: ReturnRow): ReturnRecord {
  const sale = stmt(db, 'SELECT receipt_no, store_code, till_code FROM sales WHERE id = ?').get(r.sale_id) as { receipt_no: string; store_code: string; till_code: string };
  const lines = stmt(
    db,
    `SELECT rl.line_no AS lineNo, sl.name, rl.qty, rl.qty_grams AS qtyGrams, sl.unit_price_fen AS unitPriceFen, rl.refund_fen AS refundFen
       FROM return_lines rl JOIN sale_lines sl ON sl.sale_id = rl.sale_id AND sl.line_no = rl.line_no
      WHERE rl.return_id = ? ORDER BY rl.line_no`,
  ).all(r.id) as ReturnLineRecord[];
  const tenders = stmt(db, 'SELECT payment_idx AS paymentIdx, method, amount_fen AS amountFen FROM return_tenders WHERE return_id = ? ORDER BY idx').all(r.id) as ReturnTenderRecord[];
  return {
    id: r.id,
    returnNo: r.return_no,
    kind: r.kind,
    saleId: r.sale_id,
    saleReceiptNo: sale.receipt_no,
    storeCode: sale.store_code,
    tillCode: sale.till_code,
    businessDate: r.business_date,
    cashierId: r.cashier_id,
    supervisorId: r.supervisor_id,
    reason: r.reason,
    refundMode: r.refund_mode,
    refundFen: r.refund_fen,
    createdAt: r.created_at,
    lines,
    tenders,
  };
}

/** A return by its number (…-R0001) or id; throws NotFoundError. */
export function findReturn(db: DB, ref: string): ReturnRecord {
  const r = findReturnOrNull(db, ref);
  if (!r) throw new NotFoundError(`No return numbered "${ref}" on this till. Try \`till sales returns\`.`);
  return r;
}

export function findReturnOrNull(db: DB, ref: string): ReturnRecord | null {
  const key = ref.trim();
  const r = (stmt(db, SQL.returnByNo).get(key) ?? stmt(db, SQL.returnById).get(key)) as ReturnRow | undefined;
  return r ? hydrate(db, r) : null;
}

/** The returns of one sale, oldest first. */
export function returnsOfSale(db: DB, receiptNo: string): ReturnRecord[] {
  const head = saleHead(db, receiptNo);
  return (stmt(db, SQL.returnsOfSale).all(head.id) as Array<{ id: string }>).map((r) => findReturn(db, r.id));
}

/** Returns made in a period (`from` inclusive, `to` exclusive, ISO times), oldest first. */
export function listReturns(db: DB, range: { from?: string; to?: string } = {}): ReturnRecord[] {
  const rows = stmt(db, 'SELECT * FROM returns WHERE created_at >= ? AND created_at < ? ORDER BY created_at, id').all(range.from ?? '', range.to ?? '\uffff') as ReturnRow[];
  return rows.map((r) => hydrate(db, r));
}
