// The X or Z report in a dialog (modes/reports.ts): the figures of core/metrics.ts, as printed.
import type { MessageKey, Translate } from '../../core/i18n.js';
import type { Dialog } from '../checkout-types.js';
import { formatYuan } from '../format.js';

export function reportDialogLines(t: Translate, d: Extract<Dialog, { kind: 'report' }>): { title: string; lines: string[]; error?: string | null } {
  const r = d.report;
  const y = formatYuan;
  const tenders = r.byTender.filter((x) => x.netFen !== 0).map((x) => `${t(`method.${x.method}` as MessageKey)} ${y(x.netFen)}`).join(' · ');
  return {
    title: t(r.kind === 'Z' ? 'dialog.report.z' : 'dialog.report.x', { no: r.no }),
    lines: [
      t('dialog.report.sales', { n: r.salesCount, gross: y(r.grossFen), discount: y(r.discountFen), net: y(r.netFen) }),
      t('dialog.report.returns', { n: r.returnsCount + r.postVoidsCount, returns: y(r.returnsFen), voids: r.voidsCount, voidsAmount: y(r.voidsFen) }),
      tenders || t('dialog.report.noTender'),
      t('dialog.report.cash', { expected: y(r.cash.expectedCashFen), counted: y(r.cash.countedCashFen), overShort: y(r.cash.overShortFen) }),
      ...(d.drawerFen !== null ? [t('dialog.report.drawer', { amount: y(d.drawerFen) })] : []),
      t('dialog.report.training', { n: r.trainingSalesCount, amount: y(r.trainingTotalFen) }),
      t(d.field !== null ? 'dialog.approve.hint' : r.kind === 'X' ? 'dialog.report.xHint' : 'dialog.report.zHint'),
    ],
    error: d.error,
  };
}
