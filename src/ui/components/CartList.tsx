// The lines of the sale, windowed: only the rows that fit are drawn, so a long cart costs the
// same to render as a short one.
import React from 'react';
import { Box, Text } from 'ink';
import { lineTotalFen, type CartLine } from '../../core/cart.js';
import type { CheckoutView } from '../checkout-controller.js';
import { cartRow, discountText, formatFen, qtyText, windowStart } from '../format.js';

type Row = { l: CartLine; idx: number; discount: boolean };

/** The screen rows of the visible lines (a discounted line takes two), at most `rows`. */
function rowsOf(lines: CartLine[], start: number, rows: number): Row[] {
  const out: Row[] = [];
  for (let i = 0; i < lines.length && out.length < rows; i++) {
    out.push({ l: lines[i], idx: start + i, discount: false });
    if (lines[i].discount && out.length < rows) out.push({ l: lines[i], idx: start + i, discount: true });
  }
  return out;
}

export function CartList({ view, width, height, showHeader = true }: { view: CheckoutView; width: number; height: number; showHeader?: boolean }) {
  const { t, cart, selected } = view;
  if (height <= 0) return null;
  const header = cartRow({ no: t('col.no'), name: t('col.name'), qty: t('col.qty'), price: t('col.price'), total: t('col.total') }, width);
  const rows = Math.max(0, height - (showHeader ? 1 : 0));
  let start = windowStart(cart.lines.length, selected, rows);
  // Discount rows take room: move on until the chosen line is drawn (only the window is looked at).
  while (start < selected && !rowsOf(cart.lines.slice(start, selected + 1), start, rows).some((r) => r.idx === selected)) start++;
  const visible = cart.lines.slice(start, start + rows);
  return (
    <Box flexDirection="column" height={height} overflow="hidden">
      {showHeader && (
        <Text dimColor wrap="truncate">
          {cart.lines.length > rows ? header.slice(0, Math.max(0, width - 12)) + ` ${t('cart.more', { n: cart.lines.length })}`.padStart(12) : header}
        </Text>
      )}
      {rowsOf(visible, start, rows).map(({ l, idx, discount }) => {
        if (discount) {
          // The line's discount beneath its gross amount: the amounts column adds up to 小计 − 优惠.
          const gross = lineTotalFen({ ...l, discount: null });
          const off = gross - lineTotalFen(l);
          return (
            <Text key={`${l.key}d`} color="green" inverse={idx === selected} wrap="truncate">
              {cartRow({ no: '', name: `  ${t('cart.lineDiscount')} ${discountText(l.discount)}`, qty: '', price: '', total: `-${formatFen(off)}` }, width)}
            </Text>
          );
        }
        const fixed = l.fixedPriceFen !== undefined;
        const unit = l.qtyGrams !== null ? `${formatFen(l.unitPriceFen)}/kg` : formatFen(l.unitPriceFen);
        const row = cartRow({ no: String(idx + 1), name: l.name, qty: qtyText(l, fixed), price: unit, total: formatFen(lineTotalFen({ ...l, discount: null })) }, width);
        return (
          <Text key={l.key} inverse={idx === selected} wrap="truncate">
            {row}
          </Text>
        );
      })}
    </Box>
  );
}
