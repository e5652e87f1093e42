// Pure helpers of the checkout's dialogs: reading a typed discount, and describing what an
// approved action did for the approvals journal (db/approvals.ts).
import { cartSummary, itemCount, type CartAction, type CartState, type Discount } from '../core/cart.js';
import { formatYuan, parsePercent, parseYuan } from '../core/money.js';

/** "10%" → percent; "5" or "¥5.50" → an amount; "0" or empty → no discount. */
export function parseDiscount(input: string): Discount | null {
  const s = input.trim();
  if (s === '' || s === '0' || s === '0%') return null;
  if (s.endsWith('%')) return { kind: 'percent', bp: parsePercent(s) };
  return { kind: 'amount', fen: parseYuan(s, { allowZero: false }) };
}

export const discountText = (d: Discount | null) => (!d ? 'none' : d.kind === 'percent' ? `${d.bp / 100}%` : formatYuan(d.fen));

/** What an approved action did, for the approvals journal (db/approvals.ts). */
export function describeApproval(action: CartAction, before: CartState, after: CartState): string {
  const line = (i: number) => {
    const l = before.lines[i];
    return l ? `line ${i + 1} ${l.name}` : `line ${i + 1}`;
  };
  const was = cartSummary(before);
  const now = cartSummary(after);
  let what: string;
  switch (action.type) {
    case 'setQty':
      what = `${line(action.index)}: qty ${before.lines[action.index]?.qty} → ${action.qty}`;
      break;
    case 'removeLine':
      what = `${line(action.index)} removed`;
      break;
    case 'setLineDiscount':
      what = `${line(action.index)}: discount ${discountText(action.discount)}`;
      break;
    case 'setOrderDiscount':
      what = `order discount ${discountText(action.discount)}`;
      break;
    case 'removeLastTender': {
      const t = before.tenders[before.tenders.length - 1];
      what = t ? `payment ${t.method} ${formatYuan(t.tenderedFen)} undone` : 'payment undone';
      break;
    }
    case 'clear':
      what = `sale cancelled: ${itemCount(before)} items`;
      break;
    case 'addLine':
      what = action.line.qtyGrams != null ? `typed weight: ${action.line.name} ${action.line.qtyGrams} g` : `${action.line.name} added`;
      break;
    case 'restore':
      what = `unfinished sale of another cashier resumed: ${itemCount(action.cart)} items, total ${formatYuan(cartSummary(action.cart).totalFen)}`;
      return what;
    default:
      what = action.type;
  }
  return `${what}; total ${formatYuan(was.totalFen)} → ${formatYuan(now.totalFen)}, paid ${formatYuan(was.paidFen)}`;
}
