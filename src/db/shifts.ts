// shifts: a cashier's turn at a drawer, from the counted float to the counted close (migration
// 35). The rules of the store's day live here, in one place for the CLI and the checkout:
// - one open shift per drawer; a handover is a close and an open (no shared shifts);
// - selling needs an open shift of the cashier ringing up (requireOpenShift);
// - a shift may stay open across the business-day cutoff: it keeps the business day it was
//   opened in, each sale keeps its own, and the status says the shift should be closed;
// - a shift does not close while a held sale waits on the till, or a sale is being rung up (either
//   may hold part-paid cash);
// - a pay-out larger than the cash the drawer should hold is refused;
// - closing another cashier's shift takes the permission 'close-other-shift'.
// The sales of a shift are the till's completed sales made while it was open: a till has one
// drawer, and whoever rang a sale up, its cash went into that drawer.
import { cashOfPayments, drawerFigures, overShort, type DrawerFigures, type MovementKind } from '../core/cash.js';
import { businessDayOf, type BusinessDayRule, DEFAULT_BUSINESS_DAY } from '../core/dates.js';
import { textProblem } from '../core/limits.js';
import { formatYuan } from '../core/money.js';
import { can } from '../core/permissions.js';
import type { TenderMethod } from '../core/types.js';
import { NotFoundError, UserError } from '../errors.js';
import { returnFigures } from './returns-read.js';
import { appendMovement, movementsOf, type CashMovementRow } from './cash-movements.js';
import { readOpenCart } from './open-cart.js';
import { newSaleId as newEventId } from '../core/ids.js';
import { stmt, type DB } from './open.js';
import { enqueueEvent } from './outbox.js';
import { businessDayRuleOf } from './settings.js';
import { countSuspended } from './suspended.js';
import { getUser, type User } from './users.js';

/** A till has one cash drawer today; the column leaves room for more. */
export const DEFAULT_DRAWER = '1';

export interface Shift {
  id: number;
  drawer: string;
  cashierId: string;
  openedAt: string;
  /** The business day the shift was opened in. */
  businessDate: string;
  closedAt: string | null;
  closedBy: string | null;
  countedFen: number | null;
  /** Expected cash as computed at close: the figure of record once closed. */
  expectedCashFen: number | null;
  overShortFen: number | null;
  /** The count by denomination, when it was counted that way: [{denominationFen, count}]. */
  countDetail: Array<{ denominationFen: number; count: number }> | null;
}

export interface ShiftFigures extends DrawerFigures {
  salesCount: number;
}

interface Row {
  id: number;
  drawer: string;
  cashier_id: string;
  opened_at: string;
  business_date: string;
  closed_at: string | null;
  closed_by: string | null;
  counted_fen: number | null;
  expected_fen: number | null;
  count_detail: string | null;
}

const toShift = (r: Row): Shift => ({
  id: r.id,
  drawer: r.drawer,
  cashierId: r.cashier_id,
  openedAt: r.opened_at,
  businessDate: r.business_date,
  closedAt: r.closed_at,
  closedBy: r.closed_by,
  countedFen: r.counted_fen,
  expectedCashFen: r.expected_fen,
  overShortFen: r.counted_fen === null || r.expected_fen === null ? null : overShort(r.counted_fen, r.expected_fen),
  countDetail: r.count_detail ? JSON.parse(r.count_detail) : null,
});

export function getShift(db: DB, id: number): Shift | undefined {
  const r = stmt(db, 'SELECT * FROM shifts WHERE id = ?').get(id) as Row | undefined;
  return r && toShift(r);
}

/** The shift open on the drawer, whoever's it is. */
export function currentShift(db: DB, drawer = DEFAULT_DRAWER): Shift | undefined {
  const r = stmt(db, 'SELECT * FROM shifts WHERE drawer = ? AND closed_at IS NULL').get(drawer) as Row | undefined;
  return r && toShift(r);
}

