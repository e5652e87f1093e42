// cash_movements: the drawer's append-only ledger (migration 35): the opening float, pay-ins and
// pay-outs, each with who, why and when. Rows are only ever inserted (triggers refuse the rest).
import type { CashMovement, MovementKind } from '../core/cash.js';
import { assertInTransaction, stmt, type DB } from './open.js';

export interface CashMovementRow extends CashMovement {
  id: number;
  shiftId: number;
  reason: string;
  byId: string;
  at: string;
}

/** Appends one movement; runs inside the caller's transaction (the shift rules are checked there). */
export function appendMovement(db: DB, m: { shiftId: number; kind: MovementKind; amountFen: number; reason: string; byId: string }, at: Date): CashMovementRow {
  assertInTransaction(db, 'appendMovement');
  const info = stmt(db, 'INSERT INTO cash_movements (shift_id, kind, amount_fen, reason, by_id, at) VALUES (?, ?, ?, ?, ?, ?)').run(m.shiftId, m.kind, m.amountFen, m.reason, m.byId, at.toISOString());
  return { id: Number(info.lastInsertRowid), ...m, at: at.toISOString() };
}

/** A shift's movements, oldest first. */
export function movementsOf(db: DB, shiftId: number): CashMovementRow[] {
  return stmt(db, 'SELECT id, shift_id AS shiftId, kind, amount_fen AS amountFen, reason, by_id AS byId, at FROM cash_movements WHERE shift_id = ? ORDER BY id').all(shiftId) as CashMovementRow[];
}
