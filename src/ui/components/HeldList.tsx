// Sales on hold (挂单), oldest first; Enter resumes the chosen one (取单).
import React from 'react';
import { Box, Text } from 'ink';
import type { CheckoutView } from '../checkout-controller.js';
import { fit, windowStart } from '../format.js';

const hhmm = (iso: string) => {
  const d = new Date(iso);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
};

export function HeldList({ view, width, height }: { view: CheckoutView; width: number; height: number }) {
  const { t, list } = view;
  if (!list) return null;
  const rows = Math.max(0, height - 1);
  const start = windowStart(list.items.length, list.selected, rows);
  return (
    <Box flexDirection="column" height={height} overflow="hidden">
      <Text bold wrap="truncate">
        {fit(' ' + t('list.title'), width)}
      </Text>
      {list.items.slice(start, start + rows).map((s, i) => (
        <Text key={s.id} inverse={start + i === list.selected} wrap="truncate">
          {fit(`  #${s.id}  ${hhmm(s.createdAt)}  ${s.cashierId}  ${s.label}`, width)}
        </Text>
      ))}
    </Box>
  );
}
