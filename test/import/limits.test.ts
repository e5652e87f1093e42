// Every product the till or HQ stores is one the protocol carries and a sale of it HQ accepts:
// the product writers (till and HQ) and both imports hold to core/limits.ts. A NUL or another
// control character anywhere in an import file — also after the first 64 KB the encoding
// sniffer reads — is a rejected row with its line, never a stored name.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withCheckDigit } from '../../src/core/barcode.js';
import type { Product } from '../../src/core/types.js';
import { addProduct, type ProductInput } from '../../src/db/products-write.js';
import { recordSale } from '../../src/db/sales.js';
import { UserError } from '../../src/errors.js';
import { checkSale } from '../../src/hq/rules.js';
import { importHqProducts } from '../../src/hq/import.js';
import type { HqStore } from '../../src/hq/store.js';
import { importProducts } from '../../src/import/service.js';
import { catalogProductSchema, LIMITS } from '../../src/sync/protocol.js';
import { memoryTill, removeDir, tempDir } from '../helpers/till.js';
import { STORAGES, createTestDb, type TestDb } from '../hq/helpers.js';

const dir = tempDir('till-limits-');
afterAll(() => removeDir(dir));

const ean = (i: number) => withCheckDigit(`690${String(i).padStart(9, '0')}`);

const textArb = (max: number) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom('可口可乐', '瓶', '饮料', 'Coca-Cola Zero 330ml') },
    { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
    { weight: 1, arbitrary: fc.integer({ min: max - 1, max: max + 2 }).map((n) => '名'.repeat(n)) },
    { weight: 2, arbitrary: fc.tuple(fc.string({ maxLength: 5 }), fc.constantFrom('\u0000', '\u001b', '\r', '\u007f', '\u009b'), fc.string({ maxLength: 5 })).map(([a, c, b]) => `商品${a}${c}${b}`) },
  );

const productArb = fc.record({ name: textArb(LIMITS.productName), unit: textArb(LIMITS.unit), category: textArb(LIMITS.category), priceFen: fc.integer({ min: 0, max: 99_999 }) });

/** The product as the catalog protocol carries it, and a one-line sale of it as HQ checks it. */
function acceptedDownstream(p: Pick<Product, 'name' | 'priceFen' | 'unit' | 'category' | 'weighed' | 'plu' | 'barcodes' | 'active'>, till = memoryTill()): void {
  const wire = { hqId: 1, name: p.name, priceFen: p.priceFen, unit: p.unit, category: p.category, weighed: p.weighed, plu: p.plu, barcodes: p.barcodes, active: p.active };
  expect(catalogProductSchema.safeParse(wire).success).toBe(true);
  const sale = recordSale(till, {
    cashierId: '1001',
    cashierName: '张三',
    lines: [{ productId: 1, barcode: p.barcodes[0] ?? null, name: p.name, qty: 1, qtyGrams: null, unitPriceFen: p.priceFen }],
    tenders: p.priceFen > 0 ? [{ method: 'cash', tenderedFen: p.priceFen }] : [],
  });
  const verdict = checkSale(JSON.parse(JSON.stringify(sale)), sale.seq, { storeCode: 'S001', tillCode: 'T01' });
  expect(verdict.ok ? null : verdict.reason).toBeNull();
}

describe('the till’s product writer', () => {
  it('stores only products the catalog protocol carries and whose sale HQ accepts', () => {
    const db = memoryTill();
    let n = 0;
    let stored = 0;
    fc.assert(
      fc.property(productArb, (input) => {
        let p: Product;
        try {
          p = addProduct(db, { ...input, barcodes: [ean(n++)] } as ProductInput);
        } catch (e) {
          if (!(e instanceof UserError)) throw e;
          return;
        }
        stored++;
        acceptedDownstream(p, db);
      }),
      { numRuns: 150 },
    );
    expect(stored).toBeGreaterThan(10);
    db.close();
  });

  it('says which field holds a control character', () => {
    const db = memoryTill();
    expect(() => addProduct(db, { name: '可乐\u0000', priceFen: 100, barcodes: [ean(1)] })).toThrow(/The name holds a control character \(U\+0000 at character 3\)/);
    expect(() => addProduct(db, { name: '可乐', priceFen: 100, barcodes: [ean(1)], unit: 'x'.repeat(17) })).toThrow(/The unit is longer than 16 characters/);
    db.close();
  });
});