/** The last shift closed on the drawer. */
export function lastClosedShift(db: DB, drawer = DEFAULT_DRAWER): Shift | undefined {
  const r = stmt(db, 'SELECT * FROM shifts WHERE drawer = ? AND closed_at IS NOT NULL ORDER BY id DESC LIMIT 1').get(drawer) as Row | undefined;
  return r && toShift(r);
}

/** Shifts newest first (the open one, if any, first of all). */
export function listShifts(db: DB, limit = 50): Shift[] {
  return (stmt(db, 'SELECT * FROM shifts ORDER BY id DESC LIMIT ?').all(limit) as Row[]).map(toShift);
}

/** The open shift of this cashier, if the drawer's open shift is theirs. */
export function openShiftFor(db: DB, cashierId: string, drawer = DEFAULT_DRAWER): Shift | undefined {
  const s = currentShift(db, drawer);
  return s && s.cashierId === cashierId ? s : undefined;
}

/**
 * The shift a sale by `cashierId` belongs to, or a refusal: selling needs an open shift of the
 * cashier ringing up. The checkout's commit and `till simulate` call it before each sale.
 */
export function requireOpenShift(db: DB, cashierId: string, drawer = DEFAULT_DRAWER): Shift {
  const s = currentShift(db, drawer);
  if (!s) throw new UserError(`No shift is open: open one first (\`till shift open --cashier ${cashierId} --float <yuan>\`).`, 'E_NO_SHIFT');
  if (s.cashierId !== cashierId) {
    throw new UserError(`The drawer is in shift ${s.id} of cashier ${s.cashierId}: close it (handover) before cashier ${cashierId} sells.`, 'E_OTHER_SHIFT');
  }
  return s;
}

function knownActiveUser(db: DB, id: string, what: string): User {
  const u = getUser(db, id);
  if (!u) throw new NotFoundError(`No user ${id}; \`till users list\` shows the users of this till (add one with \`till users add\`).`);
  if (!u.active) throw new UserError(`${what} ${id} is disabled; enable them with \`till users enable ${id}\` or choose another.`);
  return u;
}

export interface OpenShiftInput {
  cashierId: string;
  /** The counted float put in the drawer. */
  floatFen: number;
  drawer?: string;
  rule?: BusinessDayRule;
}

export function openShift(db: DB, o: OpenShiftInput, now = new Date()): Shift {
  if (!Number.isSafeInteger(o.floatFen) || o.floatFen < 0) throw new UserError('The float is a counted amount of cash, 0 or more.');
  const drawer = o.drawer ?? DEFAULT_DRAWER;
  return db.transaction(() => {
    knownActiveUser(db, o.cashierId, 'Cashier');
    const open = currentShift(db, drawer);
    if (open) {
      const whose = open.cashierId === o.cashierId ? 'is already open' : `of cashier ${open.cashierId} is open`;
      throw new UserError(`Shift ${open.id} ${whose} on this drawer since ${open.openedAt}; close it first (\`till shift close\`).`, 'E_SHIFT_OPEN');
    }
    const info = stmt(db, 'INSERT INTO shifts (drawer, cashier_id, opened_at, business_date) VALUES (?, ?, ?, ?)').run(
      drawer,
      o.cashierId,
      now.toISOString(),
      businessDayOf(now, o.rule ?? DEFAULT_BUSINESS_DAY),
    );
    const id = Number(info.lastInsertRowid);
    appendMovement(db, { shiftId: id, kind: 'float', amountFen: o.floatFen, reason: 'opening float', byId: o.cashierId }, now);
    const shift = getShift(db, id)!;
    enqueueEvent(db, {
      kind: 'shift-open',
      id: newEventId(),
      at: shift.openedAt,
      businessDate: shift.businessDate,
      body: { shiftId: id, drawer, cashierId: o.cashierId, floatFen: o.floatFen },
    });
    return shift;
  }).immediate();
}

