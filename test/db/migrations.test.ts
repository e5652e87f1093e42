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
