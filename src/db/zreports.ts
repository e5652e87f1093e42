// z_reports (migration 37): the X and Z reports of the till. An X reads the period since the last
// Z and changes nothing; a Z closes that period. A Z is numbered per device (this till) from 1,
// gapless, never reset, never edited or deleted (triggers); it records the first and last event
// it covers (sale seq, return rowid) and the cumulative grand total of every Z's net so far.
// The period of a Z is whatever came after the previous Z's last events, so no event is ever in
// two Zs; a Z is taken in an IMMEDIATE transaction, so two at once make one Z and one refusal.
// The figures are core/metrics.ts's; the drawer figures are the closed shifts' (db/shifts.ts).
import { can } from '../core/permissions.js';
import { businessDayOf, type BusinessDayRule } from '../core/dates.js';
import { periodMetrics, type CashSums, type PeriodMetrics, type PeriodSums } from '../core/metrics.js';
import { saleDiscountByLine } from '../core/sale.js';
import type { TenderMethod } from '../core/types.js';
import { NotFoundError, UserError } from '../errors.js';
import { newSaleId as newEventId } from '../core/ids.js';
import { stmt, type DB } from './open.js';
import { enqueueEvent } from './outbox.js';
import type { WireEventBody } from '../sync/protocol.js';
import { TRAINING_SEQ_BASE } from './sales.js';
import { businessDayRuleOf, getIdentity } from './settings.js';
import { getShift, shiftFigures } from './shifts.js';
import { verifyLogin, type User } from './users.js';

/** The events a report covers: sales (seq), returns (rowid), training sales (seq), closed shifts (id), checkout voids (rowid), each a half-open range (after, upTo]. */
export interface Cursor {
  saleSeq: number;
  returnRowid: number;
  trainingSeq: number;
  shiftId: number;
  voidRowid: number;
}

export interface ReportPeriod {
  after: Cursor;
  upTo: Cursor;
  /** First and last sale covered (null with none), by seq and receipt number. */
  firstSale: { seq: number; receiptNo: string } | null;
  lastSale: { seq: number; receiptNo: string } | null;
  firstReturn: { rowid: number; returnNo: string } | null;
  lastReturn: { rowid: number; returnNo: string } | null;
  /** The business days the covered sales and returns span (store time zone and cutoff). */
  businessDayFrom: string | null;
  businessDayTo: string | null;
  shiftIds: number[];
}

export interface ReportBody extends PeriodMetrics {
  kind: 'X' | 'Z';
  /** The Z's number; an X shows the number the next Z will take. */
  no: number;
  storeCode: string;
  tillCode: string;
  takenAt: string;
  /** The business day the report was taken in. */
  businessDate: string;
  period: ReportPeriod;
  /** Σ of the net of every Z up to and including this one (an X: as if taken now). */
  grandTotalFen: number;
  /** Who took the Z (a supervisor or admin, PIN checked by authorizeZ); null for an X. */
  takenBy: string | null;
}

export type VoidSums = { count: number; fen: number };

export interface ReportOptions {
  rule?: BusinessDayRule;
  /** Who takes the Z (checked beforehand with authorizeZ). */
  takenBy?: string;
}

const START: Cursor = { saleSeq: 0, returnRowid: 0, trainingSeq: TRAINING_SEQ_BASE, shiftId: 0, voidRowid: 0 };

interface ZRow {
  no: number;
  last_sale_seq: number;
  last_return_rowid: number;
  last_training_seq: number;
  last_shift_id: number;
  last_void_rowid: number;
  grand_total_fen: number;
  body: string;
}

function lastZ(db: DB): ZRow | undefined {
  return stmt(db, 'SELECT * FROM z_reports ORDER BY no DESC LIMIT 1').get() as ZRow | undefined;
}

const cursorOf = (z: ZRow | undefined): Cursor =>
  z ? { saleSeq: z.last_sale_seq, returnRowid: z.last_return_rowid, trainingSeq: z.last_training_seq, shiftId: z.last_shift_id, voidRowid: z.last_void_rowid } : START;

