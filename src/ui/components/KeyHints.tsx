// The bottom line: the keys of this screen, from the key map.
import React from 'react';
import { Text } from 'ink';
import type { CheckoutView } from '../checkout-controller.js';
import { bindingsFor, keyLabel, ENTER_LABELS } from '../keymap.js';
import { fit } from '../format.js';

const QUIET = new Set(['quit', 'clearInput', 'pageUp', 'pageDown', 'first', 'last', 'nextField', 'confirmAlt', 'up', 'down']);

export function hintText(view: CheckoutView): string {
  const { mode, t } = view;
  const all = bindingsFor(mode);
  const chosen = all.filter((b) => b.hint?.includes(mode));
  const list = chosen.length > 0 ? chosen : all.filter((b) => !QUIET.has(b.command));
  // The first key of each command only: F1 lists the others.
  const parts = list.map((b) => `${keyLabel(b.keys[0])} ${t(b.label)}`);
  const enter = ENTER_LABELS[mode];
  if (chosen.length === 0 && enter) parts.unshift(`${t('help.enter')} ${t(enter)}`);
  return ' ' + parts.join(' │ ');
}

export function KeyHints({ view, width }: { view: CheckoutView; width: number }) {
  return (
    <Text dimColor wrap="truncate">
      {fit(hintText(view), width)}
    </Text>
  );
}
