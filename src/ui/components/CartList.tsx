// The lines of the sale, windowed: only the rows that fit are drawn, so a long cart costs the
// same to render as a short one.
import React from 'react';
import { Box, Text } from 'ink';
import { lineTotalFen } from '../../core/cart.js';
import type { CheckoutView } from '../checkout-controller.js';
import { cartRow, discountText, formatFen, qtyText, windowStart } from '../format.js';

export function CartList({ view, width, height, showHeader = true }: { view: CheckoutView; width: number; height: number; showHeader?: boolean }) {
  const { t, cart, selected } = view;
  if (height <= 0) return null;
  const header = cartRow({ no: t('col.no'), name: t('col.name'), qty: t('col.qty'), price: t('col.price'), total: t('col.total') }, width);
  const rows = Math.max(0, height - (showHeader ? 1 : 0));
  const start = windowStart(cart.lines.length, selected, rows);
  const visible = cart.lines.slice(start, start + rows);
  return (
    <Box flexDirection="column" height={height} overflow="hidden">
      {showHeader && (
        <Text dimColor wrap="truncate">
          {cart.lines.length > rows ? header.slice(0, Math.max(0, width - 12)) + ` ${t('cart.more', { n: cart.lines.length })}`.padStart(12) : header}
        </Text>
      )}
      {visible.map((l, i) => {
        const idx = start + i;
        const fixed = l.fixedPriceFen !== undefined;
        const name = l.name + (l.discount ? ` ${discountText(l.discount)}` : '');
        const unit = l.qtyGrams !== null ? `${formatFen(l.unitPriceFen)}/kg` : formatFen(l.unitPriceFen);
        const row = cartRow({ no: String(idx + 1), name, qty: qtyText(l, fixed), price: unit, total: formatFen(lineTotalFen(l)) }, width);
        return (
          <Text key={l.key} inverse={idx === selected} wrap="truncate">
            {row}
          </Text>
        );
      })}
    </Box>
  );
}
