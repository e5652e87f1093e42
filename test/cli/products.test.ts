// The admin CLI as a store owner uses it: the real built binary, a fresh home per test file.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, initTillHome, removeDir, tempDir, till } from '../helpers/till.js';

let home: string;
beforeAll(() => {
  home = initTillHome();
});
afterAll(() => removeDir(home));

describe('till init', () => {
  it('refuses to initialise a home twice and keeps the database', () => {
    expect(till(home, ['products', 'add', '--name', '矿泉水', '--price', '2', '--barcode', '6920152400777']).code).toBe(0);
    const again = till(home, ['init', '--store', 'S002', '--till', 'T09', '--admin-pin', '1234']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already holds till S001\/T01; nothing was changed/);
    expect(JSON.parse(till(home, ['products', 'show', '6920152400777', '--json']).stdout).name).toBe('矿泉水');
  });

  it('asks for a PIN it cannot prompt for with the option to pass', () => {
    const fresh = tempDir();
    const r = till(fresh, ['init', '--store', 'S1', '--till', 'T1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/pass --admin-pin/);
    removeDir(fresh);
  });

  it.each([
    [['--store', 'S-1', '--till', 'T1', '--admin-pin', '1234'], /store code must be 1 to 16 letters or digits/],
    [['--store', 'S1', '--till', 'T1', '--admin-pin', '12'], /PIN is 4 to 8 digits/],
  ])('rejects bad values %j', (args, message) => {
    const fresh = tempDir();
    const r = till(fresh, ['init', ...args]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    removeDir(fresh);
  });
});

describe('till products', () => {
  it('adds a product with a yuan price stored as fen, and several barcodes', () => {
    const r = till(home, ['products', 'add', '--name', '可口可乐500ml', '--price', '¥3.50', '--barcode', '6901234567892', '--barcode', '96385074', '--unit', '瓶', '--category', '饮料', '--json']);
    expect(r.code).toBe(0);
    const p = JSON.parse(r.stdout);
    expect(p).toMatchObject({ name: '可口可乐500ml', priceFen: 350, pinyin: 'kkkl500ml', barcodes: ['6901234567892', '96385074'] });
    expect(JSON.parse(till(home, ['products', 'show', '96385074', '--json']).stdout).id).toBe(p.id);
  });

  it('finds products by pinyin initials, name and barcode prefix', () => {
    till(home, ['products', 'add', '--name', '康师傅红烧牛肉面', '--price', '4.5', '--barcode', withCheck('690000000001')]);
    const search = (q: string) => JSON.parse(till(home, ['products', 'list', '--search', q, '--json']).stdout).map((p: { name: string }) => p.name);
    expect(search('kkkl')).toEqual(['可口可乐500ml']);
    expect(search('ksf')).toEqual(['康师傅红烧牛肉面']);
    expect(search('牛肉')).toEqual(['康师傅红烧牛肉面']);
    expect(search('690123')).toEqual(['可口可乐500ml']);
  });

  it('prints a table whose columns line up with Chinese names', () => {
    const out = till(home, ['products', 'list']).stdout.trimEnd().split('\n');
    const priceCol = (line: string) => {
      // Display column where the PRICE column ends: CJK counts two.
      let w = 0;
      for (const ch of line) w += /[\u4e00-\u9fff]/.test(ch) ? 2 : 1;
      return w;
    };
    const widths = out.map((l) => priceCol(l.slice(0, l.indexOf('PRICE') >= 0 ? l.indexOf('PRICE') + 5 : l.search(/\d+\.\d\d/) + l.match(/\d+\.\d\d/)![0].length)));
    expect(new Set(widths).size).toBe(1);
  });

  it('updates the price and barcodes and removes a product', () => {
    const up = till(home, ['products', 'update', '6901234567892', '--price', '3.8', '--remove-barcode', '96385074', '--json']);
    expect(up.code).toBe(0);
    expect(JSON.parse(up.stdout)).toMatchObject({ priceFen: 380, barcodes: ['6901234567892'] });
    expect(till(home, ['products', 'show', '96385074']).code).toBe(1);
    expect(till(home, ['products', 'remove', '6901234567892']).code).toBe(0);
    const gone = till(home, ['products', 'show', '6901234567892']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/No product with barcode or id "6901234567892"/);
  });

  it("refuses to change or remove a product from HQ's catalog, and says where to change it", () => {
    const code = withCheck('690000000077');
    expect(till(home, ['products', 'add', '--name', '统一绿茶', '--price', '3', '--barcode', code]).code).toBe(0);
    const db = new Database(join(home, 'till.db'));
    db.prepare('UPDATE products SET hq_id = 42 WHERE barcodes = ?').run(code);
    db.close();
    for (const args of [['update', code, '--price', '2.5'], ['remove', code]]) {
      const r = till(home, ['products', ...args]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/comes from HQ's catalog, so it cannot be (changed|removed) here; change it at HQ/);
    }
    expect(JSON.parse(till(home, ['products', 'show', code, '--json']).stdout).priceFen).toBe(300);
  });

  // A price that is no price is a bad option value: usage, exit 2. A barcode is checked where
  // products are written (the same rule as imports): exit 1.
  it.each([
    [['--name', 'x', '--price', '1', '--barcode', '6901234567893'], /wrong check digit \(the last digit should be 2\)/, 1],
    [['--name', 'x', '--price', '1.234', '--barcode', '6901234567892'], /more than two decimals/, 2],
    [['--name', 'x', '--price', 'abc'], /not a valid price/, 2],
    [['--name', 'x', '--price', '1e3'], /scientific notation/, 2],
    [['--name', 'x', '--price', '-1'], /cannot be negative/, 2],
    [['--name', 'x', '--price', '1', '--barcode', '6.90123E+12'], /scientific notation; format the column as text/, 1],
  ])('rejects bad input %j with one clear line and exit %i', (args, message, code) => {
    const r = till(home, ['products', 'add', ...args]);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace without --debug
  });

  it('refuses a barcode that already belongs to another product, writing nothing', () => {
    till(home, ['products', 'add', '--name', '雪碧', '--price', '3', '--barcode', withCheck('690000000002')]);
    const before = till(home, ['products', 'list', '--json']).stdout;
    const r = till(home, ['products', 'add', '--name', '芬达', '--price', '3', '--barcode', withCheck('690000000003'), '--barcode', withCheck('690000000002')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/already belongs to product #\d+ 雪碧/);
    expect(till(home, ['products', 'list', '--json']).stdout).toBe(before);
  });

  it('gives usage errors exit 2', () => {
    expect(till(home, ['products', 'add', '--price', '1']).code).toBe(2);
    expect(till(home, ['products', 'frobnicate']).code).toBe(2);
  });

  it('stops quietly when the reader of its output goes away (| head)', () => {
    const demo = tempDir();
    try {
      expect(till(demo, ['demo']).code).toBe(0); // ~2,000 products: far more JSON than a pipe holds
      const r = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" products list --json | head -c 20 >/dev/null; exit \${PIPESTATUS[0]}`], {
        encoding: 'utf8',
        env: { ...process.env, TILL_HOME: demo },
      });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    } finally {
      removeDir(demo);
    }
  });

  it('explains every command in the help, and `till help <command>` shows that command', () => {
    const all = till(home, ['--help']);
    expect(all.code).toBe(0);
    for (const name of ['init', 'products', 'sales', 'checkout', 'export', 'hq', 'sync', 'config']) expect(all.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    const one = till(home, ['help', 'products']);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/Usage: till products/);
  });
});

describe('a till that is missing, read-only or damaged', () => {
  it('says how to create a till when the home is missing', () => {
    const r = till(join(tempDir(), 'nowhere'), ['products', 'list']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/No till at .*till init --store/);
  });

  it('says the database is damaged instead of crashing', () => {
    const bad = tempDir();
    writeFileSync(join(bad, 'till.db'), 'this is not a database'.repeat(100));
    const r = till(bad, ['products', 'list']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/damaged or not a database.*restore it from a backup/);
    removeDir(bad);
  });

  it('says the database is read-only, and changes nothing', () => {
    const src = initTillHome();
    let ro = src;
    if (process.getuid?.() === 0) {
      // root ignores file modes: a read-only bind mount is what a root-run till would meet.
      ro = tempDir();
      execFileSync('mount', ['--bind', src, ro]);
      execFileSync('mount', ['-o', 'remount,bind,ro', ro]);
    } else {
      chmodSync(join(src, 'till.db'), 0o444);
    }
    try {
      const r = till(ro, ['products', 'add', '--name', 'x', '--price', '1']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/till\.db \(or its folder\) is read-only; fix its permissions/);
    } finally {
      if (ro !== src) execFileSync('umount', [ro]);
    }
    chmodSync(join(src, 'till.db'), 0o644);
    expect(JSON.parse(till(src, ['products', 'list', '--json']).stdout)).toEqual([]);
    removeDir(src);
  });
});

function withCheck(body: string): string {
  let sum = 0;
  for (let i = body.length - 1, w = 3; i >= 0; i--, w = w === 3 ? 1 : 3) sum += Number(body[i]) * w;
  return body + ((10 - (sum % 10)) % 10);
}