/** Where the events end now: the last sale, return, training sale, and the closed shifts before any open one. */
function currentEnd(db: DB, after: Cursor): Cursor {
  const saleSeq = (stmt(db, 'SELECT coalesce(max(seq), ?) AS n FROM sales WHERE seq < ?').get(after.saleSeq, TRAINING_SEQ_BASE) as { n: number }).n;
  const returnRowid = (stmt(db, 'SELECT coalesce(max(rowid), ?) AS n FROM returns').get(after.returnRowid) as { n: number }).n;
  const trainingSeq = (stmt(db, 'SELECT coalesce(max(seq), ?) AS n FROM sales WHERE seq > ?').get(after.trainingSeq, TRAINING_SEQ_BASE) as { n: number }).n;
  // A shift counts once closed; an open one (one drawer: the newest) waits for the next report.
  const shiftId = (
    stmt(db, 'SELECT coalesce(max(id), ?) AS n FROM shifts WHERE id > ? AND closed_at IS NOT NULL AND id < coalesce((SELECT min(id) FROM shifts WHERE closed_at IS NULL), 9e18)').get(
      after.shiftId,
      after.shiftId,
    ) as { n: number }
  ).n;
  const voidRowid = (stmt(db, 'SELECT coalesce(max(rowid), ?) AS n FROM voids').get(after.voidRowid) as { n: number }).n;
  return { saleSeq, returnRowid, trainingSeq, shiftId, voidRowid };
}

