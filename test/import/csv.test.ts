// Reading product files as suppliers, legacy systems and Excel write them: the rows that come
// out, their line numbers, and the reason for every row that cannot be imported.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { formatFen } from '../../src/core/money.js';
import { pinyinInitials } from '../../src/core/pinyin.js';
import { demoCatalog } from '../../src/demo/catalog.js';
import { CsvFileError, type ParseOptions, type ParsedRow, parseProductCsv } from '../../src/import/csv.js';

const utf8 = (s: string) => Buffer.from(s, 'utf8');

async function read(input: string | Uint8Array, opts: ParseOptions = {}): Promise<ParsedRow[]> {
  const rows: ParsedRow[] = [];
  for await (const r of parseProductCsv(typeof input === 'string' ? utf8(input) : input, opts)) rows.push(r);
  return rows;
}

async function readError(input: string | Uint8Array, opts: ParseOptions = {}): Promise<string> {
  try {
    await read(input, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(CsvFileError);
    return (e as Error).message;
  }
  throw new Error('expected the file to be refused');
}

const errors = (rows: ParsedRow[]) => rows.filter((r) => r.error).map((r) => ({ line: r.line, error: r.error }));

describe('reading a product file', () => {
  it('reads an Excel UTF-8 file with BOM, CRLF, Chinese headers and quoted commas, quotes and newlines (a line break in a name becomes a space)', async () => {
    const file = '\uFEFF条码,品名,售价,单位,分类\r\n6901234567892,"可口可乐, 500ml",3.50,瓶,饮料\r\n6920202888883,"12"" 披萨\r\n(冷冻)",¥25,个,"冷冻"\r\n';
    const rows = await read(file);
    expect(rows).toEqual([
      { line: 2, product: { barcodes: ['6901234567892'], name: '可口可乐, 500ml', priceFen: 350, unit: '瓶', category: '饮料' } },
      { line: 3, product: { barcodes: ['6920202888883'], name: '12" 披萨 (冷冻)', priceFen: 2500, unit: '个', category: '冷冻' } },
    ]);
  });

  it('counts lines across multi-line fields, blank lines and empty Excel rows', async () => {
    const file = 'barcode,name,price\n6901234567892,"two\nlines",1\n\n,,\n6920202888883,x,-1\n';
    const rows = await read(file);
    expect(rows.map((r) => r.line)).toEqual([2, 6]);
    expect(rows[1].error).toMatch(/cannot be negative/);
  });

  it('detects GB18030 (GBK) from Excel on Chinese Windows and reads the same products', async () => {
    const text = '条码,名称,售价,单位\r\n6901234567892,农夫山泉矿泉水550ml,2,瓶\r\n6920202888883,康师傅红烧牛肉面,4.5,桶\r\n';
    const fromGbk = await read(iconv.encode(text, 'gb18030'));
    expect(fromGbk).toEqual(await read(text));
    expect(fromGbk[0].product?.name).toBe('农夫山泉矿泉水550ml');
  });

  it('reads UTF-16 "Unicode text" with tabs, as Excel saves it', async () => {
    const text = '条码\t名称\t售价\r\n6901234567892\t雪碧\t3\r\n';
    const rows = await read(iconv.encode(text, 'utf-16le', { addBOM: true }));
    expect(rows).toEqual([{ line: 2, product: { barcodes: ['6901234567892'], name: '雪碧', priceFen: 300 } }]);
  });

  it('detects ; and tab delimiters from the header', async () => {
    for (const d of [';', '\t', '|']) {
      const rows = await read(['barcode', 'name', 'price'].join(d) + '\n' + ['6901234567892', '可乐', '3,5'.replace(',', '.')].join(d) + '\n');
      expect(rows[0].product).toEqual({ barcodes: ['6901234567892'], name: '可乐', priceFen: 350 });
    }
  });

  it('says what the header holds when it names no known columns, with a hint about the delimiter', async () => {
    const msg = await readError('货号:品名:零售\n1:a:2\n');
    expect(msg).toMatch(/line 1: no name or price column in the header \(货号:品名:零售\)/);
    expect(msg).toMatch(/--map/);
    const semi = await readError('a;b;c\n1;2;3\n', { delimiter: ',' });
    expect(semi).toMatch(/separated by ; or tabs\? pass --delimiter/);
  });

  it('takes --map for layouts whose headers it does not know', async () => {
    const rows = await read('货号,商品编码,描述,会员价\nA1,6901234567892,百事可乐,2.8\n', { map: { barcode: '商品编码', name: 3, price: '会员价' } });
    expect(rows[0].product).toEqual({ barcodes: ['6901234567892'], name: '百事可乐', priceFen: 280 });
  });

  it('skips a title row above the header', async () => {
    const rows = await read('XX便利店商品资料 2026-11\n条码,名称,售价\n6901234567892,可乐,3\n');
    expect(rows).toEqual([{ line: 3, product: { barcodes: ['6901234567892'], name: '可乐', priceFen: 300 } }]);
  });

  it('reads weighed products keyed by PLU, restoring the zeros Excel drops', async () => {
    const rows = await read('名称,售价,单位,称重,秤码\n散装苹果,12.8,kg,是,123\n香蕉,6.98,kg,否,10002\n');
    expect(rows.map((r) => r.product)).toEqual([
      { barcodes: [], name: '散装苹果', priceFen: 1280, unit: 'kg', weighed: true, plu: '00123' },
      { barcodes: [], name: '香蕉', priceFen: 698, unit: 'kg', weighed: false, plu: '10002' },
    ]);
  });

  it('takes several barcodes of one product separated by |', async () => {
    const rows = await read('barcode,name,price\n6901234567892|6920202888883,可乐,3\n');
    expect(rows[0].product?.barcodes).toEqual(['6901234567892', '6920202888883']);
  });
});

describe('rows that cannot be imported get their line and a reason', () => {
  it('refuses bad barcodes, prices, names and repeats, and keeps the good rows', async () => {
    const file = [
      'barcode,name,price,plu',
      '6901234567892,可乐,3,', // 2 ok
      '6901234567893,雪碧,3,', // 3 wrong check digit
      '6.90123E+12,芬达,3,', // 4 Excel scientific notation
      '06901234567892,零填充,3,', // 5 padded EAN-13
      '12345678905,丢零,3,', // 6 UPC-A that lost its leading 0
      '6920202888883,负价,-3,', // 7 negative
      '6933333333337,科学计数,1e3,', // 8 1e3
      '6944444444447,三位小数,3.999,', // 9 three decimals
      '6955555555557,,3,', // 10 no name
      '6901234567892,重复,3,', // 11 barcode repeated
      ',无码,3,', // 12 neither barcode nor PLU
      ',散装,3,10001', // 13 ok (PLU)
      ',散装2,3,10001', // 14 PLU repeated
      '6966666666667,有价,,', // 15 empty price
    ].join('\n');
    const rows = await read(file);
    expect(rows.filter((r) => r.product).map((r) => r.line)).toEqual([2, 13]);
    const byLine = Object.fromEntries(errors(rows).map((e) => [e.line, e.error]));
    expect(byLine[3]).toMatch(/wrong check digit \(the last digit should be 2\)/);
    expect(byLine[4]).toMatch(/scientific notation; format the column as text/);
    expect(byLine[5]).toMatch(/padded with a leading 0; write it as 6901234567892/);
    expect(byLine[6]).toMatch(/UPC-A 012345678905 with its leading 0 lost/);
    expect(byLine[7]).toMatch(/cannot be negative/);
    expect(byLine[8]).toMatch(/scientific notation is not a price/);
    expect(byLine[9]).toMatch(/more than two decimals/);
    expect(byLine[10]).toBe('name is empty');
    expect(byLine[11]).toBe('barcode 6901234567892 is already on line 2 of this file');
    expect(byLine[12]).toMatch(/no barcode and no PLU/);
    expect(byLine[14]).toBe('PLU 10001 is already on line 13 of this file');
    expect(byLine[15]).toMatch(/it is empty/);
    expect(Object.keys(byLine)).toHaveLength(12);
  });

  it('keeps the cells of a refused row (for the rejects file)', async () => {
    const rows = await read('barcode,name,price\n6901234567893,"a, b",3\n');
    expect(rows[0]).toMatchObject({ line: 2, cells: ['6901234567893', 'a, b', '3'] });
  });

  it('refuses a row with more fields than the header (an unquoted comma)', async () => {
    const rows = await read('barcode,name,price\n6901234567892,可乐,500ml,3\n6920202888883,雪碧,3,,\n');
    expect(rows[0].error).toMatch(/4 fields but the header has 3; put values that hold a "," in double quotes/);
    expect(rows[1].product?.name).toBe('雪碧');
  });

  it('refuses the rows of a file that switches from UTF-8 to GBK half way', async () => {
    const bytes = Buffer.concat([utf8('条码,名称,售价\n6901234567892,可口可乐,3\n'), iconv.encode('6920202888883,百事可乐,3\n', 'gbk')]);
    const rows = await read(bytes);
    expect(rows[0].product?.name).toBe('可口可乐');
    expect(rows[1].error).toMatch(/not valid UTF-8; the file mixes encodings/);
  });

  it('parses every price in yuan to the exact fen, never through a float', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 99_999_999 }), { minLength: 1, maxLength: 30 }), async (prices) => {
        const file = 'barcode,name,price\n' + prices.map((f, i) => `X${i},p${i},${formatFen(f)}`).join('\n');
        const rows = await read(file);
        expect(rows.map((r) => r.product?.priceFen)).toEqual(prices);
      }),
      { numRuns: 50 },
    );
  });
});

