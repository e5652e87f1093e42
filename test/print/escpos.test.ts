// The bytes that reach the printer, read back the way a printer reads them: Chinese mode on,
// GB18030 text, alignment of mixed Chinese/ASCII lines, the code of the receipt number, the
// cut and the drawer kick — and no code-page switch anywhere.
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { formatFen } from '../../src/core/money.js';
import { CHINESE_ON, DRAWER_KICK, INIT, encodeDrawerKick, encodeReceipt } from '../../src/print/escpos.js';
import { COPY_MARK, PAPER, layoutReceipt, layoutTestPage, type PaperWidth } from '../../src/print/layout.js';
import { memoryTill } from '../helpers/till.js';
import { decodeEscPos, lines, texts, type Op } from './escpos-decoder.js';
import { CARD_DRAFT, MIXED_DRAFT, saleFixture } from './fixtures.js';

process.env.TZ = 'Asia/Shanghai';

const FOOTER = '谢谢惠顾，欢迎再次光临';

function receiptBytes(paper: PaperWidth, opts: { openDrawer?: boolean; copy?: boolean; draft?: typeof MIXED_DRAFT } = {}) {
  const { sale, identity } = saleFixture(opts.draft ?? MIXED_DRAFT, memoryTill());
  const doc = layoutReceipt({ sale, identity, footer: FOOTER, paper, copy: opts.copy });
  const bytes = encodeReceipt(doc, { openDrawer: opts.openDrawer });
  return { sale, doc, bytes, ops: decodeEscPos(bytes) };
}

const indexOfOp = (ops: Op[], op: Op['op'], from = 0) => ops.findIndex((o, i) => i >= from && o.op === op);

describe.each([58, 80] as const)('receipt bytes on %i mm paper', (paper: PaperWidth) => {
  const cols = PAPER[paper].columns;
  const { sale, doc, bytes, ops } = receiptBytes(paper);

  it('start by initialising the printer and switching Chinese mode on (FS &)', () => {
    expect(bytes.subarray(0, 4)).toEqual(Buffer.concat([INIT, CHINESE_ON]));
  });

  it('turn Chinese mode back on after every reset, including the one after the cut', () => {
    const inits = ops.flatMap((o, i) => (o.op === 'init' ? [i] : []));
    expect(inits.length).toBeGreaterThanOrEqual(2);
    for (const i of inits) expect(ops[i + 1]).toEqual({ op: 'chinese-on' });
    const cut = indexOfOp(ops, 'cut');
    expect(ops[cut]).toEqual({ op: 'cut', mode: 0 });
    expect(ops[cut - 1]).toEqual({ op: 'feed', lines: 4 });
    expect(ops.slice(cut + 1)).toEqual([{ op: 'init' }, { op: 'chinese-on' }]);
  });

  it('carry the text as GB18030: every printed line decodes to the laid-out line', () => {
    const expected = doc.blocks.flatMap((b) => (b.kind === 'text' ? [b.text] : b.kind === 'rule' ? [b.char.repeat(cols)] : []));
    const got = texts(ops).filter((t) => t !== '' && t !== sale.receiptNo);
    expect(got).toEqual(expected);
    // Known GB2312 codes, independent of the encoder library: 收 = CAD5, 银 = D2F8, ￥ = A3A4.
    expect(bytes.includes(Buffer.from([0xca, 0xd5, 0xd2, 0xf8]))).toBe(true);
    expect(bytes.includes(Buffer.from([0xa3, 0xa4]))).toBe(true);
    expect(bytes.includes(Buffer.from('收银', 'utf8'))).toBe(false);
  });

  it('line up mixed Chinese and ASCII rows: each line amount (gross, its discount beneath) ends at the last column', () => {
    const printed = texts(ops);
    for (const l of sale.lines) {
      const total = formatFen(l.lineTotalFen + l.discountFen);
      expect(printed.some((t) => t.endsWith(` ${total}`) && stringWidth(t) === cols), l.name).toBe(true);
    }
    // 可口可乐 (two columns a character) and Coca-Cola (one): the decimal points of their totals
    // sit in the same printed column.
    const totalRow = (name: string) => printed.slice(printed.findIndex((t) => t.includes(name))).find((t) => /\d\.\d\d$/.test(t))!;
    const pointColumn = (t: string) => stringWidth(t.slice(0, t.lastIndexOf('.')));
    expect(pointColumn(totalRow('可口可乐'))).toBe(cols - 3);
    expect(pointColumn(totalRow('Coca-Cola'))).toBe(cols - 3);
    for (const l of lines(ops)) expect(stringWidth(l.text) * l.size.width, l.text).toBeLessThanOrEqual(cols);
  });

  it('print the store name double size and the total bold and tall, then return to normal', () => {
    const name = lines(ops).find((l) => l.text === '测试便利店')!;
    expect(name).toMatchObject({ align: 'center', bold: true, size: { width: 2, height: 2 } });
    const total = lines(ops).find((l) => l.text.startsWith('合计'))!;
    expect(total).toMatchObject({ bold: true, size: { width: 1, height: 2 } });
    const after = lines(ops).find((l) => l.text.startsWith('微信支付'))!;
    expect(after).toMatchObject({ bold: false, size: { width: 1, height: 1 }, align: 'left' });
  });

  it('do not kick the drawer unless asked', () => {
    expect(indexOfOp(ops, 'drawer')).toBe(-1);
  });
});

