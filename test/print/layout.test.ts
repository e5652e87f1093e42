// The receipt a customer gets, as columns of text: what is on it and that it lines up on
// 58 mm (32 columns) and 80 mm (48 columns) paper, Chinese characters taking two columns.
import fc from 'fast-check';
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { formatFen } from '../../src/core/money.js';
import { buildSale } from '../../src/core/sale.js';
import { COPY_MARK, PAPER, VOID_MARK, layoutReceipt, layoutTestPage, renderText, wrap, type PaperWidth, type ReceiptDoc } from '../../src/print/layout.js';
import { memoryTill } from '../helpers/till.js';
import { CARD_DRAFT, MIXED_DRAFT, saleFixture } from './fixtures.js';

process.env.TZ = 'Asia/Shanghai';

const FOOTER = '谢谢惠顾，欢迎再次光临';
const texts = (doc: ReceiptDoc) => doc.blocks.flatMap((b) => (b.kind === 'text' ? [b.text] : []));
const printedWidth = (b: ReceiptDoc['blocks'][number]) => (b.kind === 'text' ? stringWidth(b.text) * (b.size === 'big' ? 2 : 1) : 0);

describe.each([58, 80] as const)('a receipt on %i mm paper', (paper: PaperWidth) => {
  const cols = PAPER[paper].columns;
  const { sale, identity } = saleFixture();
  const doc = layoutReceipt({ sale, identity, footer: FOOTER, paper });
  const lines = texts(doc);

  it(`never prints a line wider than the paper (${cols} columns)`, () => {
    expect(doc.columns).toBe(cols);
    for (const b of doc.blocks) expect(printedWidth(b), b.kind === 'text' ? b.text : b.kind).toBeLessThanOrEqual(cols);
  });

  it('names the store, the receipt number, the time and the cashier', () => {
    expect(lines).toContain('测试便利店');
    expect(lines).toContain('北京市朝阳区建国路88号');
    expect(lines).toContain(`单号 ${sale.receiptNo}`);
    expect(lines).toContain('时间 2025-03-08 14:05:09');
    expect(lines).toContain('收银 张三 (1001)');
  });

  it('puts every line amount (before its discount) flush right, in one money column, for Chinese and ASCII names alike', () => {
    for (const l of sale.lines) {
      const total = formatFen(l.lineTotalFen + l.discountFen);
      const row = lines.find((t) => t.endsWith(` ${total}`) && stringWidth(t) === cols);
      expect(row, `${l.name}: ${total}`).toBeDefined();
    }
    const money = lines.filter((t) => /\s-?\d+\.\d\d$/.test(t));
    expect(money.length).toBeGreaterThanOrEqual(sale.lines.length + 4);
    for (const t of money) expect(stringWidth(t), t).toBe(cols);
  });

  it('wraps a long name over several lines and keeps all of it', () => {
    const long = sale.lines[2].name;
    const start = lines.findIndex((t) => t.startsWith('农夫山泉'));
    expect(start).toBeGreaterThan(-1);
    const joined = lines.slice(start, start + 4).join(' ');
    for (const word of ['农夫山泉饮用天然水550ml', '特价促销', 'Nongfu', 'Spring', 'Natural', 'Water']) expect(joined).toContain(word);
    // The name takes more than one line, and no ASCII word is split across lines.
    expect(lines[start]).not.toContain('Water');
    expect(long.split(' ').filter((w) => /^[A-Za-z]+$/.test(w)).every((w) => lines.some((t) => t.split(' ').includes(w)))).toBe(true);
  });

  it('shows quantities, weights and unit prices, discounts, totals, tenders, change and the item count', () => {
    const all = lines.join('\n');
    expect(all).toMatch(/\b2\b.*3\.50/); // 2 × 3.50
    expect(all).toContain('0.523kg');
    expect(all).toContain('12.80/kg');
    expect(all).toContain(formatFen(669)); // 523 g × 12.80/kg, rounded half-up
    expect(all).toMatch(/优惠\s+-0\.50$/m);
    expect(all).toMatch(/整单优惠\s+-1\.00$/m);
    expect(all).toMatch(new RegExp(`合计\\s+￥${formatFen(sale.totalFen).replace('.', '\\.')}$`, 'm'));
    expect(all).toMatch(/微信支付\(尾号6789\)\s+5\.00$/m);
    expect(all).toMatch(/现金\s+50\.00$/m);
    expect(all).toMatch(new RegExp(`找零\\s+${formatFen(sale.changeFen).replace('.', '\\.')}$`, 'm'));
    expect(all).toContain(`共 ${sale.itemCount} 件`);
    expect(all).not.toContain('134567890123456789'); // the customer's payment code is not printed in full
    expect(lines).toContain(FOOTER);
  });

  it('ends with a scannable code of the receipt number and a cut', () => {
    const code = doc.blocks.find((b) => b.kind === 'code');
    expect(code).toEqual({ kind: 'code', data: sale.receiptNo });
    expect(doc.blocks.at(-1)).toEqual({ kind: 'cut' });
  });

  it('prints the total bold and tall', () => {
    const total = doc.blocks.find((b) => b.kind === 'text' && b.text.startsWith('合计'));
    expect(total).toMatchObject({ bold: true, size: 'tall' });
  });
});

