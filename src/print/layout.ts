// Receipt layout: pure code from a committed sale to a list of printed lines. It knows columns,
// not bytes: a CJK character takes two columns (core/text-width), and every text block it returns
// already fits the paper, so the ESC/POS encoder and the preview never wrap anything.
import { textWidth } from '../core/text-width.js';
import { formatFen } from '../core/money.js';
import type { Payment, Sale, SaleLine, TenderMethod } from '../core/types.js';
import type { TillIdentity } from '../db/settings.js';

export type PaperWidth = 58 | 80;

/** Font A (12×24 dots) columns per line: 384 dots on 58 mm paper, 576 on 80 mm. */
export const PAPER: Record<PaperWidth, { columns: number; dots: number }> = {
  58: { columns: 32, dots: 384 },
  80: { columns: 48, dots: 576 },
};

export type Align = 'left' | 'center' | 'right';
/** normal; tall = double height (same columns); big = double width and height (half the columns). */
export type TextSize = 'normal' | 'tall' | 'big';

export type ReceiptBlock =
  | { kind: 'text'; text: string; align: Align; bold?: boolean; size?: TextSize }
  | { kind: 'rule'; char: '-' | '=' }
  /** The receipt number as a scannable code (CODE128 when it fits the paper, else QR). */
  | { kind: 'code'; data: string }
  | { kind: 'feed'; lines: number }
  /** Feed, cut, and reset the printer (the encoder turns Chinese mode back on after it). */
  | { kind: 'cut' };

export interface ReceiptDoc {
  paper: PaperWidth;
  columns: number;
  blocks: ReceiptBlock[];
}

export const COPY_MARK = '重印 / COPY';
export const VOID_MARK = '已作废 / VOID';
/** On every receipt of a training sale (练习模式), top and bottom: it proves no payment. */
export const TRAINING_MARK = '练习 — 非销售凭证 / TRAINING — NOT A RECEIPT';

export const TENDER_LABEL: Record<TenderMethod, string> = {
  cash: '现金',
  card: '银行卡',
  wechat: '微信支付',
  alipay: '支付宝',
};

/**
 * Text from the catalog or settings made safe for paper: control characters (which would be
 * printer commands) become spaces, and the half-width ¥ — which GBK printers cannot print —
 * becomes the full-width ￥ that every Chinese code table has.
 */
export function clean(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').replace(/\u00a5/g, '￥');
}

/**
 * Splits text into lines of at most `cols` columns. ASCII words stay whole when they fit on a
 * line; CJK text breaks between any two characters; a word longer than a line is cut.
 */
export function wrap(text: string, cols: number): string[] {
  if (cols < 2) throw new RangeError(`cannot wrap to ${cols} columns`);
  const tokens = clean(text).match(/[\x21-\x7e]+|\s+|./gu) ?? [];
  const lines: string[] = [];
  let line = '';
  let used = 0;
  const flush = () => {
    lines.push(line.trimEnd());
    line = '';
    used = 0;
  };
  for (const tok of tokens) {
    if (/^\s+$/.test(tok)) {
      if (used > 0 && used < cols) {
        line += ' ';
        used += 1;
      }
      continue;
    }
    const w = textWidth(tok);
    if (used + w <= cols) {
      line += tok;
      used += w;
      continue;
    }
    if (w <= cols && /^[\x21-\x7e]+$/.test(tok)) {
      flush();
      line = tok;
      used = w;
      continue;
    }
    // A CJK character, or a word too long for any line: place it character by character.
    for (const ch of tok) {
      const cw = textWidth(ch);
      if (used + cw > cols) flush();
      line += ch;
      used += cw;
    }
  }
  if (used > 0 || lines.length === 0) flush();
  return lines;
}

export function padEnd(s: string, cols: number): string {
  return s + ' '.repeat(Math.max(0, cols - textWidth(s)));
}

export function padStart(s: string, cols: number): string {
  return ' '.repeat(Math.max(0, cols - textWidth(s))) + s;
}

/**
 * `left` and `right` on one line of `cols` columns, `right` flush right. When they do not fit,
 * `left` wraps inside the columns left of `right`, which stays on the first line.
 */
export function leftRight(left: string, right: string, cols: number): string[] {
  const rw = textWidth(right);
  const indent = /^ */.exec(left)![0];
  const room = cols - rw - 1 - indent.length;
  const parts = room >= 2 ? wrap(left.slice(indent.length), room).map((p) => indent + p) : [left];
  return parts.map((p, i) => (i === 0 ? padEnd(p, cols - rw) + right : p));
}

