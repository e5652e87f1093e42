// Products matching what was typed (name, pinyin initials or barcode prefix); ↑↓ and Enter.
import React from 'react';
import { Box, Text } from 'ink';
import type { CheckoutView } from '../checkout-controller.js';
import { fit, formatFen, padLeft, padRight, windowStart } from '../format.js';

export function SearchPanel({ view, width, height }: { view: CheckoutView; width: number; height: number }) {
  const { t, search } = view;
  if (!search || height <= 0) return null;
  const title = search.fresh ? t('search.title', { query: search.query.trim(), n: search.capped ? `${search.results.length}+` : search.results.length }) : t('search.typing', { query: search.query.trim() });
  const rows = height - 1;
  const start = windowStart(search.results.length, search.selected, rows);
  const nameW = Math.max(8, width - 2 - 12 - 15);
  return (
    <Box flexDirection="column" height={height} overflow="hidden">
      <Text bold wrap="truncate">
        {fit(' ' + title, width)}
      </Text>
      {search.results.slice(start, start + rows).map((p, i) => {
        const idx = start + i;
        const price = p.weighed ? `${formatFen(p.priceFen)}/kg` : formatFen(p.priceFen);
        return (
          <Text key={p.id} inverse={idx === search.selected} wrap="truncate">
            {'  ' + padRight(p.name, nameW) + padLeft(price, 12) + ' ' + padRight(p.barcodes[0] ?? p.plu ?? '', 14)}
          </Text>
        );
      })}
    </Box>
  );
}
