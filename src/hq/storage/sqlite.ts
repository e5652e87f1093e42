// SQLite driver: one better-sqlite3 connection with the till's pragmas (WAL, synchronous=FULL:
// an acknowledged sale survives power loss). better-sqlite3 is synchronous, but HQ's logic is
// async (it must also run on PostgreSQL), so every use of the connection — a transaction with
// awaits inside, or a single read — takes a turn through one queue: no request can slip its
// statements into another's open transaction.
import type { Statement } from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { applyPragmas, connect, type DB } from '../../db/open.js';
import type { Queryable, SqlDriver } from './driver.js';

export class SqliteDriver implements SqlDriver {
  readonly dialect = 'sqlite' as const;
  private readonly db: DB;
  private readonly statements = new Map<string, Statement>();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly inner: Queryable;

  constructor(readonly location: string) {
    if (location !== ':memory:') mkdirSync(dirname(location), { recursive: true });
    this.db = connect(location);
    applyPragmas(this.db);
    const self = this;
    this.inner = {
      dialect: 'sqlite',
      all: async <T>(sql: string, params: unknown[] = []) => self.stmt(sql).all(...params) as T[],
      get: async <T>(sql: string, params: unknown[] = []) => self.stmt(sql).get(...params) as T | undefined,
      run: async (sql: string, params: unknown[] = []) => {
        const s = self.stmt(sql);
        return s.reader ? s.all(...params).length : s.run(...params).changes;
      },
    };
  }

  private stmt(sql: string): Statement {
    let s = this.statements.get(sql);
    if (!s) {
      // Multi-row INSERTs vary with the batch size: keep the cache bounded.
      if (this.statements.size > 500) this.statements.clear();
      this.statements.set(sql, (s = this.db.prepare(sql)));
    }
    return s;
  }

  /** Runs `fn` when every earlier user of the connection has finished. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  all<T>(sql: string, params?: unknown[]): Promise<T[]> {
    return this.exclusive(() => this.inner.all<T>(sql, params));
  }

  get<T>(sql: string, params?: unknown[]): Promise<T | undefined> {
    return this.exclusive(() => this.inner.get<T>(sql, params));
  }

  run(sql: string, params?: unknown[]): Promise<number> {
    return this.exclusive(() => this.inner.run(sql, params));
  }

  transaction<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(this.inner);
        this.db.exec('COMMIT');
        return result;
      } catch (err) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw err;
      }
    });
  }

  async close(): Promise<void> {
    await this.exclusive(async () => {
      if (this.db.open) this.db.close();
    });
  }
}
