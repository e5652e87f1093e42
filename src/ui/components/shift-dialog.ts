// The words of the store's-day dialogs (modes/shift.ts): the float, another cashier's shift,
// pay-in/out and counting the drawer. Blind close: no expected amount before the count is in.
import { DENOMINATIONS_FEN } from '../../core/cash.js';
import type { Translate } from '../../core/i18n.js';
import type { ShiftDialog } from '../checkout-types.js';
import { formatYuan } from '../format.js';

export function shiftDialogLines(t: Translate, d: ShiftDialog): { title: string; lines: string[] } {
  switch (d.kind) {
    case 'float':
      return { title: t('dialog.float.title'), lines: [t('dialog.float'), t('dialog.float.hint')] };
    case 'other-shift':
      return { title: t('dialog.otherShift.title'), lines: [t('dialog.otherShift', { cashier: d.cashierId, shift: d.shiftId }), t('dialog.otherShift.hint')] };
    case 'cash-move': {
      const what = t(d.move === 'pay-in' ? 'dialog.payIn' : 'dialog.payOut');
      if (d.field === 'amount') return { title: t('dialog.cashMove.title'), lines: [t('dialog.cashMove.amount', { what }), t('dialog.cashMove.hint')] };
      return { title: t('dialog.cashMove.title'), lines: [t('dialog.cashMove.reason', { what, amount: formatYuan(d.amountFen ?? 0) }), t('dialog.cashMove.reasonHint')] };
    }
    case 'close-count': {
      const expected = d.expectedFen === null ? t('dialog.close.blind') : t('dialog.close.expected', { amount: formatYuan(d.expectedFen) });
      if (d.by === 'total') return { title: t('dialog.close.title'), lines: [t('dialog.close.total'), expected, t('dialog.close.totalHint')] };
      const counted = d.counts.reduce((s, n, i) => s + n * DENOMINATIONS_FEN[i], 0);
      const note = formatYuan(DENOMINATIONS_FEN[d.index]);
      return {
        title: t('dialog.close.title'),
        lines: [t('dialog.close.denomination', { note, step: d.index + 1, of: DENOMINATIONS_FEN.length, counted: formatYuan(counted) }), expected, t('dialog.close.denominationHint')],
      };
    }
    case 'closed': {
      const key = d.overShortFen > 0 ? 'dialog.closed.over' : d.overShortFen < 0 ? 'dialog.closed.short' : 'dialog.closed.even';
      return {
        title: t('dialog.closed.title'),
        lines: [t('dialog.closed', { counted: formatYuan(d.countedFen), expected: formatYuan(d.expectedFen) }), t(key, { amount: formatYuan(Math.abs(d.overShortFen)) }), t('dialog.closed.hint')],
      };
    }
  }
}
