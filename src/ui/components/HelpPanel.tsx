// F1: every key of the screen the cashier came from, straight from the key map.
import React from 'react';
import { Box, Text } from 'ink';
import type { MessageKey } from '../../core/i18n.js';
import type { CheckoutView } from '../checkout-controller.js';
import { bindingsFor, keyLabel, ENTER_LABELS } from '../keymap.js';
import { fit, padRight, textWidth } from '../format.js';

/** Enter and typing first (full width), then one row per binding of the key map. */
export function helpRows(view: CheckoutView): { wide: Array<[string, string]>; keys: Array<[string, string]> } {
  const { t, help } = view;
  const from = help?.from ?? 'sale';
  const wide: Array<[string, string]> = [];
  const enter = ENTER_LABELS[from];
  if (enter) wide.push([t('help.enter'), t(enter)]);
  if (from === 'sale') {
    wide.push([t('help.keys'), t('help.typing.code')], ['', t('help.typing.qty')], ['', t('help.typing.search')]);
  }
  const keys = bindingsFor(from).map((b): [string, string] => [b.keys.map(keyLabel).join(' / '), t(b.label)]);
  return { wide, keys };
}

export function HelpPanel({ view, width, height }: { view: CheckoutView; width: number; height: number }) {
  const { t, help } = view;
  if (!help) return null;
  const { wide, keys } = helpRows(view);
  // Two columns of keys when every entry fits whole with a gap between the columns (so every key
  // of a screen fits in 80×24); otherwise one column, scrolled with ↑↓. An entry is never cut.
  const keyW = 2 + Math.max(...keys.map(([k]) => textWidth(k)), ...wide.map(([k]) => textWidth(k)));
  const half = Math.floor((width - 2) / 2);
  const perHalf = Math.ceil(keys.length / 2);
  const fitsTwo = keys.every(([, what], i) => keyW + textWidth(what) + (i < perHalf ? 2 : 0) <= half + (i < perHalf ? 0 : width - 2 - 2 * half));
  const cols = fitsTwo ? 2 : 1;
  const perCol = Math.ceil(keys.length / cols);
  const cell = ([k, what]: [string, string], c: number) => (c === 0 && cols > 1 ? padRight(padRight(k, keyW) + what, half) : padRight(k, keyW) + what);
  const lines = wide.map(([k, what]) => '  ' + padRight(k, keyW) + what);
  for (let r = 0; r < perCol; r++) {
    lines.push('  ' + Array.from({ length: cols }, (_, c) => keys[c * perCol + r]).map((k, c) => (k ? cell(k, c) : '')).join(''));
  }
  const visible = Math.max(0, height - 1);
  const scroll = Math.min(help.scroll, Math.max(0, lines.length - visible));
  return (
    <Box flexDirection="column" height={height} overflow="hidden">
      <Text bold color="cyan" wrap="truncate">
        {fit(' ' + t('help.title', { screen: t(`mode.${help.from}` as MessageKey) }), width)}
      </Text>
      {lines.slice(scroll, scroll + visible).map((line, i) => (
        <Text key={i} wrap="truncate">
          {fit(line, width)}
        </Text>
      ))}
    </Box>
  );
}
