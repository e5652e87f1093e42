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
  const left = [t('totals.items', { n: items }), t('totals.subtotal', { amount: formatYuan(grossFen) })];
  if (totals.discountFen > 0) left.push(t('totals.discount', { amount: formatYuan(totals.discountFen) }));
  if (totals.paidFen > 0) left.push(t('totals.paid', { amount: formatYuan(totals.paidFen) }), t('totals.due', { amount: formatYuan(totals.dueFen) }));
  const total = t('totals.total', { amount: formatYuan(totals.totalFen) });
  const leftText = fit(' ' + left.join('  '), Math.max(0, width - textWidth(total) - 2));
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