describe('marks', () => {
  const { sale, identity } = saleFixture();

  it('a reprint says "重印 / COPY" at the top and when it was reprinted at the bottom', () => {
    const at = new Date('2025-03-09T02:00:00.000Z');
    const copy = texts(layoutReceipt({ sale, identity, footer: FOOTER, paper: 80, copy: true, printedAt: at }));
    expect(copy.indexOf(COPY_MARK)).toBeGreaterThan(-1);
    expect(copy.indexOf(COPY_MARK)).toBeLessThan(copy.findIndex((t) => t.startsWith('单号')));
    expect(copy).toContain('重印时间 2025-03-09 10:00:00');
    const original = texts(layoutReceipt({ sale, identity, footer: FOOTER, paper: 80 }));
    expect(original).not.toContain(COPY_MARK);
    expect(original.some((t) => t.includes('重印'))).toBe(false);
  });

  it('a voided sale says so', () => {
    const lines = texts(layoutReceipt({ sale: { ...sale, status: 'voided' }, identity, footer: FOOTER, paper: 58 }));
    expect(lines).toContain(VOID_MARK);
  });

  it('a card payment shows only the last four digits of the card', () => {
    const card = saleFixture(CARD_DRAFT, memoryTill());
    const all = texts(layoutReceipt({ sale: card.sale, identity: card.identity, footer: '', paper: 58 })).join('\n');
    expect(all).toMatch(/银行卡\(尾号1234\)\s+3\.50$/m);
    expect(all).not.toContain('6222020000001234');
    expect(all).not.toContain('找零'); // no cash, no change line
  });
});

describe('text from the catalog', () => {
  it('cannot smuggle printer commands, and ¥ becomes the full-width ￥ Chinese printers have', () => {
    // The till no longer sells such a name (core/limits.ts), but a sale from before, reprinted, may hold one.
    const { sale: plain, identity } = saleFixture({ ...MIXED_DRAFT, lines: [MIXED_DRAFT.lines[0]] });
    const sale = { ...plain, lines: [{ ...plain.lines[0], name: '特价¥5\x1b@\x1dV\x00饮料' }] };
    const lines = texts(layoutReceipt({ sale, identity, footer: '满¥50减¥5', paper: 58 }));
    const all = lines.join('\n');
    expect(all).not.toMatch(/[\x00-\x09\x0b-\x1f\u00a5]/);
    expect(all).toContain('特价￥5');
    expect(lines).toContain('满￥50减￥5');
  });

  it('a store name too long for double size is printed at normal size, wrapped', () => {
    const { sale, identity } = saleFixture();
    const doc = layoutReceipt({ sale, identity: { ...identity, storeName: '好邻居便利店北京朝阳区建国路第八十八号分店' }, footer: '', paper: 58 });
    for (const b of doc.blocks) expect(printedWidth(b)).toBeLessThanOrEqual(32);
    expect(texts(doc).slice(0, 2).join('')).toBe('好邻居便利店北京朝阳区建国路第八十八号分店');
  });
});

