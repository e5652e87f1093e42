// voids: what was taken off at the checkout without being sold (migration 32) — a sale
// cancelled (F8), a line removed, a sale dropped on leaving the till. Written in the same
// transaction as the change (recordVoid asserts it), never changed; read by `till sales voids`.
// Each row is shaped as an event for HQ: UUIDv7 id, time, business date, kind, JSON lines.
import { newSaleId as newEventId } from '../core/ids.js';
import { assertInTransaction, stmt, type DB } from './open.js';
import { enqueueEvent } from './outbox.js';

export type VoidKind = 'sale-cancelled' | 'line-removed' | 'sale-dropped';

export interface VoidLine {
  productId: number | null;
  barcode: string | null;
  name: string;
  qty: number;
  qtyGrams: number | null;
  unitPriceFen: number;
  /** qty × unit price (or the weighed / label price) before any discount. */
  grossFen: number;
  discountFen: number;
}

export interface VoidEntry {
  id: string;
  at: string;
  /** YYYY-MM-DD, the business day the void happened in (core/dates.ts businessDayOf). */
  businessDate: string;
  kind: VoidKind;
  cashierId: string;
  approverId: string | null;
  lines: VoidLine[];
  /** What left the sale (the lines' amounts after their discounts; the whole total for a sale). */
  amountFen: number;
  /** The sale's total before the void. */
  saleTotalFen: number;
  /** Already paid when it happened. */
  paidFen: number;
}

interface Row {
  id: string;
  at: string;
  business_date: string;
  kind: VoidKind;
  cashier_id: string;
  approver_id: string | null;
  lines: string;
  amount_fen: number;
  sale_total_fen: number;
  paid_fen: number;
}

/** `training`: a void in training mode (练习) is kept here but never sent to HQ. */
export function recordVoid(db: DB, v: Omit<VoidEntry, 'id'>, opts: { training?: boolean } = {}): VoidEntry {
  assertInTransaction(db, 'recordVoid');
  // The same UUIDv7 a sale gets: time-ordered, made offline, the event's id at HQ.
  const entry = { id: newEventId(), ...v };
  stmt(db, 'INSERT INTO voids (id, at, business_date, kind, cashier_id, approver_id, lines, amount_fen, sale_total_fen, paid_fen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
    entry.id,
    entry.at,
    entry.businessDate,
    entry.kind,
    entry.cashierId,
    entry.approverId,
    JSON.stringify(entry.lines),
    entry.amountFen,
    entry.saleTotalFen,
    entry.paidFen,
  );
  if (!opts.training) {
    const { id, at, businessDate, kind, ...rest } = entry;
    enqueueEvent(db, { kind: 'void', id, at, businessDate, body: { type: kind, ...rest } });
  }
  return entry;
}

/** Oldest first; `from` inclusive and `to` exclusive, as ISO times. */
export function listVoids(db: DB, range: { from?: string; to?: string } = {}): VoidEntry[] {
  const rows = stmt(db, 'SELECT * FROM voids WHERE at >= ? AND at < ? ORDER BY at, id').all(range.from ?? '', range.to ?? '\uffff') as Row[];
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    businessDate: r.business_date,
    kind: r.kind,
    cashierId: r.cashier_id,
    approverId: r.approver_id,
    lines: JSON.parse(r.lines) as VoidLine[],
    amountFen: r.amount_fen,
    saleTotalFen: r.sale_total_fen,
    paidFen: r.paid_fen,
  }));
}
