// The slip of a return or post-void, pure like the sale's receipt (layout.ts, whose helpers it
// uses): 退货 / RETURN at the top, the original receipt number, each line taken back with what it
// refunds, and where the money went. Amounts refunded are shown negative, as they leave the till.
import { formatFen } from '../core/money.js';
import { textWidth } from '../core/text-width.js';
import type { ReturnRecord } from '../db/returns.js';
import type { TillIdentity } from '../db/settings.js';
import { clean, COPY_MARK, formatKg, formatLocalTime, leftRight, PAPER, padStart, slip, TENDER_LABEL, wrap, type PaperWidth, type ReceiptDoc } from './layout.js';

export const RETURN_MARK = '退货 / RETURN';
export const POST_VOID_MARK = '整单作废 / POST-VOID';

export interface ReturnSlipInput {
  ret: ReturnRecord;
  identity: TillIdentity;
  paper: PaperWidth;
  /** A reprint: "重印 / COPY" at the top and the reprint time at the bottom. */
  copy?: boolean;
  printedAt?: Date;
}

export function layoutReturnReceipt(input: ReturnSlipInput): ReceiptDoc {
  const { ret, identity, paper } = input;
  const cols = PAPER[paper].columns;
  const { blocks, text, centered, rule } = slip(cols);
  const field = (label: string, value: string) => {
    if (textWidth(`${label} ${value}`) <= cols) text(`${label} ${value}`);
    else {
      text(label);
      for (const l of wrap(value, cols - 2)) text(`  ${l}`);
    }
  };

  const storeName = clean(identity.storeName).trim() || identity.storeCode;
  centered(storeName, textWidth(storeName) <= Math.floor(cols / 2) ? { size: 'big', bold: true } : { bold: true });
  centered(RETURN_MARK, { size: 'big', bold: true });
  if (ret.kind === 'post-void') centered(POST_VOID_MARK, { bold: true });
  if (input.copy) centered(COPY_MARK, { size: 'big', bold: true });
  rule();
  field('退货单号', ret.returnNo);
  field('原单号', ret.saleReceiptNo);
  field('时间', formatLocalTime(ret.createdAt));
  field('收银', ret.cashierId);
  field('授权', ret.supervisorId);
  if (ret.reason) field('原因', clean(ret.reason));
  rule();

  const amounts = [...ret.lines.map((l) => formatFen(-l.refundFen)), `￥${formatFen(-ret.refundFen)}`, ...ret.tenders.map((t) => formatFen(t.amountFen))];
  const moneyW = Math.max(4, ...amounts.map((a) => textWidth(a)));
  for (const l of ret.lines) {
    for (const n of wrap(`${l.lineNo}. ${l.name}`, cols)) text(n);
    const qty = l.qtyGrams !== null ? formatKg(l.qtyGrams) : `${l.qty} × ${formatFen(l.unitPriceFen)}`;
    for (const row of leftRight(`  ${qty}`, padStart(formatFen(-l.refundFen), moneyW), cols)) text(row);
  }
  rule();
  const items = ret.lines.reduce((s, l) => s + (l.qtyGrams !== null ? 1 : l.qty), 0);
  for (const row of leftRight(`共 ${items} 件  退款合计`, padStart(`￥${formatFen(-ret.refundFen)}`, moneyW), cols)) text(row, 'left', { bold: true, size: 'tall' });
  for (const t of ret.tenders) {
    for (const row of leftRight(`退回 ${TENDER_LABEL[t.method] ?? t.method}`, padStart(formatFen(t.amountFen), moneyW), cols)) text(row);
  }
  rule();
  blocks.push({ kind: 'code', data: ret.returnNo });
  centered('顾客签名 / SIGNATURE');
  text('');
  if (input.copy) centered(`重印时间 ${formatLocalTime(input.printedAt ?? new Date())}`);
  blocks.push({ kind: 'cut' });
  return { paper, columns: cols, blocks };
}
