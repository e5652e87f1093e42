// suspended_sales: carts the cashier put aside (挂单) to serve someone else, resumed later (取单).
// The cart is stored as the text core/cart.ts writes; taking one back deletes it in the same
// transaction, so a suspended sale is resumed at most once.
import { stmt, type DB } from './open.js';

export interface SuspendedSale {
  id: number;
  cashierId: string;
  label: string;
  cart: string;
  createdAt: string;
}

interface Row {
  id: number;
  cashier_id: string;
  label: string;
  cart: string;
  created_at: string;
}

const toSuspended = (r: Row): SuspendedSale => ({ id: r.id, cashierId: r.cashier_id, label: r.label, cart: r.cart, createdAt: r.created_at });

export function suspendSale(db: DB, input: { cashierId: string; label: string; cart: string }, at = new Date()): SuspendedSale {
  const info = stmt(db, 'INSERT INTO suspended_sales (cashier_id, label, cart, created_at) VALUES (?, ?, ?, ?)').run(
    input.cashierId,
    input.label,
    input.cart,
    at.toISOString(),
  );
  return { id: Number(info.lastInsertRowid), cashierId: input.cashierId, label: input.label, cart: input.cart, createdAt: at.toISOString() };
}

/** Oldest first: the customer who waited longest is served first. */
export function listSuspended(db: DB): SuspendedSale[] {
  return (stmt(db, 'SELECT * FROM suspended_sales ORDER BY id').all() as Row[]).map(toSuspended);
}

export function countSuspended(db: DB): number {
  return (stmt(db, 'SELECT count(*) AS n FROM suspended_sales').get() as { n: number }).n;
}

/** Removes and returns one suspended sale; undefined if another till or cashier took it already. */
export function takeSuspended(db: DB, id: number): SuspendedSale | undefined {
  return db.transaction(() => {
    const r = stmt(db, 'SELECT * FROM suspended_sales WHERE id = ?').get(id) as Row | undefined;
    if (!r) return undefined;
    stmt(db, 'DELETE FROM suspended_sales WHERE id = ?').run(id);
    return toSuspended(r);
  }).immediate();
}