/** Local date and time as printed: 2025-03-08 14:05:09. */
export function formatLocalTime(iso: string | Date): string {
  const d = typeof iso === 'string' ? new Date(iso) : iso;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** 523 g → "0.523kg" (integer arithmetic, no floats). */
export function formatKg(grams: number): string {
  return `${Math.floor(grams / 1000)}.${String(grams % 1000).padStart(3, '0')}kg`;
}

function qtyText(l: SaleLine): string {
  return l.qtyGrams !== null ? formatKg(l.qtyGrams) : String(l.qty);
}

function unitPriceText(l: SaleLine): string {
  return l.qtyGrams !== null ? `${formatFen(l.unitPriceFen)}/kg` : formatFen(l.unitPriceFen);
}

/** A line's amount before its discount (what qty × unit price comes to). */
function lineGross(l: SaleLine): number {
  return l.lineTotalFen + l.discountFen;
}

function tenderLabel(p: Payment): string {
  const label = TENDER_LABEL[p.method] ?? p.method;
  // Only the last digits of a card or payment code: the full code is the customer's, not paper's.
  if (p.method !== 'cash' && p.reference) return `${label}(尾号${clean(p.reference).slice(-4)})`;
  return label;
}

export interface ReceiptInput {
  sale: Sale;
  identity: TillIdentity;
  footer: string;
  paper: PaperWidth;
  /** A reprint: the "重印 / COPY" mark at the top and the reprint time at the bottom. */
  copy?: boolean;
  /** When the copy was printed (defaults to now). */
  printedAt?: Date;
  /** A training sale: marked as no receipt at the top and the bottom. */
  training?: boolean;
}

/**
 * The blocks of one slip being laid out, and the ways every slip (sale, return, X/Z) adds to
 * them: a line of text, centred text wrapped to the paper (big text takes two columns a
 * character), a rule, and a label with its value at the right edge.
 */
export function slip(cols: number) {
  const blocks: ReceiptBlock[] = [];
  const text = (t: string, align: Align = 'left', extra: { bold?: boolean; size?: TextSize } = {}) => blocks.push({ kind: 'text', text: t, align, ...extra });
  const centered = (t: string, extra: { bold?: boolean; size?: TextSize } = {}) => {
    for (const l of wrap(t, extra.size === 'big' ? Math.floor(cols / 2) : cols)) text(l, 'center', extra);
  };
  const rule = (char: '-' | '=' = '-') => blocks.push({ kind: 'rule', char });
  const row = (label: string, value: string, extra: { bold?: boolean } = {}) => {
    for (const l of leftRight(label, value, cols)) text(l, 'left', extra);
  };
  return { blocks, text, centered, rule, row };
}

/** The receipt of one sale, line by line. */
export function layoutReceipt(input: ReceiptInput): ReceiptDoc {
  const { sale, identity, paper } = input;
  const cols = PAPER[paper].columns;
  const { blocks, text, centered, rule } = slip(cols);

  // Header: store, address, marks.
  const storeName = clean(identity.storeName).trim() || identity.storeCode;
  if (textWidth(storeName) <= Math.floor(cols / 2)) centered(storeName, { size: 'big', bold: true });
  else centered(storeName, { bold: true });
  if (identity.storeAddress.trim()) centered(identity.storeAddress.trim());
  if (input.copy) centered(COPY_MARK, { size: 'big', bold: true });
  if (sale.status === 'voided') centered(VOID_MARK, { size: 'big', bold: true });
  if (input.training) centered(TRAINING_MARK, { bold: true });
  rule();

  const field = (label: string, value: string) => {
    const first = `${label} ${value}`;
    if (textWidth(first) <= cols) text(first);
    else {
      text(label);
      for (const l of wrap(value, cols - 2)) text(`  ${l}`);
    }
  };
  field('单号', sale.receiptNo);
  field('时间', formatLocalTime(sale.createdAt));
  field('收银', `${clean(sale.cashierName)} (${sale.cashierId})`);
  rule();

  // Items. Money is one right-hand column as wide as the widest amount on the receipt. Each line
  // shows its gross amount (qty × price) with its discount beneath: the amounts sum to 小计, the
  // discounts beneath them to 单品优惠, and 小计 − 单品优惠 − 整单优惠 = 合计.
  const lineDiscountFen = sale.discountFen - sale.orderDiscountFen;
  const amounts = [
    ...sale.lines.flatMap((l) => [formatFen(lineGross(l)), l.discountFen ? formatFen(-l.discountFen) : '']),
    formatFen(sale.subtotalFen),
    formatFen(-lineDiscountFen),
    formatFen(-sale.orderDiscountFen),
    `￥${formatFen(sale.totalFen)}`,
    ...sale.payments.map((p) => formatFen(p.method === 'cash' ? p.tenderedFen : p.amountFen)),
    formatFen(sale.changeFen),
  ];
  const moneyW = Math.max(4, ...amounts.map((a) => textWidth(a)));
  const qtyW = Math.max(textWidth('数量'), ...sale.lines.map((l) => textWidth(qtyText(l))));
  const priceW = Math.max(textWidth('单价'), ...sale.lines.map((l) => textWidth(unitPriceText(l))));
  const nameW = cols - qtyW - priceW - moneyW - 3;
  // A table row on 80 mm; on 58 mm (or when the numbers leave too little room) the name takes
  // its own lines and the numbers go on the line below it.
  const table = nameW >= 16;

  if (table) {
    text(`${padEnd('品名', nameW)} ${padStart('数量', qtyW)} ${padStart('单价', priceW)} ${padStart('金额', moneyW)}`);
  } else {
    text(`${padEnd('品名', cols - moneyW)}${padStart('金额', moneyW)}`);
    text(`  数量 × 单价`);
  }
  for (const l of sale.lines) {
    const total = padStart(formatFen(lineGross(l)), moneyW);
    if (table) {
      const names = wrap(l.name, nameW);
      names.forEach((n, i) => {
        text(i === 0 ? `${padEnd(n, nameW)} ${padStart(qtyText(l), qtyW)} ${padStart(unitPriceText(l), priceW)} ${total}` : n);
      });
    } else {
      for (const n of wrap(l.name, cols)) text(n);
      for (const row of leftRight(`  ${qtyText(l)} × ${unitPriceText(l)}`, total, cols)) text(row);
    }
    if (l.discountFen > 0) for (const row of leftRight('  优惠', padStart(formatFen(-l.discountFen), moneyW), cols)) text(row);
  }
  rule();

  // Totals and tenders: label left, amount in the money column.
  const sum = (label: string, fen: string, extra: { bold?: boolean; size?: TextSize } = {}) => {
    for (const l of leftRight(label, padStart(fen, moneyW), cols)) text(l, 'left', extra);
  };
  sum(`共 ${sale.itemCount} 件  小计`, formatFen(sale.subtotalFen));
  if (lineDiscountFen > 0) sum('单品优惠', formatFen(-lineDiscountFen));
  if (sale.orderDiscountFen > 0) sum('整单优惠', formatFen(-sale.orderDiscountFen));
  sum('合计', `￥${formatFen(sale.totalFen)}`, { bold: true, size: 'tall' });
  for (const p of sale.payments) sum(tenderLabel(p), formatFen(p.method === 'cash' ? p.tenderedFen : p.amountFen));
  if (sale.changeFen > 0 || sale.payments.some((p) => p.method === 'cash')) sum('找零', formatFen(sale.changeFen));
  rule();

  // The receipt number as a code a return can scan, then the footer.
  blocks.push({ kind: 'code', data: sale.receiptNo });
  const footer = input.footer.trim();
  if (footer) centered(footer);
  if (input.copy) centered(`重印时间 ${formatLocalTime(input.printedAt ?? new Date())}`);
  if (input.training) centered(TRAINING_MARK, { bold: true });
  blocks.push({ kind: 'cut' });
  return { paper, columns: cols, blocks };
}

/** A page that shows whether the printer, its paper width and its Chinese mode are right. */
export function layoutTestPage(paper: PaperWidth, storeName: string, at: Date = new Date()): ReceiptDoc {
  const cols = PAPER[paper].columns;
  const blocks: ReceiptBlock[] = [];
  const text = (t: string, align: Align = 'left', extra: { bold?: boolean; size?: TextSize } = {}) => blocks.push({ kind: 'text', text: t, align, ...extra });
  text('打印测试 / TEST', 'center', { size: 'big', bold: true });
  for (const l of wrap(clean(storeName), cols)) text(l, 'center');
  text(formatLocalTime(at), 'center');
  blocks.push({ kind: 'rule', char: '=' });
  // A ruler: the last digit must sit at the right edge of the paper.
  const ruler = Array.from({ length: cols }, (_, i) => String((i + 1) % 10)).join('');
  text(ruler);
  for (const l of wrap(`${paper} mm = ${cols} 列 / columns`, cols)) text(l);
  for (const l of wrap('中文每字两列宽；下面两行的金额应对齐：', cols)) text(l);
  for (const l of leftRight('可口可乐 330ml', '3.50', cols)) text(l);
  for (const l of leftRight('Coca-Cola 330ml', '3.50', cols)) text(l);
  for (const l of wrap('￥ 0123456789 ABCabc 。，、！', cols)) text(l);
  blocks.push({ kind: 'rule', char: '-' });
  blocks.push({ kind: 'code', data: `TEST-${paper}MM` });
  blocks.push({ kind: 'cut' });
  return { paper, columns: cols, blocks };
}

/** The receipt as the terminal shows it (printer.uri preview): same lines, same columns. */
export function renderText(doc: ReceiptDoc): string {
  const out: string[] = [];
  for (const b of doc.blocks) {
    switch (b.kind) {
      case 'text': {
        // Big text prints twice as wide; the terminal shows it at normal size, placed the same way.
        const pad = doc.columns - textWidth(b.text);
        if (b.align === 'center') out.push(' '.repeat(Math.max(0, Math.floor(pad / 2))) + b.text);
        else if (b.align === 'right') out.push(' '.repeat(Math.max(0, pad)) + b.text);
        else out.push(b.text);
        break;
      }
      case 'rule':
        out.push(b.char.repeat(doc.columns));
        break;
      case 'code': {
        const shown = `||| ${b.data} |||`;
        out.push(' '.repeat(Math.max(0, Math.floor((doc.columns - textWidth(shown)) / 2))) + shown);
        break;
      }
      case 'feed':
        for (let i = 0; i < b.lines; i++) out.push('');
        break;
      case 'cut':
        out.push('- - - - - - - - '.repeat(Math.ceil(doc.columns / 16)).slice(0, doc.columns).trimEnd());
        break;
    }
  }
  return out.map((l) => l.trimEnd()).join('\n') + '\n';
}
