// What a void takes off a cart, as the voids journal records it (db/voids.ts): the lines with
// their gross and discount, the amount, the sale's total and what was paid. Pure.
import { cartSummary, discountFen, lineTotalFen, type CartLine, type CartState } from '../core/cart.js';
import { businessDayOf } from '../core/dates.js';
import type { VoidEntry, VoidKind, VoidLine } from '../db/voids.js';

function voidLine(l: CartLine): VoidLine {
  const grossFen = lineTotalFen({ ...l, discount: null });
  return { productId: l.productId, barcode: l.barcode, name: l.name, qty: l.qty, qtyGrams: l.qtyGrams, unitPriceFen: l.unitPriceFen, grossFen, discountFen: discountFen(l.discount, grossFen) };
}

/** The journal entry for `kind` on `cart` (`lineIndex`: the removed line, for 'line-removed'). */
export function voidOf(kind: VoidKind, cart: CartState, who: { cashierId: string; approverId: string | null }, at: Date, lineIndex?: number): Omit<VoidEntry, 'id'> {
  const s = cartSummary(cart);
  const lines = kind === 'line-removed' ? [cart.lines[lineIndex ?? -1]].filter((l): l is CartLine => l !== undefined) : cart.lines;
  const vl = lines.map(voidLine);
  return {
    at: at.toISOString(),
    businessDate: businessDayOf(at),
    kind,
    cashierId: who.cashierId,
    approverId: who.approverId,
    lines: vl,
    amountFen: kind === 'line-removed' ? vl.reduce((a, l) => a + l.grossFen - l.discountFen, 0) : s.totalFen,
    saleTotalFen: s.totalFen,
    paidFen: s.paidFen,
  };
}