/** A product file a little over 64 KB with a NUL in a name at `nulLine` (the header is line 1). */
function fileWithNulAt(nulLine: number, rows = 1600): { path: string; text: string } {
  const lines = ['barcode,name,price,unit,category'];
  for (let i = 1; i <= rows; i++) lines.push(`${ean(i)},${i + 1 === nulLine ? '坏\u0000商品' : `商品名称第${i}号 Product number ${i}`},3.50,瓶,饮料`);
  const text = lines.join('\n') + '\n';
  const path = join(dir, `nul-${nulLine}.csv`);
  writeFileSync(path, text);
  return { path, text };
}

describe('the till’s import', () => {
  it.each(['thread', 'worker'] as const)('a NUL after the first 64 KB of the file is a rejected row with its line; the rest is imported (read on a %s)', async (reader) => {
    const { path, text } = fileWithNulAt(1500);
    expect(Buffer.byteLength(text.split('\n').slice(0, 1499).join('\n'))).toBeGreaterThan(64 * 1024);
    const db = memoryTill();
    const s = await importProducts(db, path, { reader, rejectsPath: join(dir, `till-${reader}.rejects.csv`) });
    expect(s).toMatchObject({ rows: 1600, added: 1599, rejected: 1 });
    expect(s.rejects[0].line).toBe(1500);
    expect(s.rejects[0].reason).toMatch(/column 2 holds a control character \(U\+0000/);
    expect(db.prepare("SELECT count(*) AS n FROM products WHERE instr(name, char(0)) > 0").get()).toEqual({ n: 0 });
    db.close();
  });
});

describe('control characters in any encoding', () => {
  it('an ESC (printer command) in a GB18030 file and a C1 control in a UTF-8 file are rejected rows; a line break in a quoted name becomes a space', async () => {
    // Enough ordinary rows that the sniffer takes it for text (one control byte in a tiny file looks binary).
    const more = Array.from({ length: 50 }, (_, i) => `${ean(100 + i)},商品${i},1`);
    const rows = (name: string) => ['条码,名称,售价', `${ean(1)},${name},1`, `${ean(2)},"两行\r\n名称",2`, `${ean(3)},正常,3`, ...more].join('\r\n');
    const gbk = join(dir, 'esc.csv');
    writeFileSync(gbk, iconv.encode(rows('特价\u001b@饮料'), 'gb18030'));
    const utf = join(dir, 'c1.csv');
    writeFileSync(utf, rows('特价\u009b饮料'));
    for (const [file, code] of [[gbk, 'U+001B'], [utf, 'U+009B']]) {
      const db = memoryTill();
      const s = await importProducts(db, file, { reader: 'thread', rejectsPath: `${file}.rejects.csv` });
      expect(s).toMatchObject({ added: 52, rejected: 1 });
      expect(s.rejects[0]).toMatchObject({ line: 2, reason: expect.stringContaining(code) });
      expect((db.prepare('SELECT name FROM products ORDER BY id LIMIT 2').all() as Array<{ name: string }>).map((r) => r.name)).toEqual(['两行 名称', '正常']);
      db.close();
    }
  });
});

describe.each(STORAGES)('HQ on %s', (kind) => {
  let tdb: TestDb;
  let hq: HqStore;
  beforeAll(async () => {
    tdb = await createTestDb(kind);
    hq = await tdb.open();
  });
  afterAll(async () => {
    await hq?.close();
    await tdb?.drop();
  });

  it('its catalog import rejects a NUL after the first 64 KB with the row’s line, and pushes no such name', async () => {
    const { path } = fileWithNulAt(1550);
    const s = await importHqProducts(hq, path, { rejectsPath: join(tdb.home, 'hq.rejects.csv') });
    expect(s).toMatchObject({ rows: 1600, added: 1599, rejected: 1 });
    expect(s.rejects[0]).toMatchObject({ line: 1550, reason: expect.stringMatching(/control character \(U\+0000/) });
    const page = await hq.catalog.page('S001', 0, 2000);
    expect(page.changes.some((c) => c.op === 'upsert' && /\u0000/.test(c.product.name))).toBe(false);
  });

  it('its product writer stores only products the catalog protocol carries and whose sale HQ accepts', async () => {
    const till = memoryTill();
    let n = 5000;
    const samples = fc.sample(productArb, { numRuns: kind === 'postgres' ? 40 : 120, seed: 17 });
    let stored = 0;
    for (const input of samples) {
      try {
        await hq.catalog.add({ ...input, barcodes: [ean(n++)] });
        stored++;
      } catch (e) {
        if (!(e instanceof UserError)) throw e;
      }
    }
    expect(stored).toBeGreaterThan(5);
    for (const p of await hq.catalog.list({ limit: 100_000 })) acceptedDownstream({ ...p, barcodes: p.barcodes }, till);
    till.close();
  });
});
