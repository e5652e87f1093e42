// After a sale: its receipt number, the change to hand back, and the receipt preview when the
// printer is set to `preview`. Replaced by the cart at the next scan.
import React from 'react';
import { Box, Text } from 'ink';
import type { CheckoutView } from '../checkout-controller.js';
import { fit, formatYuan } from '../format.js';

export function LastSalePanel({ view, width, height }: { view: CheckoutView; width: number; height: number }) {
  const { t, lastSale } = view;
  if (!lastSale || height <= 0) return null;
  const s = lastSale.sale;
  const preview = lastSale.preview ? lastSale.preview.split('\n') : [];
  const room = Math.max(0, height - 4);
  return (
    <Box flexDirection="column" height={height} overflow="hidden">
      <Text bold wrap="truncate">
        {fit(' ' + t('last.title', { receipt: s.receiptNo }), width)}
      </Text>
      <Text wrap="truncate">{fit(' ' + t('last.summary', { total: formatYuan(s.totalFen), paid: formatYuan(s.paidFen + s.changeFen), change: formatYuan(s.changeFen) }), width)}</Text>
      {s.changeFen > 0 ? (
        <Text bold color="green" wrap="truncate">
          {fit(' ' + t('last.change', { change: formatYuan(s.changeFen) }), width)}
        </Text>
      ) : (
        <Text> </Text>
      )}
      {preview.length > 0 && (
        <Text dimColor wrap="truncate">
          {fit(' ' + t('last.preview'), width)}
        </Text>
      )}
      {preview.slice(0, room).map((line, i) => (
        <Text key={i} wrap="truncate">
          {fit('   ' + line, width)}
        </Text>
      ))}
    </Box>
  );
}
