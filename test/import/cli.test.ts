// `till products import` as an admin or a script uses it: exit codes, what it says, the rejects
// file, dry runs, standard input, re-runs, and an import killed half way.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { formatFen } from '../../src/core/money.js';
import { openDatabase } from '../../src/db/open.js';
import { demoCatalog } from '../../src/demo/catalog.js';
import { dbPath } from '../../src/home.js';
import { BIN, initTillHome, removeDir, till } from '../helpers/till.js';

const homes: string[] = [];
afterAll(() => homes.forEach(removeDir));

let home: string;
beforeEach(() => {
  home = initTillHome();
  homes.push(home);
});

const CATALOG = [
  '条码,名称,售价,单位,分类,称重,秤码',
  '6901234567892,可口可乐500ml,3.50,瓶,饮料,,',
  '6920202888883,"乐事薯片, 原味",7.9,袋,零食,,',
  '6933333333337,"康师傅""红烧""牛肉面",4.5,桶,方便食品,,',
  ',散装苹果,12.80,kg,生鲜,是,10001',
].join('\r\n');

function write(name: string, content: string | Buffer): string {
  const file = join(home, name);
  writeFileSync(file, content);
  return file;
}

const listJson = () => JSON.parse(till(home, ['products', 'list', '--all', '--json']).stdout);

