// The X and Z reports on receipt paper (58 and 80 mm), pure like the sale's receipt (layout.ts,
// whose helpers it uses). Labels are bilingual, as the store's paper records are read by the
// owner and by the accountant; every amount is the report's own figure, never re-added here.
import { formatFen } from '../core/money.js';
import { textWidth } from '../core/text-width.js';
import type { ReportBody } from '../db/zreports.js';
import { clean, formatLocalTime, PAPER, slip, TENDER_LABEL, type PaperWidth, type ReceiptDoc } from './layout.js';

export const X_MARK = 'X 报表 / X REPORT';
export const Z_MARK = 'Z 报表 / Z REPORT';

export interface ReportSlipInput {
  report: ReportBody;
  storeName: string;
  paper: PaperWidth;
  /** A Z printed again (`till report z show`): "重印 / COPY" under the title. */
  copy?: boolean;
}

export function layoutReport(input: ReportSlipInput): ReceiptDoc {
  const { report: r, paper } = input;
  const cols = PAPER[paper].columns;
  const { blocks, text, centered, rule, row } = slip(cols);
  const money = (label: string, fen: number, extra: { bold?: boolean } = {}) => row(label, formatFen(fen), extra);
  const heading = (t: string) => {
    rule();
    text(t, 'left', { bold: true });
  };

  const storeName = clean(input.storeName).trim() || r.storeCode;
  centered(storeName, textWidth(storeName) <= Math.floor(cols / 2) ? { size: 'big', bold: true } : { bold: true });
  centered(r.kind === 'Z' ? `${Z_MARK} #${r.no}` : X_MARK, { size: 'tall', bold: true });
  if (input.copy) centered('重印 / COPY', { bold: true });
  rule();
  row('门店/收银机 Till', `${r.storeCode}-${r.tillCode}`);
  row('时间 Taken', formatLocalTime(r.takenAt));
  if (r.takenBy) row('操作 By', clean(r.takenBy));
  const p = r.period;
  if (p.businessDayFrom) row('营业日 Days', p.businessDayFrom === p.businessDayTo ? p.businessDayFrom : `${p.businessDayFrom}~${p.businessDayTo}`);
  if (p.firstSale && p.lastSale) {
    row('首单 First', p.firstSale.receiptNo);
    row('末单 Last', p.lastSale.receiptNo);
  }

  heading('销售 SALES');
  row('笔数 Sales', String(r.salesCount));
  money('销售额 Gross', r.grossFen);
  money('折扣 Discounts', -r.discountFen);
  money(`退货 Returns (${r.returnsCount + r.postVoidsCount})`, -r.returnsFen);
  money('净销售 NET', r.netFen, { bold: true });
  money('客单价 Avg basket', r.averageBasketFen);
  row('作废 Voids', `${r.voidsCount} / ${formatFen(r.voidsFen)}`);

  heading('支付方式 TENDERS');
  for (const t of r.byTender) if (t.salesFen !== 0 || t.refundsFen !== 0) money(`${TENDER_LABEL[t.method]} ${t.method}`, t.netFen);

  if (r.byCategory.length) {
    heading('品类 CATEGORIES');
    for (const c of r.byCategory) money(clean(c.category) || '-', c.netFen);
  }

  if (r.byCashier.length) {
    heading('收银员 CASHIERS');
    for (const c of r.byCashier) money(`${clean(c.cashierId)} (${c.salesCount})`, c.netFen);
  }

  heading(`现金 CASH (${r.cash.shifts} 班 shifts)`);
  money('备用金 Float', r.cash.floatFen);
  money('收现 Cash taken', r.cash.cashTakenFen);
  money('找零 Change', -r.cash.changeGivenFen);
  money('现金退款 Cash refunds', -r.cash.cashRefundsFen);
  money('存入 Pay-ins', r.cash.payInsFen);
  money('取出 Pay-outs', -r.cash.payOutsFen);
  money('应有 Expected', r.cash.expectedCashFen, { bold: true });
  money('实点 Counted', r.cash.countedCashFen);
  money('长短款 Over/short', r.cash.overShortFen, { bold: true });

  rule();
  row('练习 Training', `${r.trainingSalesCount} / ${formatFen(r.trainingTotalFen)}`);
  if (r.kind === 'Z') money('累计 Grand total', r.grandTotalFen, { bold: true });
  blocks.push({ kind: 'cut' });
  return { paper, columns: cols, blocks };
}