/** The sums of the events in (after, upTo]: a handful of indexed aggregates over the period's rows. */
export function periodSums(db: DB, after: Cursor, upTo: Cursor): PeriodSums {
  const seq = [after.saleSeq, upTo.saleSeq] as const;
  // Voids at the checkout (cancelled sales, removed lines, sales dropped on leaving): counted apart, never in net.
  const voids = stmt(db, 'SELECT count(*) AS count, coalesce(sum(amount_fen), 0) AS fen FROM voids WHERE rowid > ? AND rowid <= ?').get(after.voidRowid, upTo.voidRowid) as VoidSums;
  const ret = [after.returnRowid, upTo.returnRowid] as const;
  const sales = stmt(
    db,
    `SELECT count(*) AS count, coalesce(sum(subtotal_fen), 0) AS grossFen, coalesce(sum(discount_fen), 0) AS discountFen
       FROM sales WHERE seq > ? AND seq <= ? AND status = 'completed'`,
  ).get(...seq) as PeriodSums['sales'];
  const kinds = stmt(db, 'SELECT kind, count(*) AS n, sum(refund_fen) AS fen FROM returns WHERE rowid > ? AND rowid <= ? GROUP BY kind').all(...ret) as Array<{
    kind: string;
    n: number;
    fen: number;
  }>;
  const returns = { count: 0, fen: 0, postVoids: 0, postVoidsFen: 0 };
  for (const k of kinds) {
    returns.fen += k.fen;
    if (k.kind === 'post-void') (returns.postVoids = k.n), (returns.postVoidsFen = k.fen);
    else returns.count = k.n;
  }
  const training = stmt(db, 'SELECT count(*) AS salesCount, coalesce(sum(total_fen), 0) AS totalFen FROM sales WHERE seq > ? AND seq <= ?').get(
    after.trainingSeq,
    upTo.trainingSeq,
  ) as PeriodSums['training'];

  const tenders = new Map<TenderMethod, { method: TenderMethod; salesFen: number; refundsFen: number }>();
  const tender = (m: TenderMethod) => tenders.get(m) ?? tenders.set(m, { method: m, salesFen: 0, refundsFen: 0 }).get(m)!;
  const paid = stmt(
    db,
    `SELECT p.method, sum(p.amount_fen) AS fen FROM sales s JOIN payments p ON p.sale_id = s.id
      WHERE s.seq > ? AND s.seq <= ? AND s.status = 'completed' GROUP BY p.method`,
  ).all(...seq) as Array<{ method: TenderMethod; fen: number }>;
  for (const p of paid) tender(p.method).salesFen = p.fen;
  const refunded = stmt(
    db,
    `SELECT t.method, sum(t.amount_fen) AS fen FROM returns r JOIN return_tenders t ON t.return_id = r.id
      WHERE r.rowid > ? AND r.rowid <= ? GROUP BY t.method`,
  ).all(...ret) as Array<{ method: TenderMethod; fen: number }>;
  for (const r of refunded) tender(r.method).refundsFen = r.fen;

  // A line's category is its product's; lines of products since deleted fall under ''.
  const categories = new Map<string, { category: string; salesFen: number; refundsFen: number }>();
  const category = (c: string) => categories.get(c) ?? categories.set(c, { category: c, salesFen: 0, refundsFen: 0 }).get(c)!;
  const lineRows = stmt(
    db,
    `SELECT coalesce(pr.category, '') AS category, sum(l.line_total_fen - coalesce(l.sale_discount_fen, 0)) AS fen
       FROM sales s JOIN sale_lines l ON l.sale_id = s.id LEFT JOIN products pr ON pr.id = l.product_id
      WHERE s.seq > ? AND s.seq <= ? AND s.status = 'completed' GROUP BY 1`,
  ).all(...seq) as Array<{ category: string; fen: number }>;
  for (const r of lineRows) category(r.category).salesFen = r.fen;
  // Sales made before migration 36 did not store each line's share of the sale discount: the
  // same largest-remainder rule gives it now, so the categories still add up to net.
  const legacy = stmt(
    db,
    `SELECT s.id, s.order_discount_fen AS orderDiscountFen FROM sales s
      WHERE s.seq > ? AND s.seq <= ? AND s.status = 'completed' AND s.order_discount_fen > 0
        AND EXISTS (SELECT 1 FROM sale_lines l WHERE l.sale_id = s.id AND l.sale_discount_fen IS NULL)`,
  ).all(...seq) as Array<{ id: string; orderDiscountFen: number }>;
  for (const sale of legacy) {
    const lines = stmt(
      db,
      `SELECT coalesce(pr.category, '') AS category, l.line_total_fen AS lineTotalFen FROM sale_lines l LEFT JOIN products pr ON pr.id = l.product_id
        WHERE l.sale_id = ? ORDER BY l.line_no`,
    ).all(sale.id) as Array<{ category: string; lineTotalFen: number }>;
    saleDiscountByLine({ orderDiscountFen: sale.orderDiscountFen, lines }).forEach((share, i) => (category(lines[i].category).salesFen -= share));
  }
  const backRows = stmt(
    db,
    `SELECT coalesce(pr.category, '') AS category, sum(rl.refund_fen) AS fen
       FROM returns r JOIN return_lines rl ON rl.return_id = r.id
       JOIN sale_lines l ON l.sale_id = rl.sale_id AND l.line_no = rl.line_no LEFT JOIN products pr ON pr.id = l.product_id
      WHERE r.rowid > ? AND r.rowid <= ? GROUP BY 1`,
  ).all(...ret) as Array<{ category: string; fen: number }>;
  for (const r of backRows) category(r.category).refundsFen = r.fen;

  const cashiers = new Map<string, PeriodSums['cashiers'][number]>();
  const cashier = (id: string) => cashiers.get(id) ?? cashiers.set(id, { cashierId: id, salesCount: 0, grossFen: 0, discountFen: 0, returnsFen: 0 }).get(id)!;
  const bySeller = stmt(
    db,
    `SELECT cashier_id AS id, count(*) AS n, sum(subtotal_fen) AS gross, sum(discount_fen) AS disc
       FROM sales WHERE seq > ? AND seq <= ? AND status = 'completed' GROUP BY cashier_id`,
  ).all(...seq) as Array<{ id: string; n: number; gross: number; disc: number }>;
  for (const r of bySeller) Object.assign(cashier(r.id), { salesCount: r.n, grossFen: r.gross, discountFen: r.disc });
  const byTaker = stmt(db, 'SELECT cashier_id AS id, sum(refund_fen) AS fen FROM returns WHERE rowid > ? AND rowid <= ? GROUP BY cashier_id').all(...ret) as Array<{
    id: string;
    fen: number;
  }>;
  for (const r of byTaker) cashier(r.id).returnsFen = r.fen;

  return { sales, returns, voids, training, tenders: [...tenders.values()], categories: [...categories.values()], cashiers: [...cashiers.values()], cash: cashOfShifts(db, after, upTo) };
}