describe('till products import', () => {
  it('imports a catalog, and importing it again changes nothing', () => {
    const file = write('catalog.csv', CATALOG);
    const first = till(home, ['products', 'import', file]);
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/4 rows — 4 added, 0 updated, 0 unchanged, 0 rejected/);
    const cola = JSON.parse(till(home, ['products', 'show', '6901234567892', '--json']).stdout);
    expect(cola).toMatchObject({ name: '可口可乐500ml', priceFen: 350, unit: '瓶', category: '饮料', pinyin: 'kkkl500ml' });
    expect(listJson().find((p: { plu: string }) => p.plu === '10001')).toMatchObject({ name: '散装苹果', weighed: true, priceFen: 1280 });
    expect(till(home, ['products', 'list', '--search', 'ksfhs', '--json']).stdout).toMatch(/康师傅\\"红烧\\"牛肉面/);

    const before = listJson();
    const again = till(home, ['products', 'import', file]);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/4 rows — 0 added, 0 updated, 4 unchanged, 0 rejected/);
    expect(listJson()).toEqual(before);
  });

  it('updates the products a file changes', () => {
    till(home, ['products', 'import', write('catalog.csv', CATALOG)]);
    const r = till(home, ['products', 'import', write('prices.csv', 'barcode,name,price\n6901234567892,可口可乐500ml,3.80\n')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/1 rows — 0 added, 1 updated/);
    expect(JSON.parse(till(home, ['products', 'show', '6901234567892', '--json']).stdout)).toMatchObject({ priceFen: 380, unit: '瓶', category: '饮料' });
  });

  it('takes the good rows, lists the bad ones with line and reason, and exits 3', () => {
    const file = write('supplier.csv', '条码,名称,售价\n6901234567892,可乐,3\n6901234567893,雪碧,3\n6920202888883,芬达,-2\n6933333333337,"百事, 罐装",3\n');
    const r = till(home, ['products', 'import', file]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/4 rows — 2 added, 0 updated, 0 unchanged, 2 rejected/);
    expect(r.stderr).toMatch(/line 3: barcode 6901234567893 has a wrong check digit \(the last digit should be 2\)/);
    expect(r.stderr).toMatch(/line 4: "-2" is not a valid price: a price cannot be negative/);
    expect(r.stderr).toMatch(/till: 2 of 4 rows were rejected; they are listed in .*supplier\.rejects\.csv/);
    const rejectsFile = join(home, 'supplier.rejects.csv');
    const rejects = readFileSync(rejectsFile, 'utf8');
    expect(rejects.split('\n')[0]).toBe('line,reason,条码,名称,售价');
    expect(rejects).toMatch(/^3,barcode 6901234567893 has a wrong check digit.*,6901234567893,雪碧,3$/m);
    expect(rejects).toMatch(/^4,"""-2"" is not a valid price: a price cannot be negative",6920202888883,芬达,-2$/m);

    // Fix the rejects file where it is and import it: the line/reason columns are ignored.
    writeFileSync(rejectsFile, rejects.replace('6901234567893,雪碧', '6944444444447,雪碧').replace('芬达,-2', '芬达,2'));
    const fixed = till(home, ['products', 'import', rejectsFile, '--rejects', join(home, 'again.csv')]);
    expect(fixed.code).toBe(0);
    expect(fixed.stderr).toMatch(/2 rows — 2 added, 0 updated, 0 unchanged, 0 rejected/);
    expect(fixed.stderr).toMatch(/Columns not imported: line, reason/);
    expect(listJson().map((p: { name: string }) => p.name).sort()).toEqual(['可乐', '百事, 罐装', '芬达', '雪碧'].sort());
  });

  it('removes a stale rejects file once the file imports cleanly', () => {
    const file = write('daily.csv', 'barcode,name,price\n6901234567893,雪碧,3\n');
    expect(till(home, ['products', 'import', file]).code).toBe(3);
    expect(existsSync(join(home, 'daily.rejects.csv'))).toBe(true);
    writeFileSync(file, 'barcode,name,price\n6901234567892,雪碧,3\n');
    expect(till(home, ['products', 'import', file]).code).toBe(0);
    expect(existsSync(join(home, 'daily.rejects.csv'))).toBe(false);
  });

  it('refuses a file it cannot read with exit 1 and imports nothing', () => {
    const cases: Array<[string, string | Buffer, RegExp]> = [
      ['report.csv', Buffer.from('%PDF-1.4\n%\xe2\xe3\n1 0 obj\n', 'latin1'), /report\.csv cannot be imported: this is a PDF document, not a CSV file/],
      ['empty.csv', '', /empty\.csv is empty/],
      ['header.csv', '条码,名称,售价\r\n', /header\.csv has a header but no product rows/],
      ['wrong.csv', '编号,描述,金额\n1,2,3\n', /no name or price column in the header \(编号, 描述, 金额\)/],
    ];
    for (const [name, content, message] of cases) {
      const r = till(home, ['products', 'import', write(name, content)]);
      expect(r.code, name).toBe(1);
      expect(r.stderr, name).toMatch(message);
      expect(r.stderr, name).not.toMatch(/at .*\.js:\d+/);
    }
    const missing = till(home, ['products', 'import', join(home, 'nope.csv')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/nope\.csv: no such file/);
    expect(listJson()).toEqual([]);
  });

  it('--dry-run says what would change and writes nothing', () => {
    till(home, ['products', 'import', write('catalog.csv', CATALOG)]);
    const before = listJson();
    const file = write('next.csv', 'barcode,name,price\n6901234567892,可口可乐500ml,4\n6944444444447,新品,5\n6955555555550,坏码,1\n');
    const r = till(home, ['products', 'import', file, '--dry-run']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/Dry run of .*next\.csv .*: 3 rows — would add 1, update 1; 0 unchanged, 1 rejected\. Nothing was written\./);
    expect(listJson()).toEqual(before);
    expect(existsSync(join(home, 'next.rejects.csv'))).toBe(false);
  });

  it('prints a summary object with --json and reads standard input with -', () => {
    const r = till(home, ['products', 'import', '-', '--json'], { input: 'barcode;name;price\n6901234567892;可乐;3\n' });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ file: 'stdin', encoding: 'utf-8', delimiter: ';', rows: 1, added: 1, rejected: 0, rejectsFile: null, dryRun: false });
  });

  it('detects a GB18030 file saved by Excel on Chinese Windows', () => {
    const file = write('gbk.csv', iconv.encode('条码,品名,零售价\r\n6901234567892,农夫山泉550ml,2.00\r\n', 'gb18030'));
    const r = till(home, ['products', 'import', file, '--json']);
    expect(JSON.parse(r.stdout)).toMatchObject({ encoding: 'gb18030', added: 1 });
    expect(listJson()[0].name).toBe('农夫山泉550ml');
  });

  // More rows than one commit window (50,000), so a stop lands between two commits.
  const bigCatalog = () => {
    const products = [...demoCatalog(70_000, { weighed: false })];
    const file = write('big.csv', 'barcode,name,price,unit,category\n' + products.map((p) => `${p.barcode},${p.name},${formatFen(p.priceFen)},${p.unit},${p.category}`).join('\n') + '\n');
    return { products, file };
  };

  /** Starts an import and sends `signal` once its first rows are committed. */
  async function interrupt(file: string, signal: NodeJS.Signals): Promise<{ code: number | null; stderr: string }> {
    const child = spawn(process.execPath, [BIN, 'products', 'import', file], { env: { ...process.env, TILL_HOME: home }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const db = openDatabase(dbPath(home), { readonly: true });
    const count = () => (db.prepare('SELECT count(*) AS n FROM products').get() as { n: number }).n;
    const deadline = Date.now() + 60_000;
    while (count() === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    child.kill(signal);
    const code = await exited;
    db.close();
    return { code, stderr };
  }

  it('stops at Ctrl-C after committing what it read, and says how to finish', async () => {
    const { products, file } = bigCatalog();
    const r = await interrupt(file, 'SIGINT');
    expect(r.code).toBe(130);
    const m = /Stopped after line (\d+); the rows up to it are imported\. Run the same import again to finish\./.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    const stoppedAt = Number(m![1]);
    const db = openDatabase(dbPath(home), { readonly: true });
    expect((db.prepare('SELECT count(*) AS n FROM products').get() as { n: number }).n).toBe(stoppedAt - 1);
    db.close();
    const rerun = JSON.parse(till(home, ['products', 'import', file, '--json']).stdout);
    expect(rerun).toMatchObject({ added: products.length - (stoppedAt - 1), unchanged: stoppedAt - 1, rejected: 0 });
  }, 120_000);

  it('leaves whole batches when killed half way, and running it again completes it', async () => {
    const { products, file } = bigCatalog();
    await interrupt(file, 'SIGKILL');
    const db = openDatabase(dbPath(home), { readonly: true });
    const count = () => (db.prepare('SELECT count(*) AS n FROM products').get() as { n: number }).n;

    const imported = count();
    expect(imported).toBeGreaterThan(0);
    expect(imported).toBeLessThan(products.length);
    // What is there is exactly the first rows of the file, each whole: name, price, barcode in
    // both barcode records.
    const codes = (db.prepare('SELECT b.barcode FROM product_barcodes b JOIN products p ON p.id = b.product_id AND p.barcodes = b.barcode ORDER BY p.id').all() as { barcode: string }[]).map((r) => r.barcode);
    expect(codes).toEqual(products.slice(0, imported).map((p) => p.barcode));
    db.close();

    const rerun = till(home, ['products', 'import', file, '--json']);
    expect(rerun.code).toBe(0);
    expect(JSON.parse(rerun.stdout)).toMatchObject({ rows: products.length, added: products.length - imported, unchanged: imported, rejected: 0 });
    const last = products[products.length - 1];
    expect(JSON.parse(till(home, ['products', 'show', last.barcode!, '--json']).stdout)).toMatchObject({ name: last.name, priceFen: last.priceFen });
    const third = till(home, ['products', 'import', file, '--json']);
    expect(JSON.parse(third.stdout)).toMatchObject({ added: 0, updated: 0, unchanged: products.length });
  }, 120_000);
});
