// F1: every key of the screen the cashier came from, straight from the key map.
import React from 'react';
import { Box, Text } from 'ink';
import type { MessageKey } from '../../core/i18n.js';
import type { CheckoutView } from '../checkout-controller.js';
import { bindingsFor, keyLabel, ENTER_LABELS } from '../keymap.js';
import { fit, padRight } from '../format.js';

export function helpRows(view: CheckoutView): Array<[string, string]> {
  const { t, help } = view;
  const from = help?.from ?? 'sale';
  const rows: Array<[string, string]> = [];
  const enter = ENTER_LABELS[from];
  if (enter) rows.push([t('help.enter'), t(enter)]);
  if (from === 'sale') rows.push([t('help.keys'), t('help.typing.sale')]);
  for (const b of bindingsFor(from)) rows.push([b.keys.map(keyLabel).join(' / '), t(b.label)]);
  return rows;
}

export function HelpPanel({ view, width, height }: { view: CheckoutView; width: number; height: number }) {
  const { t, help } = view;
  if (!help) return null;
  const rows = helpRows(view);
  const visible = Math.max(0, height - 1);
  const scroll = Math.min(help.scroll, Math.max(0, rows.length - visible));
  return (
    <Box flexDirection="column" height={height} overflow="hidden">
      <Text bold color="cyan" wrap="truncate">
        {fit(' ' + t('help.title', { screen: t(`mode.${help.from}` as MessageKey) }), width)}
      </Text>
      {rows.slice(scroll, scroll + visible).map(([k, what], i) => (
        <Text key={i} wrap="truncate">
          {fit('  ' + padRight(k, 16) + what, width)}
        </Text>
      ))}
    </Box>
  );
}
