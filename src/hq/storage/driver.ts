// The one seam between HQ's logic (src/hq/store.ts) and its two databases. HQ writes its SQL
// once, with `?` placeholders and the subset both SQLite and PostgreSQL speak; a driver runs it.
// What differs lives in the drivers: connection, transactions, row locks, migrations, types.

export type Dialect = 'sqlite' | 'postgres';

export interface Queryable {
  readonly dialect: Dialect;
  all<T>(sql: string, params?: unknown[]): Promise<T[]>;
  get<T>(sql: string, params?: unknown[]): Promise<T | undefined>;
  /** Runs a statement; resolves to the number of rows it changed. */
  run(sql: string, params?: unknown[]): Promise<number>;
}

export interface SqlDriver extends Queryable {
  /** Where the data lives, for people (a file path, or the URL without its password). */
  readonly location: string;
  /**
   * Runs `fn` in one transaction: COMMIT (durable: SQLite synchronous=FULL, PostgreSQL
   * synchronous_commit) when it resolves, ROLLBACK when it throws. Writers that must see a
   * stable row lock it with `forUpdate(q)`.
   */
  /** Prepares the database before migrations (PostgreSQL: creates the configured schema). */
  init?(): Promise<void>;
  transaction<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** ` FOR UPDATE` on PostgreSQL; SQLite's write transactions already hold the only write lock. */
export function forUpdate(q: Queryable): string {
  return q.dialect === 'postgres' ? ' FOR UPDATE' : '';
}

/** `(?, ?, …), (…)` for a multi-row INSERT of `rows` rows of `cols` columns. */
export function valuesList(rows: number, cols: number): string {
  const one = `(${Array(cols).fill('?').join(', ')})`;
  return Array(rows).fill(one).join(', ');
}

/** The database is unreachable or refused us: HQ answers 503 and the till retries. */
export class StorageUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StorageUnavailableError';
  }
}

/** A UNIQUE/PRIMARY KEY violation from either database (a concurrent edit won the race). */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
