// Item count, subtotal, discount and the total (plus paid and due once a payment is taken).
import React from 'react';
import { Box, Text } from 'ink';
import type { CheckoutView } from '../checkout-controller.js';
import { fit, formatYuan, textWidth } from '../format.js';

export function TotalsLine({ view, width }: { view: CheckoutView; width: number }) {
  const { t, totals, items } = view;
  // 小计 − 优惠 = 应收 on the bar: the gross is the total plus every discount (line and sale), the
  // one definition of a sale's figures (DESIGN.md), whichever way cartSummary splits them.
  const grossFen = totals.totalFen + totals.discountFen;
  const items_ = t('totals.items', { n: items });
  const subtotal = t('totals.subtotal', { amount: formatYuan(grossFen) });
  const discount = totals.discountFen > 0 ? [t('totals.discount', { amount: formatYuan(totals.discountFen) })] : [];
  const paid = totals.paidFen > 0 ? [t('totals.paid', { amount: formatYuan(totals.paidFen) }), t('totals.due', { amount: formatYuan(totals.dueFen) })] : [];
  const total = t('totals.total', { amount: formatYuan(totals.totalFen) });
  const room = Math.max(0, width - textWidth(total) - 2);
  // When the line is too narrow, whole figures give way, least needed first (the item count, then
  // subtotal and discount), so that paid and due are never cut: a figure is shown whole or not at all.
  const choices = [[items_, subtotal, ...discount, ...paid], [subtotal, ...discount, ...paid], paid.length ? paid : [subtotal, ...discount]];
  const left = choices.find((c) => textWidth(' ' + c.join('  ')) <= room) ?? choices[choices.length - 1];
  const leftText = fit(' ' + left.join('  '), room);
  const gap = Math.max(1, width - textWidth(leftText) - textWidth(total) - 1);
  return (
    <Box width={width}>
      <Text wrap="truncate">{leftText + ' '.repeat(gap)}</Text>
      <Text bold color="yellow" wrap="truncate">
        {total}
      </Text>
    </Box>
  );
}