/** The drawers of the shifts closed in the period: expected as recorded at close (drawerFigures), counted as counted. */
function cashOfShifts(db: DB, after: Cursor, upTo: Cursor): CashSums {
  const sum: CashSums = { shifts: 0, floatFen: 0, cashTakenFen: 0, changeGivenFen: 0, cashRefundsFen: 0, payInsFen: 0, payOutsFen: 0, expectedCashFen: 0, countedCashFen: 0 };
  const ids = stmt(db, 'SELECT id FROM shifts WHERE id > ? AND id <= ? AND closed_at IS NOT NULL ORDER BY id').all(after.shiftId, upTo.shiftId) as Array<{ id: number }>;
  for (const { id } of ids) {
    const shift = getShift(db, id)!;
    const f = shiftFigures(db, shift);
    sum.shifts++;
    sum.floatFen += f.floatFen;
    sum.cashTakenFen += f.cashTakenFen;
    sum.changeGivenFen += f.changeGivenFen;
    sum.cashRefundsFen += f.cashRefundsFen;
    sum.payInsFen += f.payInsFen;
    sum.payOutsFen += f.payOutsFen;
    // The figure of record is the expected cash computed at the close (by the same function).
    sum.expectedCashFen += shift.expectedCashFen!;
    sum.countedCashFen += shift.countedFen!;
  }
  return sum;
}

function describePeriod(db: DB, after: Cursor, upTo: Cursor, rule: BusinessDayRule): ReportPeriod {
  const sale = (order: 'ASC' | 'DESC') =>
    (stmt(db, `SELECT seq, receipt_no AS receiptNo, created_at AS at FROM sales WHERE seq > ? AND seq <= ? ORDER BY seq ${order} LIMIT 1`).get(after.saleSeq, upTo.saleSeq) as
      | { seq: number; receiptNo: string; at: string }
      | undefined) ?? null;
  const ret = (order: 'ASC' | 'DESC') =>
    (stmt(db, `SELECT rowid, return_no AS returnNo, created_at AS at FROM returns WHERE rowid > ? AND rowid <= ? ORDER BY rowid ${order} LIMIT 1`).get(
      after.returnRowid,
      upTo.returnRowid,
    ) as { rowid: number; returnNo: string; at: string } | undefined) ?? null;
  const [firstSale, lastSale, firstReturn, lastReturn] = [sale('ASC'), sale('DESC'), ret('ASC'), ret('DESC')];
  // Events are in time order within each stream: the span is given by the ends of both.
  const times = [firstSale, lastSale, firstReturn, lastReturn].filter((e) => e !== null).map((e) => e.at).sort();
  const shiftIds = (stmt(db, 'SELECT id FROM shifts WHERE id > ? AND id <= ? AND closed_at IS NOT NULL ORDER BY id').all(after.shiftId, upTo.shiftId) as Array<{ id: number }>).map((r) => r.id);
  const strip = <T extends { at: string }>(e: T | null) => (e === null ? null : (({ at: _at, ...rest }) => rest)(e));
  return {
    after,
    upTo,
    firstSale: strip(firstSale),
    lastSale: strip(lastSale),
    firstReturn: strip(firstReturn),
    lastReturn: strip(lastReturn),
    businessDayFrom: times.length ? businessDayOf(new Date(times[0]), rule) : null,
    businessDayTo: times.length ? businessDayOf(new Date(times[times.length - 1]), rule) : null,
    shiftIds,
  };
}

function buildReport(db: DB, kind: 'X' | 'Z', now: Date, opts: ReportOptions): ReportBody {
  const identity = getIdentity(db);
  if (!identity) throw new UserError('This till has no store/till code; run `till init` first.', 'E_NOT_INITIALISED');
  const rule = opts.rule ?? businessDayRuleOf(db);
  const last = lastZ(db);
  const after = cursorOf(last);
  const upTo = currentEnd(db, after);
  const metrics = periodMetrics(periodSums(db, after, upTo));
  return {
    kind,
    no: (last?.no ?? 0) + 1,
    storeCode: identity.storeCode,
    tillCode: identity.tillCode,
    takenAt: now.toISOString(),
    businessDate: businessDayOf(now, rule),
    period: describePeriod(db, after, upTo, rule),
    ...metrics,
    grandTotalFen: (last?.grand_total_fen ?? 0) + metrics.netFen,
    takenBy: kind === 'Z' ? (opts.takenBy ?? null) : null,
  };
}

/** The user taking a Z, once their PIN matches and core/permissions.ts lets their role ('z-report'). */
export function authorizeZ(db: DB, id: string, pin: string, now = new Date()): User {
  const r = verifyLogin(db, id, pin, now);
  if (!r.ok) {
    const why = r.reason === 'locked' ? 'is locked after too many wrong PINs' : r.reason === 'inactive' ? 'is disabled' : 'and PIN do not match';
    throw new UserError(`User ${id} ${why}; no Z report was taken.`, 'E_APPROVAL');
  }
  if (!can(r.user.role, 'z-report')) throw new UserError(`A ${r.user.role} may not take a Z report; a supervisor or admin takes it.`, 'E_PERMISSION');
  return r.user;
}

