// open_cart: the sale being rung up, as core/cart.ts serializes it, saved shortly after each
// change by the checkout. A sale's commit deletes it in the same transaction (checkout/service.ts
// commitCart), so a restored cart is never a sale already recorded.
import { stmt, type DB } from './open.js';

export interface OpenCart {
  cashierId: string;
  cart: string;
  savedAt: string;
}

export function saveOpenCart(db: DB, cashierId: string, cart: string, at = new Date()): void {
  stmt(db, 'INSERT INTO open_cart (id, cashier_id, cart, saved_at) VALUES (1, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET cashier_id = excluded.cashier_id, cart = excluded.cart, saved_at = excluded.saved_at').run(
    cashierId,
    cart,
    at.toISOString(),
  );
}

export function readOpenCart(db: DB): OpenCart | undefined {
  const r = stmt(db, 'SELECT cashier_id, cart, saved_at FROM open_cart WHERE id = 1').get() as { cashier_id: string; cart: string; saved_at: string } | undefined;
  return r && { cashierId: r.cashier_id, cart: r.cart, savedAt: r.saved_at };
}

export function clearOpenCart(db: DB): void {
  stmt(db, 'DELETE FROM open_cart').run();
}
