// The words of the return dialogs (modes/returns.ts): find the sale, pick its lines, the refund.
import type { MessageKey, Translate } from '../../core/i18n.js';
import type { ReturnDialog } from '../checkout-types.js';
import { formatYuan } from '../format.js';

/** Lines of the sale shown at most (the rest: "…"), so the dialog stays within the screen. */
const MAX_LINES = 6;

function capped(lines: string[]): string[] {
  return lines.length > MAX_LINES ? [...lines.slice(0, MAX_LINES - 1), '…'] : lines;
}

export function returnDialogLines(t: Translate, d: ReturnDialog): { title: string; lines: string[]; error?: string | null } {
  switch (d.kind) {
    case 'return-find':
      return { title: t('dialog.return.title'), lines: [t('dialog.return.find'), t('dialog.return.findHint')] };
    case 'return-pick': {
      const rows = d.sale.lines.map((l) =>
        t('dialog.return.line', { n: l.lineNo, name: l.name, left: l.qtyGrams !== null ? `${(l.qtyGrams / 1000).toFixed(3)}kg` : `${l.leftQty}/${l.qty}`, paid: formatYuan(l.paidFen) }),
      );
      return {
        title: t(d.postVoid ? 'dialog.postVoid.title' : 'dialog.return.title'),
        lines: [t('dialog.return.sale', { receipt: d.sale.receiptNo, total: formatYuan(d.sale.totalFen) }), ...capped(rows), t(d.postVoid ? 'dialog.postVoid.hint' : 'dialog.return.pickHint')],
      };
    }
    case 'return-preview': {
      const names = new Map(d.sale.lines.map((l) => [l.lineNo, l.name]));
      const rows = d.plan.lines.map((l) => t('dialog.return.refundLine', { n: l.lineNo, name: names.get(l.lineNo) ?? '', qty: l.qtyGrams !== null ? `${(l.qtyGrams / 1000).toFixed(3)}kg` : `×${l.qty}`, amount: formatYuan(l.refundFen) }));
      const tenders = d.plan.tenders.map((x) => `${t(`method.${x.method}` as MessageKey)} ${formatYuan(x.amountFen)}`).join(' · ');
      return {
        title: t(d.request.kind === 'post-void' ? 'dialog.postVoid.title' : 'dialog.return.title'),
        lines: [...capped(rows), t('dialog.return.refund', { amount: formatYuan(d.plan.refundFen), tenders }), t('dialog.approve.hint')],
        error: d.error,
      };
    }
  }
}
