// The fast paths of a large import: the hand-written CSV reader agrees with csv-parse, the
// reader thread gives the same outcome as reading on the main thread, and new products go in
// by one statement per batch without breaking the catalog's invariants.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { formatFen } from '../../src/core/money.js';
import { countProducts, findProductByBarcode } from '../../src/db/products.js';
import { addProduct, insertNewProducts } from '../../src/db/products-write.js';
import { demoCatalog } from '../../src/demo/catalog.js';
import { CsvTokenizer } from '../../src/import/csv.js';
import { importProducts } from '../../src/import/service.js';
import { encodeBatch } from '../../src/import/worker.js';
import { memoryTill } from '../helpers/till.js';

const dir = mkdtempSync(join(tmpdir(), 'till-reader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tokenize(text: string, chunks: number[], delimiter = ','): string[][] {
  const t = new CsvTokenizer(delimiter, 0, 1 << 20);
  const sink = { cells: [] as string[][], lines: [] as number[], bad: [] };
  let p = 0;
  for (const n of chunks) {
    t.push(text.slice(p, p + n), false, sink);
    p += n;
  }
  t.push(text.slice(p), true, sink);
  return sink.cells;
}

describe('the CSV reader', () => {
  it('reads what csv-parse reads, however the text is cut into chunks', () => {
    const cell = fc.oneof(
      fc.stringMatching(/^[a-z0-9可乐 ]{0,6}$/),
      fc.stringMatching(/^[a-z,"\r\n可 ]{0,6}$/).map((s) => `"${s.replace(/"/g, '""')}"`),
    );
    const record = fc.array(cell, { minLength: 1, maxLength: 5 }).filter((cells) => cells.some((c) => c.replace(/"/g, '').trim() !== ''));
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 8 }), fc.constantFrom('\n', '\r\n'), fc.array(fc.integer({ min: 1, max: 7 }), { maxLength: 10 }), (records, eol, chunks) => {
        const text = records.map((r) => r.join(',')).join(eol) + eol;
        const expected = (parse(text, { relax_quotes: true, relax_column_count: true, skip_empty_lines: true, skip_records_with_empty_values: true }) as string[][]);
        expect(tokenize(text, chunks)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('numbers records by the line they start on, line breaks in quotes included', () => {
    const t = new CsvTokenizer(',', 0, 1 << 20);
    const sink = { cells: [] as string[][], lines: [] as number[], bad: [] };
    t.push('a,b\r\n"x\r\ny",1\r\n\r\nc,"d""e"\rf,g', true, sink);
    expect(sink.cells).toEqual([['a', 'b'], ['x\r\ny', '1'], ['c', 'd"e'], ['f', 'g']]);
    expect(sink.lines).toEqual([1, 2, 5, 6]);
  });
});

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