/** Sums of the till's completed sales made in the shift, by tender. */
function salesCashOf(db: DB, shift: Shift): { salesCount: number; cashTakenFen: number; changeGivenFen: number } {
  const to = shift.closedAt ?? '\uffff';
  const rows = stmt(
    db,
    `SELECT p.method AS method, sum(p.tendered_fen) AS tenderedFen, sum(p.change_fen) AS changeFen
       FROM sales s JOIN payments p ON p.sale_id = s.id
      WHERE s.created_at >= ? AND s.created_at < ? AND s.status = 'completed' AND s.training = 0 GROUP BY p.method`,
  ).all(shift.openedAt, to) as Array<{ method: TenderMethod; tenderedFen: number; changeFen: number }>;
  const { n } = stmt(db, "SELECT count(*) AS n FROM sales WHERE created_at >= ? AND created_at < ? AND status = 'completed' AND training = 0").get(shift.openedAt, to) as { n: number };
  return { salesCount: n, ...cashOfPayments(rows) };
}

/**
 * Every figure of the shift's drawer, by core/cash.ts's one definition. `cashRefundsFen`: cash
 * paid back for returns and post-voids in the shift (by default read from the returns ledger).
 */
export function shiftFigures(db: DB, shift: Shift, cashRefundsFen?: number): ShiftFigures {
  const { salesCount, cashTakenFen, changeGivenFen } = salesCashOf(db, shift);
  cashRefundsFen ??= returnFigures(db, { from: shift.openedAt, to: shift.closedAt ?? undefined }).byMethodFen.cash;
  return { salesCount, ...drawerFigures({ movements: movementsOf(db, shift.id), cashTakenFen, changeGivenFen, cashRefundsFen }) };
}

export function shiftMovements(db: DB, shift: Shift): CashMovementRow[] {
  return movementsOf(db, shift.id);
}

/** A pay-in/out reason, as long as a product name. */
export const MAX_REASON = 200;

export interface PayInOutInput {
  kind: Extract<MovementKind, 'pay-in' | 'pay-out'>;
  amountFen: number;
  reason: string;
  /** Who takes the cash in or out (the shift's cashier when not given). */
  byId?: string;
  drawer?: string;
}

export interface PayInOutResult {
  movement: CashMovementRow;
  shift: Shift;
  expectedCashFen: number;
}

export function payInOut(db: DB, o: PayInOutInput, now = new Date(), cashRefundsFen?: number): PayInOutResult {
  if (!Number.isSafeInteger(o.amountFen) || o.amountFen <= 0) throw new UserError('The amount must be more than 0.');
  const reason = o.reason.trim();
  if (!reason) throw new UserError(`A ${o.kind} needs a reason (--reason), e.g. "delivery" or "change from the bank".`);
  // The reason travels to HQ with the movement: held to the protocol's text rules (core/limits.ts).
  const reasonProblem = textProblem(reason, MAX_REASON);
  if (reasonProblem) throw new UserError(`The reason ${reasonProblem}.`);
  return db.transaction(() => {
    const shift = currentShift(db, o.drawer ?? DEFAULT_DRAWER);
    if (!shift) throw new UserError('No shift is open: cash moves in or out of an open shift only (`till shift open`).', 'E_NO_SHIFT');
    const by = knownActiveUser(db, o.byId ?? shift.cashierId, 'User');
    if (!can(by.role, 'pay-in-out')) throw new UserError(`A ${by.role} may not pay cash in or out; ask a supervisor.`, 'E_PERMISSION');
    const before = shiftFigures(db, shift, cashRefundsFen).expectedCashFen;
    if (o.kind === 'pay-out' && o.amountFen > before) {
      throw new UserError(`The drawer should hold ${formatYuan(before)}: a pay-out of ${formatYuan(o.amountFen)} is more than that. Count the drawer, or pay in first.`, 'E_DRAWER_SHORT');
    }
    const movement = appendMovement(db, { shiftId: shift.id, kind: o.kind, amountFen: o.amountFen, reason, byId: by.id }, now);
    enqueueEvent(db, {
      kind: o.kind,
      id: newEventId(),
      at: movement.at,
      businessDate: businessDayOf(now, businessDayRuleOf(db)),
      body: { shiftId: shift.id, byId: by.id, amountFen: o.amountFen, reason },
    });
    return { movement, shift, expectedCashFen: before + (o.kind === 'pay-in' ? o.amountFen : -o.amountFen) };
  }).immediate();
}

