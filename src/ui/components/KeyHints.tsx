// The bottom line: the keys of this screen, from the key map.
import React from 'react';
import { Text } from 'ink';
import type { CheckoutView } from '../checkout-controller.js';
import { bindingsFor, keyLabel, ENTER_LABELS } from '../keymap.js';
import { fit, textWidth } from '../format.js';

const QUIET = new Set(['quit', 'clearInput', 'pageUp', 'pageDown', 'first', 'last', 'nextField', 'confirmAlt', 'resumeForeign', 'up', 'down',
  // Said by the store's-day dialogs themselves, where they apply (modes/shift.ts, returns.ts, reports.ts).
  'closeShift', 'takeZ', 'switchField']);

/** The hints of this screen as [key, what] pairs, from the key map. */
export function hints(view: CheckoutView): Array<[string, string]> {
  const { mode, t, dialog } = view;
  // A confirmation takes Y, never Enter (a scanner sends Enter after every code).
  if (mode === 'dialog' && (dialog?.kind === 'confirm' || dialog?.kind === 'foreign-cart')) {
    const pairs: Array<[string, string]> = [['Y', t(dialog.kind === 'foreign-cart' ? 'hint.voidIt' : 'hint.yes')]];
    if (dialog.kind === 'confirm' && dialog.purpose === 'quit') pairs.push([keyLabel('f6'), t('cmd.suspendAndQuit')]);
    if (dialog.kind === 'foreign-cart') pairs.push([keyLabel('f7'), t('cmd.resumeForeign')]);
    pairs.push([keyLabel('escape'), t('cmd.cancel')]);
    return pairs;
  }
  const all = bindingsFor(mode);
  const chosen = all.filter((b) => b.hint?.includes(mode));
  const list = chosen.length > 0 ? chosen : all.filter((b) => !QUIET.has(b.command));
  // The first key of each command only: F1 lists the others.
  const pairs = list.map((b): [string, string] => [keyLabel(b.keys[0]), t(b.label)]);
  const enter = ENTER_LABELS[mode];
  if (chosen.length === 0 && enter) pairs.unshift([t('help.enter'), t(enter)]);
  return pairs;
}

/**
 * As many hints as fit, the key in reverse video and its word after it; when the words do not all
 * fit, the last keys show without their words (F1 names them) rather than disappear.
 */
export function fitHints(all: Array<[string, string]>, width: number): Array<[string, string]> {
  const keyW = (k: string) => textWidth(k) + 2 + 1;
  const fullW = ([k, what]: [string, string]) => textWidth(k) + 2 + textWidth(what) + 1;
  const shown: Array<[string, string]> = [];
  let used = 1;
  for (let i = 0; i < all.length; i++) {
    const rest = all.slice(i + 1).reduce((a, [k]) => a + keyW(k), 0);
    if (used + fullW(all[i]) + rest <= width) {
      shown.push(all[i]);
      used += fullW(all[i]);
      continue;
    }
    for (const [k] of all.slice(i)) {
      if (used + keyW(k) > width) break;
      shown.push([k, '']);
      used += keyW(k);
    }
    break;
  }
  return shown;
}

export function KeyHints({ view, width }: { view: CheckoutView; width: number }) {
  const shown = fitHints(hints(view), width);
  return (
    <Text wrap="truncate">
      <Text> </Text>
      {shown.map(([k, what], i) => (
        <Text key={i}>
          <Text inverse>{` ${k} `}</Text>
          <Text dimColor>{what ? fit(what, width) + ' ' : ''}</Text>
        </Text>
      ))}
    </Text>
  );
}