describe('files that are not product CSVs are refused before anything is read', () => {
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ['an empty file', new Uint8Array(0), /is empty/],
    ['a PDF renamed .csv', utf8('%PDF-1.7\n%âãÏÓ\n1 0 obj\n<< /Type /Catalog >>\nendobj\n'), /a PDF document, not a CSV file/],
    ['an .xlsx workbook', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0x06, 0]), /Excel \.xlsx.*save it as "CSV UTF-8"/],
    ['random bytes', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256)), /not a text \(CSV\) file/],
  ];
  for (const [what, bytes, reason] of cases) {
    it(`refuses ${what}`, async () => {
      expect(await readError(bytes, { label: 'f.csv' })).toMatch(reason);
    });
  }

  it('reads a header-only file as no rows', async () => {
    expect(await read('条码,名称,售价\n')).toEqual([]);
  });

  it('stops at a quote that never closes, naming its line, without holding the rest in memory', async () => {
    const big = 'barcode,name,price\n6901234567892,"unclosed,3\n' + 'x'.repeat(10 * 1024 * 1024);
    expect(await readError(big, { label: 'f.csv' })).toMatch(/^f\.csv line 2: a record longer than 1024 KiB; a quote \(".*not closed/);
  });

  it('refuses an unknown --encoding', async () => {
    expect(await readError('a\n', { encoding: 'latin1' })).toMatch(/--encoding: "latin1" is not one I read/);
  });
});

describe('pinyin initials', () => {
  it('spells each name as pinyinInitials does', async () => {
    const products = [...demoCatalog(3000, { weighed: true })];
    const file = 'barcode,name,price,plu\n' + products.map((p) => `${p.barcode ?? ''},${p.name},${formatFen(p.priceFen)},${p.plu ?? ''}`).join('\n');
    const rows = await read(file, { pinyin: true });
    expect(rows).toHaveLength(products.length);
    for (const r of rows) expect(r.pinyin).toBe(pinyinInitials(r.product!.name));
  });
});
