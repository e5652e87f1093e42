import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, migrations } from '../../src/db/migrations.js';
import { openDatabase, type DB } from '../../src/db/open.js';

let db: DB;
afterEach(() => db?.close());

describe('migrations', () => {
  it('applies every numbered migration once, at open', () => {
    db = openDatabase(':memory:', { create: true });
    const versions = (db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as Array<{ version: number }>).map((r) => r.version);
    expect(versions).toEqual(Object.keys(migrations).map(Number).sort((a, b) => a - b));
    migrate(db); // opening again changes nothing
    expect(db.prepare('SELECT count(*) AS n FROM schema_migrations').get()).toEqual({ n: versions.length });
  });

  it('still applies a migration numbered below one already applied (feature ranges land in any order)', () => {
    db = openDatabase(':memory:', { create: true });
    const late = 9_999;
    const early = 9_998;
    migrations[late] = 'CREATE TABLE late_feature (id INTEGER PRIMARY KEY);';
    try {
      migrate(db);
      migrations[early] = 'CREATE TABLE early_feature (id INTEGER PRIMARY KEY);';
      migrate(db);
      const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%_feature'").all() as Array<{ name: string }>).map((r) => r.name).sort();
      expect(tables).toEqual(['early_feature', 'late_feature']);
    } finally {
      delete migrations[late];
      delete migrations[early];
    }
  });

  it('leaves no trace of a migration that fails half-way', () => {
    db = openDatabase(':memory:', { create: true });
    migrations[9_997] = 'CREATE TABLE half (id INTEGER); INSERT INTO no_such_table VALUES (1);';
    try {
      expect(() => migrate(db)).toThrow(/no such table/);
      expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'half'").get()).toEqual({ n: 0 });
      expect(db.prepare('SELECT count(*) AS n FROM schema_migrations WHERE version = 9997').get()).toEqual({ n: 0 });
    } finally {
      delete migrations[9_997];
    }
  });
});

describe('upgrading a till made before the migration ledger', () => {
  it('keeps its data and applies only the migrations it lacks', () => {
    // What such a database looked like: migrations up to 20 run, user_version = 20, no ledger.
    const raw = new Database(':memory:');
    const old = Object.keys(migrations).map(Number).filter((n) => n <= 20).sort((a, b) => a - b);
    for (const n of old) raw.exec(migrations[n]);
    raw.pragma('user_version = 20');
    raw.prepare("INSERT INTO settings (key, value) VALUES ('store.code', 'S001')").run();
    db = raw;
    migrate(db);
    expect(db.prepare("SELECT value FROM settings WHERE key = 'store.code'").get()).toEqual({ value: 'S001' });
    const versions = (db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as Array<{ version: number }>).map((r) => r.version);
    expect(versions).toEqual(Object.keys(migrations).map(Number).sort((a, b) => a - b));
  });
});

describe('migration 31: PLU unique only where there is one', () => {
  it('keeps every product and barcode of an existing till, still refuses a repeated PLU, and finds a PLU by its index', () => {
    const raw = new Database(':memory:');
    raw.pragma('foreign_keys = ON');
    raw.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
    for (const n of Object.keys(migrations).map(Number).filter((v) => v < 31).sort((a, b) => a - b)) {
      raw.exec(migrations[n]);
      raw.prepare("INSERT INTO schema_migrations VALUES (?, 'then')").run(n);
    }
    raw.exec(`
      INSERT INTO products (id, name, price_fen, barcodes, updated_at) VALUES (1, '可乐', 300, '6901234567892', 'then');
      INSERT INTO product_barcodes (barcode, product_id) VALUES ('6901234567892', 1);
      INSERT INTO products (id, name, price_fen, weighed, plu, updated_at) VALUES (2, '苹果', 1280, 1, '10001', 'then');
    `);
    db = raw;
    migrate(db);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.prepare('SELECT b.barcode, p.name FROM product_barcodes b JOIN products p ON p.id = b.product_id').all()).toEqual([{ barcode: '6901234567892', name: '可乐' }]);
    expect(db.prepare('SELECT id, plu FROM products ORDER BY id').all()).toEqual([{ id: 1, plu: null }, { id: 2, plu: '10001' }]);
    expect(() => db.prepare("INSERT INTO products (name, price_fen, plu, updated_at) VALUES ('梨', 900, '10001', 'now')").run()).toThrow(/UNIQUE constraint failed: products.plu/);
    const plan = db.prepare('EXPLAIN QUERY PLAN SELECT name FROM products WHERE plu = ?').all('10001') as Array<{ detail: string }>;
    expect(plan.map((r) => r.detail).join(' ')).toMatch(/USING (COVERING )?INDEX products_plu/);
    // The reference from product_barcodes survived the rebuild: deleting a product still takes its codes.
    db.prepare('DELETE FROM products WHERE id = 1').run();
    expect(db.prepare('SELECT count(*) AS n FROM product_barcodes').get()).toEqual({ n: 0 });
  });
});
