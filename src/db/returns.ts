// returns + return_lines + return_tenders (migration 36): a return or post-void is its own
// numbered record referencing the sale. Written in one IMMEDIATE transaction that first reads
// what was already returned of the sale, so that no line ever comes back beyond what was sold
// (core/refund.ts decides; the trigger return_lines_within_sold is the last word).
//
// The return travels to HQ as a 'return' event of the device's stream, written in the same
// transaction (db/outbox.ts enqueueEvent). HQ checks it against the sale too: a line returned
// beyond what was sold there (two tills returned it offline) is kept, counted and flagged.
import { businessDayOf } from '../core/dates.js';
import { newSaleId } from '../core/ids.js';
import { textProblem } from '../core/limits.js';
import { formatFen } from '../core/money.js';
import { can } from '../core/permissions.js';
import { planRefund, RefundError, type RefundMode, type RefundPlan } from '../core/refund.js';
import { UserError } from '../errors.js';
import { recordApproval } from './approvals.js';
import { stmt, type DB } from './open.js';
import { enqueueEvent } from './outbox.js';
import { findReturn, priorReturns, refundableSale, saleHead, type ReturnKind, type ReturnRecord, type SaleHead } from './returns-read.js';
import { businessDayRuleOf, getIdentity } from './settings.js';
import { currentShift } from './shifts.js';
import { verifyLogin, type User } from './users.js';

export * from './returns-read.js';

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


/**
 * Checks the approver of a return: a supervisor or admin, active, with the right PIN, and not
 * the cashier the return is for (a supervisor never approves their own action). Throws UserError.
 * Run it before recordReturn, outside its transaction (a wrong PIN must count even when the
 * return is then refused).
 */
export function checkApprover(db: DB, a: { supervisorId: string; pin: string; cashierId: string; kind?: ReturnKind }, now = new Date()): User {
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
  if (!can(r.user.role, a.kind === 'post-void' ? 'post-void' : 'refund')) {
    throw new UserError(`User ${a.supervisorId} is a ${r.user.role}: a return needs a supervisor or an admin.`, 'E_APPROVAL');
  }
  return r.user;
}

/** A return's reason travels to HQ with it: held to the protocol's text rules (core/limits.ts). */
export const REASON_MAX = 200;

interface Planned {
  head: SaleHead;
  cashierId: string;
  day: string;
  kind: ReturnKind;
  refundMode: RefundMode;
  plan: RefundPlan;
}

/** Every check of a return but the approver's, and its plan: read only. */
function planReturn(db: DB, input: Omit<ReturnInput, 'supervisorId'>, at: Date): Planned {
  const kind = input.kind ?? 'return';
  const refundMode = input.refund ?? 'original';
  const reasonProblem = textProblem(input.reason?.trim() ?? '', REASON_MAX);
  if (reasonProblem) throw new UserError(`The reason ${reasonProblem}.`, 'E_INPUT');
  const head = saleHead(db, input.receiptNo);
  if (head.training === 1) throw new UserError(`${head.receipt_no} is a training sale (练习): it was never a sale, so it cannot be returned.`, 'E_TRAINING');
  if (head.status !== 'completed') throw new UserError(`${head.receipt_no} is ${head.status}: there is nothing to return.`, 'E_NOT_RETURNABLE');
  // The store's business day, by the same rule as a sale's (db/sales.ts recordSale).
  const day = businessDayOf(at, businessDayRuleOf(db)).replaceAll('-', '');
  const prior = priorReturns(db, head.id);
  if (kind === 'post-void') {
    // A post-void undoes a sale of the drawer's open shift (its cash is still in that drawer);
    // an older sale comes back as a return.
    const shift = currentShift(db);
    const soldAt = (stmt(db, 'SELECT created_at AS at FROM sales WHERE id = ?').get(head.id) as { at: string }).at;
    if (!shift || soldAt < shift.openedAt) {
      throw new UserError(`${head.receipt_no} was not sold in the open shift${shift ? ` (opened ${shift.openedAt})` : ' (no shift is open)'}: a post-void is for this shift's sales; make a return instead.`, 'E_POST_VOID');
    }
    if (prior.length > 0) throw new UserError(`${head.receipt_no} already has a return: a post-void voids a whole untouched sale; return the rest instead.`, 'E_POST_VOID');
    if (input.lines) throw new UserError('A post-void takes the whole sale back: leave the lines out.', 'E_POST_VOID');
  }
  try {
    const plan = planRefund(refundableSale(db, head), prior, { lines: input.lines, mode: refundMode });
    return { head, cashierId: input.cashierId ?? head.cashier_id, day, kind, refundMode, plan };
  } catch (e) {
    if (e instanceof RefundError) throw new UserError(`${head.receipt_no}: ${e.message}`, e.code);
    throw e;
  }
}

/**
 * What a return would refund, line by line and tender by tender, without writing anything: the
 * checkout shows it before it asks for the supervisor. Throws the UserError recordReturn would.
 */
export function previewReturn(db: DB, input: Omit<ReturnInput, 'supervisorId'>, at: Date = new Date()): RefundPlan & { receiptNo: string; cashierId: string } {
  const p = db.transaction(() => planReturn(db, input, at)).deferred();
  return { ...p.plan, receiptNo: p.head.receipt_no, cashierId: p.cashierId };
}

/**
 * Records a return (or a post-void: a full return of a sale of the open shift, nothing
 * of it returned before). One IMMEDIATE transaction: the sale, what was already returned of it,
 * the plan (core/refund.ts), the rows and the approval journal entry. Throws UserError /
 * NotFoundError with a message for the cashier; nothing is written then.
 */
export function recordReturn(db: DB, input: ReturnInput, at: Date = new Date()): ReturnRecord {
  const identity = getIdentity(db);
  if (!identity) throw new UserError('This till has no store/till code; run `till init` first.', 'E_NOT_INITIALISED');
  return db.transaction(() => {
    const { head, cashierId, day, kind, refundMode, plan } = planReturn(db, input, at);
    if (input.supervisorId === cashierId) throw new UserError(`User ${cashierId} cannot approve their own return: ask another supervisor.`, 'E_SELF_APPROVAL');
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
    enqueueEvent(db, {
      kind: 'return',
      id,
      at: createdAt,
      businessDate: `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6)}`,
      body: {
        returnNo,
        saleId: head.id,
        receiptNo: head.receipt_no,
        type: kind,
        cashierId,
        supervisorId: input.supervisorId,
        reason: input.reason?.trim() ?? '',
        refundMode,
        refundFen: plan.refundFen,
        lines: plan.lines.map((l) => ({ lineNo: l.lineNo, qty: l.qty, qtyGrams: l.qtyGrams, refundFen: l.refundFen })),
        tenders: plan.tenders.map((t) => ({ method: t.method, amountFen: t.amountFen })),
      },
    });
    const what = plan.lines.map((l) => `line ${l.lineNo}${l.qtyGrams !== null ? '' : ` ×${l.qty}`}`).join(', ');
    recordApproval(
      db,
      { cashierId, supervisorId: input.supervisorId, reason: kind === 'post-void' ? 'post-void' : 'refund', action: kind, detail: `${returnNo} of ${head.receipt_no}: ${what}; refund ¥${formatFen(plan.refundFen)}` },
      at,
    );
    return findReturn(db, id);
  }).immediate();
}