describe('the receipt number code', () => {
  it('is a CODE128 barcode with human-readable text on 80 mm paper', () => {
    const { sale, ops } = receiptBytes(80);
    const code = ops.find((o) => o.op === 'barcode');
    expect(code).toEqual({ op: 'barcode', type: 73, data: `{B${sale.receiptNo}` });
    expect(ops).toContainEqual({ op: 'barcode-setting', what: 'width', value: 2 });
    expect(ops).toContainEqual({ op: 'barcode-setting', what: 'hri', value: 2 });
  });

  it('falls back to a QR code on 80 mm when a long store or till code makes the barcode too wide', () => {
    const { sale, identity } = saleFixture(CARD_DRAFT, memoryTill());
    const long = { ...sale, receiptNo: 'STORE0000000001-TILL00000000001-20250308-0001' };
    const ops = decodeEscPos(encodeReceipt(layoutReceipt({ sale: long, identity, footer: '', paper: 80 })));
    expect(ops.some((o) => o.op === 'barcode')).toBe(false);
    const store = ops.find((o) => o.op === 'qr' && o.fn === 0x50) as Extract<Op, { op: 'qr' }>;
    expect(store.data.subarray(1).toString('latin1')).toBe(long.receiptNo);
  });

  it('is a QR code with the receipt number under it on 58 mm paper, where the barcode would not fit', () => {
    const { sale, ops } = receiptBytes(58);
    expect(ops.some((o) => o.op === 'barcode')).toBe(false);
    const store = ops.find((o) => o.op === 'qr' && o.fn === 0x50) as Extract<Op, { op: 'qr' }>;
    expect(store.data.subarray(1).toString('latin1')).toBe(sale.receiptNo);
    expect(ops.some((o) => o.op === 'qr' && o.fn === 0x51)).toBe(true); // print it
    expect(texts(ops)).toContain(sale.receiptNo);
  });
});

describe('the cash drawer', () => {
  it('a cash sale kicks the drawer right at the start, with both pulse times', () => {
    const { bytes, ops } = receiptBytes(80, { openDrawer: true });
    expect(ops.slice(0, 3)).toEqual([{ op: 'init' }, { op: 'chinese-on' }, { op: 'drawer', pin: 2, onMs: 50, offMs: 500 }]);
    expect(bytes.subarray(4, 9)).toEqual(DRAWER_KICK);
    expect(ops.filter((o) => o.op === 'drawer')).toHaveLength(1);
  });

  it('`till print drawer` sends only the kick', () => {
    expect(decodeEscPos(encodeDrawerKick())).toEqual([{ op: 'init' }, { op: 'drawer', pin: 2, onMs: 50, offMs: 500 }]);
  });
});

describe('characters the library would get wrong', () => {
  it('¥ in a name stays in Chinese mode (no code-page switch) and characters outside GB2312 are GB18030', () => {
    const draft = { ...CARD_DRAFT, lines: [{ ...CARD_DRAFT.lines[0], name: '特价¥3 €券 𠀀字 䶮' }] };
    const { bytes, ops } = receiptBytes(58, { draft });
    // decodeEscPos throws on ESC t / ESC R, so decoding at all proves there is no switch.
    expect(texts(ops).some((t) => t.startsWith('特价￥3 €券 𠀀字 䶮'))).toBe(true);
    expect(bytes.includes(Buffer.from([0x95, 0x32, 0x82, 0x36]))).toBe(true); // 𠀀, a four-byte GB18030 code
    expect(bytes.includes(Buffer.from([0xfe, 0x9f]))).toBe(true); // 䶮, outside EUC-CN
    expect(bytes.includes(Buffer.from([0xa2, 0xe3]))).toBe(true); // €
    expect(bytes.includes(0x3f)).toBe(false); // no "?" stands in for a character
  });

  it('a reprint carries the COPY mark on paper, double size', () => {
    const { ops } = receiptBytes(80, { copy: true });
    expect(lines(ops).find((l) => l.text === COPY_MARK)).toMatchObject({ bold: true, size: { width: 2, height: 2 } });
  });

  it('the bytes never contain a real-time status request by accident', () => {
    for (const paper of [58, 80] as const) {
      const { bytes } = receiptBytes(paper, { openDrawer: true });
      expect(bytes.includes(Buffer.from([0x10, 0x04]))).toBe(false);
    }
  });
});

describe('the test page', () => {
  it.each([58, 80] as const)('on %i mm has a full-width ruler and aligned Chinese/ASCII rows', (paper) => {
    const ops = decodeEscPos(encodeReceipt(layoutTestPage(paper, '测试便利店')));
    const t = texts(ops);
    expect(t.find((x) => x.startsWith('1234567890'))).toHaveLength(PAPER[paper].columns);
    const rows = t.filter((x) => x.endsWith('3.50'));
    expect(rows.map((r) => stringWidth(r))).toEqual([PAPER[paper].columns, PAPER[paper].columns]);
  });
});
