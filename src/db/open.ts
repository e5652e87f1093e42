// Opens the till's SQLite database with the pragmas DESIGN.md fixes and runs migrations.
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, accessSync, constants } from 'node:fs';
import { dirname } from 'node:path';
import { createRequire } from 'node:module';
import { UserError } from '../errors.js';
import { migrate } from './migrations.js';

export type DB = Database.Database;

const nodeRequire = createRequire(import.meta.url);

export interface OpenOptions {
  /** Create the file if missing (only `till init` and tests do this). */
  create?: boolean;
  readonly?: boolean;
}

export function openDatabase(file: string, opts: OpenOptions = {}): DB {
  if (file !== ':memory:') {
    if (!existsSync(file)) {
      if (!opts.create) {
        throw new UserError(`No till database at ${file}. Run \`till init --store <code> --till <code>\` first, or point --home / TILL_HOME at an existing till.`, 'E_NOT_INITIALISED');
      }
      mkdirSync(dirname(file), { recursive: true });
    } else if (!opts.readonly) {
      try {
        accessSync(file, constants.W_OK);
        accessSync(dirname(file), constants.W_OK);
      } catch {
        throw new UserError(`The till database ${file} (or its folder) is read-only; fix its permissions or use another --home.`, 'E_READONLY');
      }
    }
  }
  let db: DB;
  try {
    db = connect(file, { readonly: opts.readonly ?? false, fileMustExist: !opts.create });
    applyPragmas(db, opts.readonly ?? false);
    if (!opts.readonly) migrate(db);
  } catch (err) {
    const e = err as { code?: string; message?: string };
    if (e.code === 'SQLITE_NOTADB' || e.code === 'SQLITE_CORRUPT') {
      throw new UserError(`The till database ${file} is damaged or not a database (${e.message}); restore it from a backup.`, 'E_CORRUPT_DB');
    }
    if (e.code === 'SQLITE_READONLY' || e.code === 'SQLITE_CANTOPEN') {
      throw new UserError(`Cannot open the till database ${file} for writing (${e.message}); check its permissions.`, 'E_READONLY');
    }
    throw err;
  }
  return db;
}

/**
 * A bare better-sqlite3 connection (no pragmas, no migrations). Handing better-sqlite3 its
 * addon's path skips the `bindings` package's search (~3 ms a start) and lets the bundle carry
 * better-sqlite3's JavaScript with only the addon outside.
 */
export function connect(file: string, options: Database.Options = {}): DB {
  return new Database(file, { ...options, nativeBinding: nativeBinding() });
}

let binding: string | undefined | null = null;
function nativeBinding(): string | undefined {
  if (binding === null) {
    try {
      binding = nodeRequire.resolve('better-sqlite3/build/Release/better_sqlite3.node');
    } catch {
      binding = undefined;
    }
  }
  return binding;
}

export function applyPragmas(db: DB, readonly = false): void {
  if (!readonly) db.pragma('journal_mode = WAL');
  // better-sqlite3 leaves WAL at synchronous=NORMAL, which can roll back a committed sale on
  // power loss. A till must never lose a sale it printed a receipt for.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // Barcode lookups over a large catalog read pages at random: map the file and keep a
  // bigger page cache so a scan costs memory reads, not read() calls.
  db.pragma('mmap_size = 268435456');
  db.pragma('cache_size = -16384');
}

/**
 * The checkout's connection reads a handful of rows per scan and stays open all day: no memory
 * map (mapped catalog pages count against the till's memory, and grow with the catalog) and a
 * 2 MiB page cache keep its memory flat; a lookup stays in the tens of microseconds.
 */
export function useCheckoutPragmas(db: DB): void {
  db.pragma('mmap_size = 0');
  db.pragma('cache_size = -2048');
}

// Prepared statements cached per connection: preparing one per call costs time on the hot path
// and leaves native memory to the next major GC (the checkout's connection lives all day).
const statements = new WeakMap<DB, Map<string, Database.Statement>>();
export function stmt(db: DB, sql: string): Database.Statement {
  let m = statements.get(db);
  if (!m) statements.set(db, (m = new Map()));
  let s = m.get(sql);
  if (!s) m.set(sql, (s = db.prepare(sql)));
  return s;
}

/** Throws if the caller forgot to open a transaction around a multi-row write. */
export function assertInTransaction(db: DB, what: string): void {
  if (!db.inTransaction) throw new Error(`${what} must run inside a transaction`);
}