/** The X report: the period since the last Z, as it stands. Reads only. */
export function xReport(db: DB, now = new Date(), opts: ReportOptions = {}): ReportBody {
  return db.transaction(() => buildReport(db, 'X', now, opts)).deferred();
}

/** Closes the period since the last Z; refused (E_NOTHING_TO_CLOSE) when it holds no sale and no return. */
export function takeZReport(db: DB, now = new Date(), opts: ReportOptions = {}): ReportBody {
  return db
    .transaction(() => {
      const z = buildReport(db, 'Z', now, opts);
      if (z.salesCount === 0 && z.returnsCount + z.postVoidsCount === 0) {
        const since = z.no > 1 ? `since Z ${z.no - 1}` : 'on this till yet';
        throw new UserError(`Nothing to close: no sale and no return ${since}. \`till report x\` shows the period as it stands.`, 'E_NOTHING_TO_CLOSE');
      }
      const p = z.period;
      stmt(
        db,
        `INSERT INTO z_reports (no, store_code, till_code, created_at, business_day_from, business_day_to,
           first_sale_seq, last_sale_seq, first_return_rowid, last_return_rowid, last_training_seq, last_shift_id, last_void_rowid, sales_count, taken_by, net_fen, grand_total_fen, body)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        z.no,
        z.storeCode,
        z.tillCode,
        z.takenAt,
        p.businessDayFrom,
        p.businessDayTo,
        p.firstSale?.seq ?? null,
        p.upTo.saleSeq,
        p.firstReturn?.rowid ?? null,
        p.upTo.returnRowid,
        p.upTo.trainingSeq,
        p.upTo.shiftId,
        p.upTo.voidRowid,
        z.salesCount,
        z.takenBy,
        z.netFen,
        z.grandTotalFen,
        JSON.stringify(z),
      );
      // The Z travels to HQ in the same transaction: HQ's figures for a day are its Z reports'.
      enqueueEvent(db, { kind: 'z-report', id: newEventId(), at: z.takenAt, businessDate: z.businessDate, body: { ...z } satisfies ReportBody as WireEventBody<'z-report'> });
      return z;
    })
    .immediate();
}

export interface ZSummary {
  no: number;
  takenAt: string;
  businessDayFrom: string | null;
  businessDayTo: string | null;
  salesCount: number;
  netFen: number;
  grandTotalFen: number;
}

/** The Z reports, newest first. */
export function listZReports(db: DB, limit = 100): ZSummary[] {
  return (
    stmt(db, 'SELECT no, created_at, business_day_from, business_day_to, sales_count, net_fen, grand_total_fen FROM z_reports ORDER BY no DESC LIMIT ?').all(limit) as Array<
      ZRow & { created_at: string; business_day_from: string | null; business_day_to: string | null; sales_count: number; net_fen: number }
    >
  ).map((r) => ({
    no: r.no,
    takenAt: r.created_at,
    businessDayFrom: r.business_day_from,
    businessDayTo: r.business_day_to,
    salesCount: r.sales_count,
    netFen: r.net_fen,
    grandTotalFen: r.grand_total_fen,
  }));
}

/** Z report `no` as it was taken; throws NotFoundError. */
export function getZReport(db: DB, no: number): ReportBody {
  const r = stmt(db, 'SELECT body FROM z_reports WHERE no = ?').get(no) as { body: string } | undefined;
  if (!r) {
    const last = lastZ(db)?.no ?? 0;
    throw new NotFoundError(last === 0 ? 'No Z report has been taken on this till yet.' : `No Z report ${no}: this till's Z reports are numbered 1 to ${last}.`);
  }
  return JSON.parse(r.body) as ReportBody;
}

/**
 * The Z's human key and body. What travels to HQ is the 'z-report' event takeZReport puts in
 * the device's stream (a UUIDv7 id, this body); HQ lists it by store, till and number
 * (`till hq z list`).
 */
export function zReportEvent(z: ReportBody): { type: 'z-report'; id: string; body: ReportBody } {
  if (z.kind !== 'Z') throw new Error('only a Z report is an event');
  return { type: 'z-report', id: `${z.storeCode}-${z.tillCode}-Z${z.no}`, body: z };
}
