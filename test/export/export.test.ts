// Exports as an accountant (Excel) or a script reads them: the catalog round-trips through a
// CSV, cells that Excel would run as formulas are neutralised, encodings and BOM for Excel,
// sales of a period per sale, per line or per payment, JSON in fen.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { parse } from 'csv-parse/sync';
import { openDatabase } from '../../src/db/open.js';
import { recordSale } from '../../src/db/sales.js';
import { dbPath } from '../../src/home.js';
import { BIN, initTillHome, removeDir, till } from '../helpers/till.js';

const homes: string[] = [];
afterAll(() => homes.forEach(removeDir));
const newHome = () => {
  const h = initTillHome();
  homes.push(h);
  return h;
};

const CATALOG = [
  'barcode,name,price,unit,category,weighed,plu',
  '6901234567892|6920202888883,可口可乐500ml,3.50,瓶,饮料,,',
  '6933333333337,=HYPERLINK("http://evil.example";"点我"),9.90,个,"@零食",,',
  '6944444444447,-20°C 冰淇淋,5,支,冷饮,,',
  ',散装苹果,12.80,kg,生鲜,是,10001',
].join('\n');

const products = (home: string) =>
  (JSON.parse(till(home, ['products', 'list', '--all', '--json']).stdout) as Array<Record<string, unknown>>).map(({ id: _id, updatedAt: _u, ...rest }) => rest);

