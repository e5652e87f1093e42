// The CSV reader's records and line numbers, however the input is cut into chunks; the fast
// paths of a large import: the reader thread gives the same outcome as reading on the main
// thread, and new products go in by one statement per batch without breaking the catalog's
// invariants.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { formatFen } from '../../src/core/money.js';
import { countProducts, findProductByBarcode } from '../../src/db/products.js';
import { addProduct, insertNewProducts } from '../../src/db/products-write.js';
import { demoCatalog } from '../../src/demo/catalog.js';
import { type CsvInput, CsvRecords, type ParseOptions, type ParsedRow, parseProductCsv } from '../../src/import/csv.js';
import { importProducts } from '../../src/import/service.js';
import { encodeBatch } from '../../src/import/worker.js';
import { memoryTill } from '../helpers/till.js';

const dir = mkdtempSync(join(tmpdir(), 'till-reader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Records and start lines of `bytes` fed to CsvRecords in chunks of the given sizes. */
function records(bytes: Buffer, chunks: number[], fromLine = 1, maxRecordBytes = 1 << 20): { cells: string[][]; lines: number[] } {
  const r = new CsvRecords(',', fromLine, maxRecordBytes);
  const sink = { cells: [] as string[][], lines: [] as number[] };
  let p = 0;
  for (const n of chunks) {
    r.push(bytes.subarray(p, p + n), false, sink);
    p += n;
  }
  r.push(bytes.subarray(p), false, sink);
  r.push(undefined, true, sink);
  return sink;
}

/** Line breaks as a reader counts them: LF, CR LF and a lone CR each once. */
const breaks = (s: string) => s.split(/\r\n|\r|\n/).length - 1;

async function* chunked(bytes: Buffer, sizes: number[]): AsyncGenerator<Uint8Array> {
  let p = 0;
  for (let i = 0; p < bytes.length; i++) {
    const n = sizes[i % sizes.length];
    yield bytes.subarray(p, p + n);
    p += n;
  }
}

describe('the CSV reader (papaparse)', () => {
  it('gives every record and the line it starts on, however the bytes are cut into chunks', () => {
    // Cell values; those holding a quote, comma or line break are quoted, others sometimes.
    const value = fc.stringMatching(/^[a-z0-9,"\r\n可乐 ]{0,6}$/);
    const cell = fc.tuple(value, fc.boolean()).map(([v, quote]) => ({ v, raw: quote || /[,"\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v }));
    const record = fc.array(cell, { minLength: 1, maxLength: 5 }).filter((cells) => cells.some((c) => c.v.trim() !== ''));
    // Before a record: nothing, blank lines, or rows of empty cells (Excel), all skipped.
    const filler = fc.array(fc.constantFrom('', ',,', ' ', '""'), { maxLength: 2 });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(filler, record), { minLength: 1, maxLength: 8 }),
        fc.constantFrom('\n', '\r\n', '\r'),
        fc.boolean(),
        fc.array(fc.integer({ min: 1, max: 9 }), { maxLength: 12 }),
        (rows, eol, lastEol, chunks) => {
          let text = '';
          let line = 1;
          const expected: { cells: string[][]; lines: number[] } = { cells: [], lines: [] };
          rows.forEach(([fill, cells], i) => {
            for (const f of fill) {
              text += f + eol;
              line++;
            }
            const raw = cells.map((c) => c.raw).join(',');
            expected.cells.push(cells.map((c) => c.v));
            expected.lines.push(line);
            text += raw;
            line += breaks(raw);
            if (i < rows.length - 1 || lastEol) {
              text += eol;
              line++;
            }
          });
          expect(records(Buffer.from(text, 'utf8'), chunks)).toEqual(expected);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('numbers records by the line they start on, CR LF in quotes counted once, line ends mixed', () => {
    const sink = records(Buffer.from('a,b\r\n"x\r\ny",1\r\n\r\nc,"d""e"\rf,g\n"1\r\n2\r3\n4",5\nh,i', 'utf8'), [5, 3]);
    expect(sink.cells).toEqual([['a', 'b'], ['x\r\ny', '1'], ['c', 'd"e'], ['f', 'g'], ['1\r\n2\r3\n4', '5'], ['h', 'i']]);
    expect(sink.lines).toEqual([1, 2, 5, 6, 7, 11]);
  });

  it('passes over the lines before the header', () => {
    expect(records(Buffer.from('title "x"\r\nnote\r\na,b\r\n"c\r\n",d\r\ne,f\r\n'), [], 3)).toEqual({ cells: [['a', 'b'], ['c\r\n', 'd'], ['e', 'f']], lines: [3, 4, 6] });
  });

  it('names the line a quote that never closes was opened on', async () => {
    const head = 'barcode,name,price\r\n6901234567892,"a\r\nb",1\r\n\r\n,,\r\n';
    const unclosed = head + '6920202888883,"never closed\r\nmore\r\n';
    await expect(readAll(Buffer.from(unclosed))).rejects.toThrow(/^input line 6: a quoted field that never ends/);
    const long = head + '6920202888883,"long\r\n' + 'x'.repeat(5000) + '\r\n,1\r\n';
    await expect(readAll(Buffer.from(long), { maxRecordBytes: 2048 })).rejects.toThrow(/^input line 6: a record longer than 2 KiB/);
  });

  it('finds bytes that are not UTF-8 wherever the chunks cut the characters', async () => {
    const good = Buffer.from('名称,售价,秤码\n' + Array.from({ length: 40 }, (_, i) => `可口可乐${i},3.5,${10001 + i}`).join('\n') + '\n', 'utf8');
    for (const sizes of [[1], [2], [3, 5], [7, 1, 2]]) {
      const rows = await readAll(chunked(good, sizes));
      expect(rows.filter((r) => r.product)).toHaveLength(40);
      const bad = Buffer.concat([good, Buffer.from([0xbf, 0xc9]), Buffer.from('乐,3,10041\n')]);
      const withBad = await readAll(chunked(bad, sizes));
      expect(withBad.filter((r) => r.error).map((r) => [r.line, r.error])).toEqual([[42, expect.stringMatching(/not valid UTF-8/)]]);
    }
  });
});

async function readAll(input: CsvInput, opts: ParseOptions = {}): Promise<ParsedRow[]> {
  const rows: ParsedRow[] = [];
  for await (const r of parseProductCsv(input, opts)) rows.push(r);
  return rows;
}

describe('a large import', () => {
  const products = [...demoCatalog(3000, { weighed: true })];
  const lines = products.map((p) => `${p.barcode ?? ''},${p.name},${formatFen(p.priceFen)},${p.plu ?? ''}`);
  lines.splice(10, 0, '6901234567893,错码,3,', ',"未闭合"x,3,');
  const file = join(dir, 'catalog.csv');
  writeFileSync(file, 'barcode,name,price,plu\n' + lines.join('\n') + '\n');

  it('comes out the same read in a worker thread as on this thread', async () => {
    const a = memoryTill();
    const b = memoryTill();
    const inThread = await importProducts(a, file, { reader: 'thread', rejectsPath: join(dir, 'a.rejects.csv') });
    const inWorker = await importProducts(b, file, { reader: 'worker', rejectsPath: join(dir, 'b.rejects.csv') });
    expect({ ...inWorker, seconds: 0, rejectsFile: null }).toEqual({ ...inThread, seconds: 0, rejectsFile: null });
    expect(inWorker).toMatchObject({ added: products.length, rejected: 2 });
    expect(readFileSync(join(dir, 'b.rejects.csv'), 'utf8')).toBe(readFileSync(join(dir, 'a.rejects.csv'), 'utf8'));
    const all = (db: typeof a) => db.prepare('SELECT id, name, pinyin, price_fen, unit, category, weighed, plu, barcodes FROM products ORDER BY id').all();
    expect(all(b)).toEqual(all(a));
    const again = await importProducts(b, file, { reader: 'worker', rejectsPath: join(dir, 'b.rejects.csv') });
    expect(again).toMatchObject({ added: 0, updated: 0, unchanged: products.length });
  }, 60_000);

  it('adds new products in one statement, and backs out a batch whose code another product took meanwhile', () => {
    const db = memoryTill();
    addProduct(db, { name: '先来的', priceFen: 100, barcodes: ['6920202888883'] });
    const rows = (codes: string[]) => encodeBatch(codes.map((c, i) => ({ line: i + 2, product: { name: `p${i}`, priceFen: 100 + i, barcodes: c.split('|') }, pinyin: `p${i}` })), 0);
    db.exec('BEGIN');
    const ok = rows(['6901234567892', '6933333333337|6944444444447']);
    expect(insertNewProducts(db, ok.good, ok.goodCount, ok.severalCodes)).toBe(true);
    const clash = rows(['6955555555557', '6920202888883']);
    expect(insertNewProducts(db, clash.good, clash.goodCount, clash.severalCodes)).toBe(false);
    db.exec('COMMIT');
    expect(countProducts(db)).toBe(3);
    expect(findProductByBarcode(db, '6944444444447')).toMatchObject({ name: 'p1', priceFen: 101, barcodes: ['6933333333337', '6944444444447'], pinyin: 'p1' });
    expect(findProductByBarcode(db, '6955555555557')).toBeUndefined();
  });
});
