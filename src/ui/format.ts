// Fixed-width rows for the checkout. Every row is cut to the terminal width here (CJK characters
// take two columns), so Ink never wraps a line and the screen never grows past its height.
import { textWidth } from '../core/text-width.js';
import { formatFen, formatYuan } from '../core/money.js';
import type { SaleLine } from '../core/types.js';
import type { Discount } from '../core/cart.js';
import type { Translate } from '../core/i18n.js';

export { formatFen, formatYuan, textWidth };

/** Cuts to at most `w` columns, marking a cut with "…". */
export function fit(s: string, w: number): string {
  if (w <= 0) return '';
  if (textWidth(s) <= w) return s;
  let out = '';
  let used = 0;
  for (const ch of s) {
    const cw = textWidth(ch);
    if (used + cw > w - 1) break;
    out += ch;
    used += cw;
  }
  return out + '…';
}

export function padRight(s: string, w: number): string {
  const c = fit(s, w);
  return c + ' '.repeat(Math.max(0, w - textWidth(c)));
}

export function padLeft(s: string, w: number): string {
  const c = fit(s, w);
  return ' '.repeat(Math.max(0, w - textWidth(c))) + c;
}

/** Left and right text on one row of `w` columns (the left side is cut first). */
export function spread(left: string, right: string, w: number): string {
  const rw = Math.min(textWidth(right), w);
  return padRight(left, Math.max(0, w - rw - 1)) + ' ' + fit(right, rw);
}

export const CART_COLUMNS = { no: 4, qty: 9, price: 10, total: 11 };

export function cartNameWidth(total: number): number {
  const c = CART_COLUMNS;
  return Math.max(8, total - c.no - c.qty - c.price - c.total);
}

export function qtyText(l: Pick<SaleLine, 'qty' | 'qtyGrams'>, fixedPrice: boolean): string {
  if (l.qtyGrams !== null) return `${(l.qtyGrams / 1000).toFixed(3)}kg`;
  if (fixedPrice) return '1';
  return String(l.qty);
}

export function discountText(d: Discount | null): string {
  if (!d) return '';
  return d.kind === 'percent' ? `-${d.bp % 100 === 0 ? d.bp / 100 : (d.bp / 100).toFixed(2)}%` : `-${formatFen(d.fen)}`;
}

export function cartRow(cols: { no: string; name: string; qty: string; price: string; total: string }, w: number): string {
  const c = CART_COLUMNS;
  return padLeft(cols.no, c.no - 1) + ' ' + padRight(cols.name, cartNameWidth(w)) + padLeft(cols.qty, c.qty) + padLeft(cols.price, c.price) + padLeft(cols.total, c.total);
}

/** The first row of a window of `height` rows that keeps `selected` in view. */
export function windowStart(count: number, selected: number, height: number): number {
  if (count <= height) return 0;
  return Math.max(0, Math.min(count - height, selected - height + 2));
}

/** "1 item" / "3 items" (zh: "1 件"): the count with its word, for messages that name a count of goods. */
export function itemsText(t: Translate, n: number): string {
  return t(n === 1 ? 'count.item' : 'count.items', { n });
}
