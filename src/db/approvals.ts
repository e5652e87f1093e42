// approvals: the journal of supervisor approvals at the checkout (migration 11). Written once,
// never changed; read by `till sales approvals`.
import { businessDayOf } from '../core/dates.js';
import { newSaleId as newEventId } from '../core/ids.js';
import { stmt, type DB } from './open.js';
import { enqueueEvent } from './outbox.js';
import { businessDayRuleOf } from './settings.js';

export interface Approval {
  id: number;
  at: string;
  cashierId: string;
  supervisorId: string;
  /** Why approval was needed: 'discount-over-limit' or 'after-payment'. */
  reason: string;
  /** The cart action approved (setLineDiscount, removeLine, clear, …). */
  action: string;
  /** What it did, in words (line, amounts). */
  detail: string;
}

/**
 * Appends an approval and, in the same transaction, its 'approval' event for HQ (the caller's
 * transaction, or one of its own). `training`: approved in training mode (练习), never sent.
 */
export function recordApproval(db: DB, a: Omit<Approval, 'id' | 'at'>, at = new Date(), opts: { training?: boolean } = {}): void {
  db.transaction(() => {
    stmt(db, 'INSERT INTO approvals (at, cashier_id, supervisor_id, reason, action, detail) VALUES (?, ?, ?, ?, ?, ?)').run(at.toISOString(), a.cashierId, a.supervisorId, a.reason, a.action, a.detail);
    if (opts.training) return;
    enqueueEvent(db, {
      kind: 'approval',
      id: newEventId(),
      at: at.toISOString(),
      businessDate: businessDayOf(at, businessDayRuleOf(db)),
      body: { cashierId: a.cashierId, supervisorId: a.supervisorId, reason: a.reason, action: a.action, detail: a.detail },
    });
  })();
}

/** Oldest first; `from` inclusive and `to` exclusive, as ISO times. */
export function listApprovals(db: DB, range: { from?: string; to?: string } = {}): Approval[] {
  const rows = stmt(db, 'SELECT id, at, cashier_id, supervisor_id, reason, action, detail FROM approvals WHERE at >= ? AND at < ? ORDER BY id').all(
    range.from ?? '',
    range.to ?? '\uffff',
  ) as Array<{ id: number; at: string; cashier_id: string; supervisor_id: string; reason: string; action: string; detail: string }>;
  return rows.map((r) => ({ id: r.id, at: r.at, cashierId: r.cashier_id, supervisorId: r.supervisor_id, reason: r.reason, action: r.action, detail: r.detail }));
}