describe('wrap', () => {
  it('breaks Chinese anywhere, keeps ASCII words whole, and cuts a word longer than the line', () => {
    expect(wrap('可口可乐零度无糖', 6)).toEqual(['可口可', '乐零度', '无糖']);
    expect(wrap('Coca-Cola Zero Sugar', 10)).toEqual(['Coca-Cola', 'Zero Sugar']);
    expect(wrap('ABCDEFGHIJKL', 5)).toEqual(['ABCDE', 'FGHIJ', 'KL']);
    expect(wrap('乐事薯片 original 70g', 9)).toEqual(['乐事薯片', 'original', '70g']);
  });
});

describe('any basket', () => {
  const IDENTITY = { storeCode: 'S001', tillCode: 'T01', storeName: '测试便利店', storeAddress: '' };
  const cjk = fc.constantFrom(...'可口可乐农夫山泉康师傅红烧牛肉面旺仔牛奶雪碧矿泉水薯片口香糖𠀀');
  const ascii = fc.constantFrom(...'abcdefgXYZ0123456789-. ');
  const name = fc.array(fc.oneof(cjk, ascii), { minLength: 1, maxLength: 40 }).map((a) => a.join('').trim() || '货品');
  const line = fc.record({
    name,
    qty: fc.integer({ min: 1, max: 999 }),
    grams: fc.option(fc.integer({ min: 50, max: 99_999 }), { nil: null }),
    unitPriceFen: fc.integer({ min: 100, max: 999_999 }),
  });

  it('lines up on both widths: nothing overflows and each line total ends at the right edge', () => {
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 6 }), fc.constantFrom<PaperWidth>(58, 80), (ls, paper) => {
        const sale = buildSale(
          {
            cashierId: '1001',
            cashierName: '张三',
            lines: ls.map((l) => ({ productId: null, barcode: null, name: l.name, qty: l.grams ? 1 : l.qty, qtyGrams: l.grams, unitPriceFen: l.unitPriceFen })),
            tenders: [{ method: 'cash', tenderedFen: 100_000_000_00 }],
          },
          { id: 'x', receiptNo: 'S001-T01-20250308-0001', storeCode: 'S001', tillCode: 'T01', seq: 1, createdAt: '2025-03-08T06:05:09.000Z' },
        );
        const cols = PAPER[paper].columns;
        const doc = layoutReceipt({ sale, identity: IDENTITY, footer: FOOTER, paper });
        for (const b of doc.blocks) expect(printedWidth(b)).toBeLessThanOrEqual(cols);
        const lines = texts(doc);
        for (const l of sale.lines) {
          expect(lines.some((t) => t.endsWith(` ${formatFen(l.lineTotalFen)}`) && stringWidth(t) === cols)).toBe(true);
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('the preview and the test page', () => {
  it('the preview is the receipt as the customer would see it, one paper line per terminal line', () => {
    const { sale, identity } = saleFixture();
    const out = renderText(layoutReceipt({ sale, identity, footer: FOOTER, paper: 58 }));
    const rows = out.trimEnd().split('\n');
    for (const r of rows) expect(stringWidth(r)).toBeLessThanOrEqual(32);
    expect(rows).toContain('-'.repeat(32));
    expect(out).toContain(sale.receiptNo);
    expect(out).toMatch(/合计\s+￥/);
  });

  it('the test page has a ruler exactly as wide as the paper', () => {
    for (const paper of [58, 80] as const) {
      const lines = texts(layoutTestPage(paper, '测试便利店'));
      const ruler = lines.find((t) => /^1234567890/.test(t))!;
      expect(ruler.length).toBe(PAPER[paper].columns);
      const pair = lines.filter((t) => t.endsWith('3.50'));
      expect(pair).toHaveLength(2);
      expect(pair.map((t) => stringWidth(t))).toEqual([PAPER[paper].columns, PAPER[paper].columns]);
    }
  });
});