export interface CloseShiftInput {
  countedFen: number;
  countDetail?: Array<{ denominationFen: number; count: number }>;
  /** Who closes (the shift's cashier when not given); another's shift takes 'close-other-shift'. */
  byId?: string;
  drawer?: string;
  cashRefundsFen?: number;
}

export interface ClosedShift {
  shift: Shift;
  figures: ShiftFigures;
}

export function closeShift(db: DB, o: CloseShiftInput, now = new Date()): ClosedShift {
  if (!Number.isSafeInteger(o.countedFen) || o.countedFen < 0) throw new UserError('The counted cash is an amount of 0 or more.');
  return db.transaction(() => {
    const shift = currentShift(db, o.drawer ?? DEFAULT_DRAWER);
    if (!shift) {
      const last = lastClosedShift(db, o.drawer ?? DEFAULT_DRAWER);
      throw new UserError(last ? `No shift is open: shift ${last.id} was closed at ${last.closedAt}.` : 'No shift is open on this till.', 'E_NO_SHIFT');
    }
    const by = knownActiveUser(db, o.byId ?? shift.cashierId, 'User');
    if (by.id !== shift.cashierId && !can(by.role, 'close-other-shift')) {
      throw new UserError(`Shift ${shift.id} is cashier ${shift.cashierId}'s: a ${by.role} may not close another cashier's shift; ask a supervisor.`, 'E_PERMISSION');
    }
    const held = countSuspended(db);
    if (held > 0) throw new UserError(`${held} held sale(s) wait on this till: resume and finish or cancel them before closing the shift.`, 'E_HELD_SALES');
    const inProgress = readOpenCart(db);
    if (inProgress) throw new UserError(`A sale of cashier ${inProgress.cashierId} is being rung up on this till: finish or cancel it at the checkout before closing the shift.`, 'E_SALE_IN_PROGRESS');
    const closedAt = now.toISOString();
    // Sales up to the close belong to the shift: the figures are taken as of the close.
    const figures = shiftFigures(db, { ...shift, closedAt }, o.cashRefundsFen);
    stmt(db, 'UPDATE shifts SET closed_at = ?, closed_by = ?, counted_fen = ?, expected_fen = ?, count_detail = ? WHERE id = ? AND closed_at IS NULL').run(
      closedAt,
      by.id,
      o.countedFen,
      figures.expectedCashFen,
      o.countDetail ? JSON.stringify(o.countDetail) : null,
      shift.id,
    );
    const closed = getShift(db, shift.id)!;
    enqueueEvent(db, {
      kind: 'shift-close',
      id: newEventId(),
      at: closedAt,
      businessDate: businessDayOf(now, businessDayRuleOf(db)),
      body: {
        shiftId: shift.id,
        drawer: shift.drawer,
        cashierId: shift.cashierId,
        closedBy: by.id,
        countedFen: o.countedFen,
        expectedCashFen: figures.expectedCashFen,
        overShortFen: overShort(o.countedFen, figures.expectedCashFen),
      },
    });
    return { shift: closed, figures };
  }).immediate();
}

/** True when the shift was opened on an earlier business day than `now`'s. */
export function crossedCutoff(shift: Shift, now = new Date(), rule: BusinessDayRule = DEFAULT_BUSINESS_DAY): boolean {
  return shift.closedAt === null && businessDayOf(now, rule) !== shift.businessDate;
}
