// What the checkout screen and `till simulate sales` share below the screen: turning a scanned
// code into a cart line (DESIGN.md, "Scanning") and committing a paid cart as a sale. No Ink or
// React here: the simulator and the benchmarks load this without a terminal.
import { DEFAULT_IN_STORE_RULES, parseScan, type InStoreRule, type PaymentCodeKind } from '../core/barcode.js';
import { draftFromCart, type CartState, type NewLine } from '../core/cart.js';
import type { Product, Sale } from '../core/types.js';
import type { DB } from '../db/open.js';
import { findProductByBarcode, findProductByPlu } from '../db/products.js';
import { clearOpenCart } from '../db/open-cart.js';
import { recordSale } from '../db/sales.js';
import { requireOpenShift } from '../db/shifts.js';

export type ScanOutcome =
  | { kind: 'line'; line: NewLine; product: Product }
  | { kind: 'payment'; method: PaymentCodeKind; code: string }
  | { kind: 'search'; text: string }
  | { kind: 'unknown'; code: string }
  | { kind: 'bad-check-digit'; code: string }
  | { kind: 'inactive'; code: string; name: string }
  | { kind: 'needs-scale'; code: string; name: string };

export function lineFor(p: Product, code: string | null): NewLine {
  return { productId: p.id, barcode: code, name: p.name, unitPriceFen: p.priceFen };
}

/**
 * Routes one finished code: payment code → in-store weighed/priced label → GTIN → internal code;
 * text that is no code is a search. Hot path: one indexed lookup, no allocation beyond the line.
 */
export function resolveScan(db: DB, input: string, rules: InStoreRule[] = DEFAULT_IN_STORE_RULES): ScanOutcome {
  const scan = parseScan(input, rules);
  switch (scan.kind) {
    case 'payment':
      return { kind: 'payment', method: scan.method, code: scan.code };
    case 'text':
      return { kind: 'search', text: scan.text.trim() };
    case 'bad-check-digit': {
      // A product may carry such a code as an internal code; the catalog decides.
      const p = findProductByBarcode(db, scan.code);
      return p ? productOutcome(p, scan.code) : { kind: 'bad-check-digit', code: scan.code };
    }
    case 'in-store': {
      const p = findProductByPlu(db, scan.itemCode);
      if (!p) {
        // The same 13 digits may also be a registered GTIN (prefix 2 is shared with some makers).
        const byCode = findProductByBarcode(db, scan.code);
        return byCode ? productOutcome(byCode, scan.code) : { kind: 'unknown', code: scan.code };
      }
      if (!p.active) return { kind: 'inactive', code: scan.code, name: p.name };
      if (scan.grams !== undefined) {
        if (scan.grams <= 0) return { kind: 'unknown', code: scan.code };
        return { kind: 'line', product: p, line: { productId: p.id, barcode: scan.code, name: p.name, unitPriceFen: p.priceFen, qtyGrams: scan.grams } };
      }
      const price = scan.priceFen ?? 0;
      return { kind: 'line', product: p, line: { productId: p.id, barcode: scan.code, name: p.name, unitPriceFen: price, fixedPriceFen: price } };
    }
    case 'gtin':
    case 'internal': {
      const p = findProductByBarcode(db, scan.code);
      return p ? productOutcome(p, scan.code) : { kind: 'unknown', code: scan.code };
    }
  }
}

function productOutcome(p: Product, code: string): ScanOutcome {
  if (!p.active) return { kind: 'inactive', code, name: p.name };
  // A weighed product sells by a scale label; its own code alone says nothing of the weight.
  if (p.weighed) return { kind: 'needs-scale', code, name: p.name };
  return { kind: 'line', product: p, line: lineFor(p, code) };
}

export interface Cashier {
  id: string;
  name: string;
  /** Signed in for training (练习模式): the sales are training sales (db/sales.ts RecordOptions). */
  training?: boolean;
}

/**
 * Commits a paid cart: sale, lines, payments and outbox row in one transaction (recordSale),
 * which also drops the saved open cart (db/open-cart.ts): a crash right after the sale cannot
 * bring its cart back. Throws (SaleError, UserError: E_NO_SHIFT, E_OTHER_SHIFT) without writing anything if the cart does
 * not settle.
 */
export function commitCart(db: DB, cart: CartState, cashier: Cashier, at?: Date): Sale {
  return db.transaction(() => {
    // Selling needs the cashier's open shift, checked in the sale's own transaction; a training
    // sale belongs to no shift.
    if (cashier.training !== true) requireOpenShift(db, cashier.id);
    const sale = recordSale(db, draftFromCart(cart, cashier), at, { training: cashier.training === true });
    clearOpenCart(db);
    return sale;
  }).immediate();
}
