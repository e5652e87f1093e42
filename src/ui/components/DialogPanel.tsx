// A question above the cart: new quantity, discount, supervisor approval, or "really leave?".
import React from 'react';
import { Box, Text } from 'ink';
import { cartSummary, itemCount, lineTotalFen } from '../../core/cart.js';
import type { MessageKey } from '../../core/i18n.js';
import type { CheckoutView } from '../checkout-controller.js';
import { fit, formatYuan, itemsText } from '../format.js';
import { isShiftDialog } from '../modes/shift.js';
import { shiftDialogLines } from './shift-dialog.js';
import { isReturnDialog } from '../modes/returns.js';
import { returnDialogLines } from './return-dialog.js';
import { reportDialogLines } from './report-dialog.js';

export function dialogLines(view: CheckoutView): { title: string; lines: string[]; error?: string | null } {
  const { t, dialog, cart, totals, items, discountLimitPercent: limit } = view;
  if (!dialog) return { title: '', lines: [] };
  if (isShiftDialog(dialog)) return shiftDialogLines(t, dialog);
  if (isReturnDialog(dialog)) return returnDialogLines(t, dialog);
  if (dialog.kind === 'report') return reportDialogLines(t, dialog);
  switch (dialog.kind) {
    case 'qty': {
      const l = cart.lines[dialog.index];
      return { title: t('dialog.qty.title'), lines: [t('dialog.qty', { line: dialog.index + 1, name: l?.name ?? '', qty: l?.qty ?? 0 })] };
    }
    case 'discount': {
      if (dialog.scope === 'order') return { title: t('dialog.orderDiscount.title'), lines: [t('dialog.orderDiscount', { amount: formatYuan(totals.linesNetFen) }), t('dialog.limit', { limit })] };
      const l = cart.lines[dialog.index];
      const gross = l ? lineTotalFen({ ...l, discount: null }) : 0;
      return { title: t('dialog.lineDiscount.title'), lines: [t('dialog.lineDiscount', { line: dialog.index + 1, name: l?.name ?? '', amount: formatYuan(gross) }), t('dialog.limit', { limit })] };
    }
    case 'approve': {
      const why: MessageKey = dialog.reason === 'discount-over-limit' || dialog.reason === 'resume-foreign' || dialog.reason === 'unlock' || dialog.reason === 'manual-weight' ? `dialog.approve.${dialog.reason}` : 'dialog.approve.after-payment';
      return {
        title: t('dialog.approve'),
        lines: [t(why, { limit, cashier: dialog.subject ?? '' }), t('dialog.approve.hint')],
        error: dialog.error,
      };
    }
    case 'weight':
      return { title: t('dialog.weight.title'), lines: [t('dialog.weight', { name: dialog.name, price: formatYuan(dialog.priceFen) })] };
    case 'foreign-cart': {
      const s = cartSummary(dialog.cart);
      return { title: t('dialog.foreign.title'), lines: [t('dialog.foreign', { cashier: dialog.cashierId, items: itemsText(t, itemCount(dialog.cart)), amount: formatYuan(s.totalFen) }), t('dialog.foreign.hint')] };
    }
    case 'confirm':
      if (dialog.purpose === 'change') {
        const tendered = dialog.amountFen ?? 0;
        const change = formatYuan(tendered - totals.dueFen);
        return { title: t('dialog.change.title'), lines: [t('dialog.change', { tendered: formatYuan(tendered), due: formatYuan(totals.dueFen), change }), t('dialog.change.hint', { change })] };
      }
      return dialog.purpose === 'quit'
        ? { title: t('dialog.quit.title'), lines: [t('dialog.quit', { items: itemsText(t, items), amount: formatYuan(totals.totalFen) }), t('dialog.quit.hint')] }
        : { title: t('dialog.void.title'), lines: [t('dialog.void', { items: itemsText(t, items), amount: formatYuan(totals.totalFen) }), t('dialog.void.hint')] };
    default:
      return { title: '', lines: [] };
  }
}

export function dialogHeight(view: CheckoutView): number {
  const d = dialogLines(view);
  return d.lines.length + (d.error ? 1 : 0) + 3;
}

export function DialogPanel({ view, width }: { view: CheckoutView; width: number }) {
  const d = dialogLines(view);
  const inner = Math.max(4, width - 4);
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="yellow" width={width}>
      <Text bold color="yellow" wrap="truncate">
        {fit(' ' + d.title, inner)}
      </Text>
      {d.lines.map((line, i) => (
        <Text key={i} wrap="truncate">
          {fit(' ' + line, inner)}
        </Text>
      ))}
      {d.error && (
        <Text color="red" bold wrap="truncate">
          {fit(' ' + d.error, inner)}
        </Text>
      )}
    </Box>
  );
}
