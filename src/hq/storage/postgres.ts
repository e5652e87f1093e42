// PostgreSQL driver: a pg pool. Several HQ instances may share one database: writers lock the
// rows they depend on (`SELECT … FOR UPDATE`), and a transaction that loses a deadlock or a
// serialization race is retried whole. int8/numeric come back as JS numbers (money is integer
// fen; counts and sums stay far below 2^53, and a value beyond it is refused, never rounded).
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Queryable, SqlDriver } from './driver.js';
import { StorageUnavailableError } from './driver.js';

const INT8 = 20;
const NUMERIC = 1700;

function toSafeNumber(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new Error(`HQ read a number beyond 2^53 from PostgreSQL (${text})`);
  return n;
}

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8 || oid === NUMERIC) return toSafeNumber;
    return pg.types.getTypeParser(oid, format ?? 'text');
  },
};

const RETRYABLE = new Set(['40001', '40P01']); // serialization_failure, deadlock_detected

/** Errors that mean "the database is not there right now" rather than "this request is wrong". */
export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  if (!e) return false;
  if (typeof e.code === 'string' && (/^(08|53|57P0)/.test(e.code) || ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH'].includes(e.code))) return true;
  return /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED/i.test(e.message ?? '');
}

export interface PostgresOptions {
  /** Connections in this instance's pool (default 10). */
  poolSize?: number;
  /** Use this schema (created if missing) instead of the URL's default search_path. */
  schema?: string;
}

export class PostgresDriver implements SqlDriver {
  readonly dialect = 'postgres' as const;
  readonly location: string;
  private readonly pool: pg.Pool;
  private readonly texts = new Map<string, { text: string; name?: string }>();
  private readonly direct: Queryable;
  private readonly schema?: string;

  constructor(url: string, opts: PostgresOptions = {}) {
    this.location = redact(url);
    this.pool = new pg.Pool({
      connectionString: url,
      max: opts.poolSize ?? 10,
      types,
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 30_000,
      ...(opts.schema ? { options: `-c search_path=${quoteIdent(opts.schema)}` } : {}),
    });
    this.schema = opts.schema;
    // An idle client losing its connection must not crash HQ; the next query reconnects.
    this.pool.on('error', () => undefined);
    this.direct = this.queryable(this.pool);
  }

  /**
   * `?` placeholders → `$1, $2, …` (HQ's SQL never has a literal question mark), and a name
   * for data statements: each connection then parses and plans them once, not per batch.
   */
  private text(sql: string): { text: string; name?: string } {
    let t = this.texts.get(sql);
    if (!t) {
      let i = 0;
      const text = sql.replace(/\?/g, () => `$${++i}`);
      const name = /^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b/i.test(sql) ? `hq_${createHash('sha1').update(text).digest('hex').slice(0, 20)}` : undefined;
      t = { text, name };
      if (this.texts.size > 500) this.texts.clear();
      this.texts.set(sql, t);
    }
    return t;
  }

  private queryable(on: pg.Pool | pg.PoolClient, send: (sql: string, params: unknown[]) => Promise<pg.QueryResult> = (sql, params) => on.query({ ...this.text(sql), values: params })): Queryable {
    const exec = async (sql: string, params: unknown[] = []) => {
      try {
        return await send(sql, params);
      } catch (err) {
        if (isConnectionError(err)) throw new StorageUnavailableError(`PostgreSQL at ${this.location} is unreachable: ${(err as Error).message}`);
        throw err;
      }
    };
    return {
      dialect: 'postgres',
      all: async <T>(sql: string, params?: unknown[]) => (await exec(sql, params)).rows as T[],
      get: async <T>(sql: string, params?: unknown[]) => (await exec(sql, params)).rows[0] as T | undefined,
      run: async (sql: string, params?: unknown[]) => (await exec(sql, params)).rowCount ?? 0,
    };
  }

  /** Creates the schema named in the options, if any (several instances may race here). */
  async init(): Promise<void> {
    if (!this.schema) return;
    try {
      await this.direct.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(this.schema)}`);
    } catch (err) {
      if (!['23505', '42P06'].includes((err as { code?: string }).code ?? '')) throw err;
    }
  }

  all<T>(sql: string, params?: unknown[]): Promise<T[]> {
    return this.direct.all<T>(sql, params);
  }

  get<T>(sql: string, params?: unknown[]): Promise<T | undefined> {
    return this.direct.get<T>(sql, params);
  }

  run(sql: string, params?: unknown[]): Promise<number> {
    return this.direct.run(sql, params);
  }

  async transaction<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let client: pg.PoolClient;
      try {
        client = await this.pool.connect();
      } catch (err) {
        // A refusal (no such database, bad password) is not an outage: the caller says so.
        if (!isConnectionError(err) && (err as { code?: string }).code) throw err;
        throw new StorageUnavailableError(`PostgreSQL at ${this.location} is unreachable: ${(err as Error).message}`);
      }
      let broken = false;
      // BEGIN travels with the transaction's first statement when that one can be sent as
      // plain SQL (its parameters are numbers or simple tokens such as a hex hash): one round
      // trip fewer per transaction — an upload batch is then BEGIN+lock, INSERT, COMMIT.
      let begun = false;
      const send = async (sql: string, params: unknown[]): Promise<pg.QueryResult> => {
        if (!begun) {
          begun = true;
          const inline = inlineLiterals(this.text(sql).text, params);
          if (inline !== null) {
            const results = (await client.query(`BEGIN; ${inline}`)) as unknown as pg.QueryResult[];
            return results[1];
          }
          await client.query('BEGIN');
        }
        return client.query({ ...this.text(sql), values: params });
      };
      try {
        const result = await fn(this.queryable(client, send));
        if (begun) await client.query('COMMIT');
        return result;
      } catch (err) {
        broken = err instanceof StorageUnavailableError || isConnectionError(err);
        if (!broken && begun) await client.query('ROLLBACK').catch(() => (broken = true));
        const code = (err as { code?: string }).code;
        if (!broken && code && RETRYABLE.has(code) && attempt < 5) continue;
        if (broken && !(err instanceof StorageUnavailableError)) {
          throw new StorageUnavailableError(`PostgreSQL at ${this.location} failed mid-transaction: ${(err as Error).message}`);
        }
        throw err;
      } finally {
        client.release(broken);
      }
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/**
 * `$n` placeholders replaced by literals when every value is a safe integer or a string of
 * letters, digits and - _ . : (nothing that could end or escape a quoted literal); else null.
 */
export function inlineLiterals(text: string, params: unknown[]): string | null {
  const literals: string[] = [];
  for (const p of params) {
    if (typeof p === 'number' && Number.isSafeInteger(p)) literals.push(String(p));
    else if (typeof p === 'string' && /^[A-Za-z0-9_.:-]*$/.test(p)) literals.push(`'${p}'`);
    else return null;
  }
  return text.replace(/\$(\d+)/g, (_m, n: string) => literals[Number(n) - 1]);
}

export function quoteIdent(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) throw new Error(`"${name}" is not a valid schema name (letters, digits and _)`);
  return `"${name}"`;
}

/** The URL without its password, for messages. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}
