// Where HQ keeps its data: SQLite at <home>/hq.db unless --db names another file or a
// postgres:// URL. pg is loaded only when a URL asks for it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { SqliteDriver } from './storage/sqlite.js';
import { StorageUnavailableError, type SqlDriver } from './storage/driver.js';
import { HqStore, type HqStoreOptions } from './store.js';

export const HQ_DB_FILE = 'hq.db';

export interface OpenHqOptions extends HqStoreOptions {
  /** A file path, a postgres:// URL, or undefined for <home>/hq.db. */
  db?: string;
  home: string;
  /** PostgreSQL connections per instance. */
  poolSize?: number;
  /** PostgreSQL schema to use (created if missing); tests give each run its own. */
  schema?: string;
  /** Create a missing SQLite file (commands that set HQ up); reading commands refuse instead. */
  create?: boolean;
}

export function isPostgresUrl(db: string | undefined): db is string {
  return !!db && /^postgres(ql)?:\/\//i.test(db);
}

export async function openDriver(opts: OpenHqOptions): Promise<SqlDriver> {
  if (isPostgresUrl(opts.db)) {
    const { PostgresDriver } = await import('./storage/postgres.js');
    return new PostgresDriver(opts.db, { poolSize: opts.poolSize, schema: opts.schema });
  }
  const file = opts.db ?? join(opts.home, HQ_DB_FILE);
  if (opts.create === false && file !== ':memory:' && !existsSync(file)) {
    throw new UserError(
      opts.db
        ? `No HQ database at ${file}; check --db, or set HQ up with \`till hq stores add <code> --name <name> --db ${file}\`.`
        : `No HQ database in ${opts.home}; set HQ up with \`till hq stores add <code> --name <name>\` (or \`till hq serve\`), or point --home / --db at it.`,
      'E_HQ_DB',
    );
  }
  try {
    return new SqliteDriver(file);
  } catch (err) {
    const e = err as { code?: string; message?: string };
    throw new UserError(`Cannot open the HQ database ${file} (${e.message}); check the path and its permissions, or pass --db.`, 'E_HQ_DB');
  }
}

/** Opens (and migrates) HQ's storage; a database that cannot be reached is a UserError. */
export async function openHq(opts: OpenHqOptions): Promise<HqStore> {
  const driver = await openDriver(opts);
  try {
    return await HqStore.open(driver, opts);
  } catch (err) {
    await driver.close().catch(() => undefined);
    if (err instanceof StorageUnavailableError) throw new UserError(`${err.message}. Check the --db URL and that PostgreSQL is running.`, 'E_HQ_DB');
    const e = err as { code?: string; message?: string };
    if (e.code === 'SQLITE_NOTADB' || e.code === 'SQLITE_CORRUPT') throw new UserError(`The HQ database ${driver.location} is damaged or not a database (${e.message}); restore it from a backup.`, 'E_HQ_DB');
    if (e.code === '3D000' || e.code === '28000' || e.code === '28P01' || e.code === '42501') throw new UserError(`PostgreSQL refused HQ: ${e.message}. Check the database name, user and rights in --db.`, 'E_HQ_DB');
    if (/newer than this program/.test(e.message ?? '')) throw new UserError(`The HQ database ${driver.location}: ${e.message}.`, 'E_HQ_DB');
    throw err;
  }
}
