// `till hq products import`: the till's CSV parser feeding HQ's catalog. Good rows are taken in
// one transaction, bad rows are reported with their line (and kept in a rejects file), a dry
// run writes nothing, importing the same file again changes nothing, and the tills receive the
// result on their next pull. Runs against SQLite and PostgreSQL.
import { readFileSync, writeFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withCheckDigit } from '../../src/core/barcode.js';
import { importHqProducts } from '../../src/hq/import.js';
import type { HqStore } from '../../src/hq/store.js';
import { till } from '../helpers/till.js';
import { STORAGES, createTestDb, type TestDb } from './helpers.js';

const CSV = ['条码,名称,售价,单位,分类', '6901234567892,可口可乐 500ml,3.5,瓶,饮料', '6901234567890,坏条码,2,个,', '6924743915763,乐事薯片,¥8.50,袋,零食', ',无码商品,1,个,'].join('\r\n');

describe.each(STORAGES)('HQ products import on %s', (kind) => {
  let tdb: TestDb;
  let hq: HqStore;
  beforeAll(async () => {
    tdb = await createTestDb(kind);
    hq = await tdb.open();
    await hq.addStore('S001', '一号店');
    await hq.addStore('S002', '二号店');
  });
  afterAll(async () => {
    await hq?.close();
    await tdb?.drop();
  });

  it('a dry run reports and writes nothing', async () => {
    const file = `${tdb.home}/dry.csv`;
    writeFileSync(file, CSV);
    const s = await importHqProducts(hq, file, { dryRun: true, rejectsPath: `${tdb.home}/dry.rejects.csv` });
    expect(s).toMatchObject({ dryRun: true, rows: 4, added: 2, rejected: 2, rejectsFile: null });
    expect(await hq.catalog.list()).toEqual([]);
    expect((await hq.catalog.state()).version).toBe(0);
  });

  it('takes the good rows, rejects the bad ones with their line, and the tills can pull them', async () => {
    const file = `${tdb.home}/catalog.csv`;
    writeFileSync(file, CSV);
    const s = await importHqProducts(hq, file, { rejectsPath: `${tdb.home}/catalog.rejects.csv` });
    expect(s).toMatchObject({ rows: 4, added: 2, updated: 0, unchanged: 0, rejected: 2 });
    expect(s.rejects.map((r) => r.line)).toEqual([3, 5]);
    expect(s.rejects[0].reason).toMatch(/check digit/);
    const rejects = readFileSync(s.rejectsFile!, 'utf8');
    expect(rejects.split(/\r?\n/)[0]).toBe('line,reason,条码,名称,售价,单位,分类');
    expect(rejects).toContain('6901234567890,坏条码');
    const page = await hq.catalog.page('S002', 0, 100);
    expect(page.changes.map((c) => (c.op === 'upsert' ? [c.product.name, c.product.priceFen, c.product.unit] : c.op))).toEqual([
      ['可口可乐 500ml', 350, '瓶'],
      ['乐事薯片', 850, '袋'],
    ]);
  });

  it('importing the same file again changes nothing; a changed price is one update', async () => {
    const file = `${tdb.home}/catalog.csv`;
    const { version } = await hq.catalog.state();
    expect(await importHqProducts(hq, file)).toMatchObject({ added: 0, updated: 0, unchanged: 2 });
    expect((await hq.catalog.page('S001', version, 100)).changes).toEqual([]);
    writeFileSync(file, CSV.replace('可口可乐 500ml,3.5', '可口可乐 500ml,3.8'));
    expect(await importHqProducts(hq, file)).toMatchObject({ added: 0, updated: 1, unchanged: 1 });
    const changes = (await hq.catalog.page('S001', version, 100)).changes;
    expect(changes.map((c) => (c.op === 'upsert' ? c.product.priceFen : c.op))).toEqual([380]);
  });

  it('GB18030 files from Excel and products for one store', async () => {
    const file = `${tdb.home}/gbk.csv`;
    writeFileSync(file, iconv.encode('条码,名称,售价\r\n6902538004045,二号店专供酸奶,6.5\r\n', 'gb18030'));
    const s = await importHqProducts(hq, file, { storeCode: 'S002' });
    expect(s).toMatchObject({ encoding: 'gb18030', added: 1, rejected: 0 });
    const names = async (store: string) => (await hq.catalog.page(store, 0, 100)).changes.map((c) => (c.op === 'upsert' ? c.product.name : ''));
    expect(await names('S002')).toContain('二号店专供酸奶');
    expect(await names('S001')).not.toContain('二号店专供酸奶');
  });

  it('a row HQ refuses goes to the rejects file with its cells, in line order with the rows the parser refused', async () => {
    const [a, b, c] = ['690777000001', '690777000002', '690777000003'].map(withCheckDigit);
    const file = `${tdb.home}/clash.csv`;
    writeFileSync(file, ['条码,名称,售价,单位', `${a},甲,1,个`, `${b},乙,2,个`].join('\n'));
    expect(await importHqProducts(hq, file)).toMatchObject({ added: 2, rejected: 0 });
    // A row cannot join two products' barcodes; the next row's code has a wrong check digit.
    writeFileSync(file, ['条码,名称,售价,单位', `${a}|${b},甲乙合并,5,个`, '6901234567890,坏码,1,个', `${c},丙,3,瓶`].join('\n'));
    const s = await importHqProducts(hq, file, { rejectsPath: `${tdb.home}/clash.rejects.csv` });
    expect(s).toMatchObject({ rows: 3, added: 1, rejected: 2 });
    expect(s.rejects.map((r) => r.line)).toEqual([2, 3]);
    expect(s.rejects[0].reason).toMatch(new RegExp(`Barcode ${b} already belongs to HQ product #\\d+ 乙`));
    const lines = readFileSync(s.rejectsFile!, 'utf8').trim().split(/\r?\n/);
    expect(lines[1]).toMatch(new RegExp(`^2,.*,"?${a}\\|${b}"?,甲乙合并,5\\.00,个$`));
    expect(lines[2]).toMatch(/^3,.*,6901234567890,坏码,1,个$/);
  });

  it('a file that breaks off half-way changes nothing: the catalog takes all of its rows or none', async () => {
    const { version } = await hq.catalog.state();
    const file = `${tdb.home}/broken.csv`;
    const good = Array.from({ length: 5_100 }, (_, i) => `${withCheckDigit(`69800${String(i).padStart(7, '0')}`)},商品${i},1`);
    writeFileSync(file, ['barcode,name,price', ...good, '"6920202888883,never closed,1'].join('\n'));
    await expect(importHqProducts(hq, file)).rejects.toThrow(/line 5102: a quoted field that never ends/);
    expect((await hq.catalog.state()).version).toBe(version);
    expect((await hq.catalog.page('S001', version, 10)).changes).toEqual([]);
  });

  it('the command exits 3 when rows were rejected and 1 when the file cannot be read', () => {
    const file = `${tdb.home}/cli.csv`;
    writeFileSync(file, CSV);
    const r = till(tdb.home, ['hq', 'products', 'import', file, '--db', tdb.db]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/line 3: barcode 6901234567890 has a wrong check digit/);
    expect(r.stderr.trim().split('\n').at(-1)).toBe(`till: 2 of 4 rows were rejected; they are listed in ${tdb.home}/cli.rejects.csv.`);
    const missing = till(tdb.home, ['hq', 'products', 'import', `${tdb.home}/nope.csv`, '--db', tdb.db]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    const store = till(tdb.home, ['hq', 'products', 'import', file, '--store', 'S404', '--db', tdb.db]);
    expect(store.code).toBe(1);
    expect(store.stderr).toMatch(/No store S404/);
  });
});