describe('till products export', () => {
  let home: string;
  beforeAll(() => {
    home = newHome();
    writeFileSync(join(home, 'catalog.csv'), CATALOG);
    expect(till(home, ['products', 'import', join(home, 'catalog.csv')]).code).toBe(0);
  });

  it('writes a CSV that imports back into another till as the same catalog', () => {
    const out = join(home, 'export.csv');
    const r = till(home, ['products', 'export', '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/Exported 4 products to .*export\.csv/);
    const other = newHome();
    const imported = till(other, ['products', 'import', out]);
    expect(imported.code).toBe(0);
    expect(imported.stderr).toMatch(/4 added/);
    expect(products(other)).toEqual(products(home));
  });

  it('neutralises cells that Excel would run as formulas, and leaves prices as numbers', () => {
    const csv = till(home, ['products', 'export']).stdout;
    const rows = parse(csv, { columns: true }) as Array<Record<string, string>>;
    const evil = rows.find((r) => r.barcode === '6933333333337')!;
    expect(evil.name).toBe(`'=HYPERLINK("http://evil.example";"点我")`);
    expect(evil.category).toBe("'@零食");
    expect(rows.find((r) => r.barcode === '6944444444447')!.name).toBe("'-20°C 冰淇淋");
    expect(rows.map((r) => r.price)).toEqual(['3.50', '9.90', '5.00', '12.80']);
    expect(rows[0]).toMatchObject({ barcode: '6901234567892|6920202888883', weighed: 'no', active: 'yes' });
  });

  it('writes GB18030 for Excel on Chinese Windows, and a BOM on request for UTF-8', () => {
    const gb = spawnSync(process.execPath, [BIN, 'products', 'export', '--encoding', 'gb18030'], { env: { ...process.env, TILL_HOME: home } });
    expect(gb.status).toBe(0);
    expect(gb.stdout.includes(Buffer.from('可口可乐', 'utf8'))).toBe(false);
    expect(iconv.decode(gb.stdout, 'gb18030')).toMatch(/可口可乐500ml,3\.50,瓶,饮料/);
    const bom = spawnSync(process.execPath, [BIN, 'products', 'export', '--bom'], { env: { ...process.env, TILL_HOME: home } });
    expect([...bom.stdout.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bom.stdout.subarray(3).toString('utf8')).toMatch(/^barcode,name,price/);
  });

  it('writes JSON and NDJSON with amounts in fen, the format taken from the file name', () => {
    const out = join(home, 'catalog.json');
    expect(till(home, ['products', 'export', '-o', out]).code).toBe(0);
    const json = JSON.parse(readFileSync(out, 'utf8'));
    expect(json).toHaveLength(4);
    expect(json[0]).toMatchObject({ name: '可口可乐500ml', priceFen: 350, barcodes: ['6901234567892', '6920202888883'] });
    const nd = till(home, ['products', 'export', '--format', 'ndjson']).stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(nd.map((p) => p.priceFen)).toEqual([350, 990, 500, 1280]);
  });

  it('refuses a BOM or GB18030 for JSON as a usage error, writing nothing', () => {
    const out = join(home, 'x.json');
    const r = till(home, ['products', 'export', '-o', out, '--encoding', 'gb18030']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--encoding gb18030 and --bom are for CSV; JSON is always UTF-8/);
    expect(existsSync(out)).toBe(false);
  });

  it('stops quietly when the reader closes the pipe early', () => {
    const big = newHome();
    const rows = Array.from({ length: 20_000 }, (_, i) => `X${i},商品${i},1`).join('\n');
    writeFileSync(join(big, 'big.csv'), 'barcode,name,price\n' + rows);
    expect(till(big, ['products', 'import', join(big, 'big.csv')]).code).toBe(0);
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" products export | head -n 2`], { env: { ...process.env, TILL_HOME: big }, encoding: 'utf8' });
    expect(r.stdout).toBe('barcode,name,price,unit,category,weighed,plu,active,pinyin,id,updated_at\nX0,商品0,1.00,,,no,,yes,sp0,1,' + r.stdout.split('\n')[1].split(',').pop() + '\n');
    expect(r.stderr).toBe('');
  });
});

describe('till export sales', () => {
  let home: string;
  beforeAll(() => {
    home = newHome();
    const db = openDatabase(dbPath(home));
    const cashier = { cashierId: '1', cashierName: '@admin' };
    recordSale(
      db,
      {
        ...cashier,
        lines: [
          { productId: 1, barcode: '6901234567892', name: '可口可乐500ml', qty: 2, qtyGrams: null, unitPriceFen: 350 },
          { productId: 2, barcode: null, name: '=散装苹果', qty: 1, qtyGrams: 1250, unitPriceFen: 1280, discountFen: 100 },
        ],
        tenders: [
          { method: 'wechat', tenderedFen: 1000, reference: '134567890123456789' },
          { method: 'cash', tenderedFen: 2000 },
        ],
      },
      new Date(2026, 10, 25, 10, 0),
    );
    recordSale(db, { ...cashier, lines: [{ productId: 1, barcode: '6901234567892', name: '可口可乐500ml', qty: 1, qtyGrams: null, unitPriceFen: 350 }], tenders: [{ method: 'cash', tenderedFen: 350 }] }, new Date(2026, 10, 26, 9, 30));
    recordSale(db, { ...cashier, lines: [{ productId: 1, barcode: '6901234567892', name: '可口可乐500ml', qty: 3, qtyGrams: null, unitPriceFen: 350 }], tenders: [{ method: 'card', tenderedFen: 1050 }] }, new Date(2026, 10, 26, 21, 0));
    db.close();
  });

  const csv = (args: string[]) => {
    const r = till(home, ['export', 'sales', ...args]);
    expect(r.code, r.stderr).toBe(0);
    return parse(r.stdout, { columns: true }) as Array<Record<string, string>>;
  };

  it('writes a row per sale of the period, amounts in yuan', () => {
    const all = csv([]);
    expect(all.map((s) => s.total)).toEqual(['22.00', '3.50', '10.50']);
    const day = csv(['--from', '2026-11-26', '--to', '2026-11-26']);
    expect(day).toHaveLength(2);
    expect(day[0]).toMatchObject({ date: '2026-11-26', status: 'completed', items: '1', total: '3.50', paid: '3.50', payments: 'cash 3.50', cashier_name: "'@admin", sync: 'pending' });
    expect(day[0].receipt_no).toMatch(/^S001-T01-20261126-0001$/);
  });

  it('writes a row per line, with weights and discounts', () => {
    const lines = csv(['--rows', 'lines', '--to', '2026-11-25']);
    expect(lines.map((l) => [l.line_no, l.name, l.qty, l.weight_kg, l.unit_price, l.discount, l.line_total])).toEqual([
      ['1', '可口可乐500ml', '2', '', '3.50', '0.00', '7.00'],
      ['2', "'=散装苹果", '1', '1.250', '12.80', '1.00', '15.00'],
    ]);
    expect(lines[1].receipt_no).toBe(lines[0].receipt_no);
  });

  it('writes a row per payment, with change and references', () => {
    const pays = csv(['--rows', 'payments', '--from', '2026-11-25', '--to', '2026-11-25']);
    expect(pays.map((p) => [p.method, p.amount, p.tendered, p.change, p.reference])).toEqual([
      ['wechat', '10.00', '10.00', '0.00', '134567890123456789'],
      ['cash', '12.00', '20.00', '8.00', ''],
    ]);
  });

  it('writes whole sales as JSON and lines as NDJSON, in fen', () => {
    const sales = JSON.parse(till(home, ['export', 'sales', '--format', 'json']).stdout);
    expect(sales.map((s: { totalFen: number }) => s.totalFen)).toEqual([2200, 350, 1050]);
    expect(sales[0].lines[1]).toMatchObject({ name: '=散装苹果', qtyGrams: 1250, lineTotalFen: 1500 });
    expect(sales[0].payments[1]).toMatchObject({ method: 'cash', amountFen: 1200, changeFen: 800 });
    const lines = till(home, ['export', 'sales', '--rows', 'lines', '--format', 'ndjson']).stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.lineTotalFen)).toEqual([700, 1500, 350, 1050]);
    expect(lines[0].receiptNo).toBe(sales[0].receiptNo);
  });

  it('refuses a date that is not one', () => {
    const r = till(home, ['export', 'sales', '--from', '2026-13-01']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--from: "2026-13-01" is not a day of the calendar; type it as YYYY-MM-DD/);
  });
});
