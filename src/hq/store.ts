// HQ's storage, written once over a SqlDriver (SQLite or PostgreSQL): stores and tills,
// enrollment and tokens, the exactly-once ingest of sales, reports. src/hq/server.ts serves it
// over HTTP; `till hq …` admin commands call it directly.
import { NotFoundError, UserError } from '../errors.js';
import { type EnrollResponse, type SyncState, type UploadRequest, type UploadResponse } from '../sync/protocol.js';
import { HqCatalog } from './catalog.js';
import { businessDay, examineSale, ruleBroken, type Examined } from './rules.js';
import { acceptQuarantined, DEFAULT_QUARANTINE_CAP, listQuarantine, putAside, storableText, type QuarantineQuery, type QuarantineRow } from './quarantine.js';
import { exactSum, exactSumColumns, type ExactFen } from './sums.js';
import type { WireSale } from '../sync/protocol.js';
import { forUpdate, isUniqueViolation, valuesList, type Queryable, type SqlDriver } from './storage/driver.js';
import { migrateHq } from './storage/migrations.js';
import { enrollCodeHash, newAdminToken, newEnrollCode, newTillToken, sha256 } from './tokens.js';

export interface TillPrincipal {
  tillId: number;
  storeCode: string;
  tillCode: string;
}

export type Principal = { kind: 'till'; till: TillPrincipal } | { kind: 'admin' };

/**
 * Something an operator should look at: a till re-sent a seq with different content
 * ('conflict'), or sent a sale HQ could not take ('rejected'). Both are in quarantine.
 */
export interface HqAlert {
  kind: 'conflict' | 'rejected';
  storeCode: string;
  tillCode: string;
  seq: number;
  quarantineId: number;
  message: string;
}

export interface StoreSummary {
  code: string;
  name: string;
  createdAt: string;
  tills: Array<{ code: string; enrolled: boolean; enrolledAt: string | null; hwm: number; lastUploadAt: string | null }>;
}

export interface HqSaleRow {
  saleId: string;
  receiptNo: string;
  storeCode: string;
  tillCode: string;
  seq: number;
  businessDate: string;
  createdAt: string;
  status: string;
  totalFen: number;
  itemCount: number;
  receivedAt: string;
}

export interface SalesQuery {
  storeCode?: string;
  tillCode?: string;
  /** Business days YYYY-MM-DD, inclusive. */
  from?: string;
  to?: string;
  limit?: number;
}

export interface ReportGroup {
  salesCount: number;
  /** Exact at any size: a number while safe, a bigint beyond 2^53 − 1 (src/hq/sums.ts). */
  totalFen: ExactFen;
}

export interface SalesReport extends ReportGroup {
  from: string | null;
  to: string | null;
  /** Completed sales only; voided ones are counted apart. */
  voidedCount: number;
  quarantinedCount: number;
  byStore: Array<ReportGroup & { storeCode: string }>;
  byTill: Array<ReportGroup & { storeCode: string; tillCode: string }>;
  byDay: Array<ReportGroup & { day: string }>;
}

export type { QuarantineRow } from './quarantine.js';

/** Raised to the HTTP layer as 401 enroll_code_invalid; the message says which problem. */
export class EnrollCodeError extends UserError {
  constructor(message: string) {
    super(message, 'E_ENROLL_CODE');
  }
}

const CODE_RE = /^[A-Za-z0-9_-]{1,16}$/;

function checkCode(code: string, what: 'store' | 'till'): string {
  const c = String(code ?? '').trim();
  if (!CODE_RE.test(c)) throw new UserError(`A ${what} code is 1–16 letters, digits, "-" or "_", got "${code}".`);
  return c;
}

export interface HqStoreOptions {
  now?: () => Date;
  onAlert?: (alert: HqAlert) => void;
  /** Plausibility cap per sale in fen (default ¥100,000; 0 = none): larger sales are quarantined. */
  maxSaleFen?: number;
  /** Stored quarantine rows per till (default 1000); beyond it uploads are counted, not stored. */
  quarantineCap?: number;
}

export class HqStore {
  readonly catalog: HqCatalog;
  private readonly now: () => Date;

  private constructor(
    readonly db: SqlDriver,
    private readonly opts: HqStoreOptions,
  ) {
    this.now = opts.now ?? (() => new Date());
    this.catalog = new HqCatalog(db, this.now);
  }

  /** Migrates the database and returns the store over it. */
  static async open(db: SqlDriver, opts: HqStoreOptions = {}): Promise<HqStore> {
    await db.init?.();
    await migrateHq(db);
    return new HqStore(db, opts);
  }

  close(): Promise<void> {
    return this.db.close();
  }

  private iso(): string {
    return this.now().toISOString();
  }

  // ---- stores and tills ---------------------------------------------------------------------

  async addStore(code: string, name: string): Promise<{ code: string; name: string; createdAt: string }> {
    const c = checkCode(code, 'store');
    const n = String(name ?? '').trim();
    if (!n || n.length > 100) throw new UserError('A store needs a name of 1–100 characters (--name).');
    const createdAt = this.iso();
    try {
      return await this.db.transaction(async (q) => {
        const exists = await q.get<{ name: string }>('SELECT name FROM hq_stores WHERE code = ?', [c]);
        if (exists) throw new UserError(`Store ${c} already exists (${exists.name}).`, 'E_DUPLICATE');
        await q.run('INSERT INTO hq_stores (code, name, created_at) VALUES (?, ?, ?)', [c, n, createdAt]);
        return { code: c, name: n, createdAt };
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new UserError(`Store ${c} already exists (added a moment ago).`, 'E_DUPLICATE');
      throw err;
    }
  }

  async listStores(): Promise<StoreSummary[]> {
    const stores = await this.db.all<{ code: string; name: string; created_at: string }>('SELECT code, name, created_at FROM hq_stores ORDER BY code');
    const tills = await this.db.all<{ store_code: string; code: string; token_hash: string | null; enrolled_at: string | null; hwm: number; last_upload_at: string | null }>(
      'SELECT store_code, code, token_hash, enrolled_at, hwm, last_upload_at FROM hq_tills ORDER BY store_code, code',
    );
    return stores.map((s) => ({
      code: s.code,
      name: s.name,
      createdAt: s.created_at,
      tills: tills
        .filter((t) => t.store_code === s.code)
        .map((t) => ({ code: t.code, enrolled: t.token_hash !== null, enrolledAt: t.enrolled_at, hwm: Number(t.hwm), lastUploadAt: t.last_upload_at })),
    }));
  }

  // ---- enrollment and tokens ----------------------------------------------------------------

  /**
   * A one-time code that enrolls till `tillCode` of `storeCode` (the till row is created if
   * new). Enrolling again replaces the till's token; its sales and hwm stay.
   */
  async createEnrollCode(
    storeCode: string,
    tillCode: string,
    ttlMinutes = 24 * 60,
  ): Promise<{ code: string; storeCode: string; tillCode: string; expiresAt: string; alreadyEnrolled: boolean }> {
    const s = checkCode(storeCode, 'store');
    const t = checkCode(tillCode, 'till');
    if (!Number.isInteger(ttlMinutes) || ttlMinutes < 1 || ttlMinutes > 30 * 24 * 60) throw new UserError('The code must expire in 1 minute to 30 days (--ttl).');
    const now = this.now();
    const expiresAt = new Date(now.getTime() + ttlMinutes * 60_000).toISOString();
    const code = newEnrollCode();
    const alreadyEnrolled = await this.db.transaction(async (q) => {
      const store = await q.get('SELECT code FROM hq_stores WHERE code = ?', [s]);
      if (!store) throw new NotFoundError(`No store ${s}; add it first with \`till hq stores add ${s} --name <name>\`.`);
      await q.run('INSERT INTO hq_tills (store_code, code, hwm, created_at) VALUES (?, ?, 0, ?) ON CONFLICT (store_code, code) DO NOTHING', [s, t, now.toISOString()]);
      const till = await q.get<{ id: number; token_hash: string | null }>('SELECT id, token_hash FROM hq_tills WHERE store_code = ? AND code = ?', [s, t]);
      await q.run('INSERT INTO hq_enroll_codes (code_hash, till_id, expires_at, created_at) VALUES (?, ?, ?, ?)', [enrollCodeHash(code), Number(till!.id), expiresAt, now.toISOString()]);
      return till!.token_hash !== null;
    });
    return { code, storeCode: s, tillCode: t, expiresAt, alreadyEnrolled };
  }

  /** Spends a one-time code: the till gets a new token (HQ keeps its hash). */
  async enroll(code: string): Promise<EnrollResponse> {
    const token = newTillToken();
    const now = this.iso();
    return this.db.transaction(async (q) => {
      const row = await q.get<{ till_id: number; expires_at: string; used_at: string | null }>(
        `SELECT till_id, expires_at, used_at FROM hq_enroll_codes WHERE code_hash = ?${forUpdate(q)}`,
        [enrollCodeHash(code)],
      );
      if (!row) throw new EnrollCodeError('HQ does not know this enrollment code; check it, or ask HQ for a new one (`till hq enroll-code --store <code> --till <code>`).');
      if (row.used_at) throw new EnrollCodeError(`This enrollment code was already used (${row.used_at}); ask HQ for a new one.`);
      if (row.expires_at <= now) throw new EnrollCodeError(`This enrollment code expired at ${row.expires_at}; ask HQ for a new one.`);
      await q.run('UPDATE hq_enroll_codes SET used_at = ? WHERE code_hash = ?', [now, enrollCodeHash(code)]);
      await q.run('UPDATE hq_tills SET token_hash = ?, enrolled_at = ? WHERE id = ?', [sha256(token), now, Number(row.till_id)]);
      const t = await q.get<{ store_code: string; code: string; name: string }>(
        'SELECT t.store_code, t.code, s.name FROM hq_tills t JOIN hq_stores s ON s.code = t.store_code WHERE t.id = ?',
        [Number(row.till_id)],
      );
      return { storeCode: t!.store_code, storeName: t!.name, tillCode: t!.code, token };
    });
  }

  /** A new admin token for the admin HTTP routes; earlier admin tokens stop working. */
  async rotateAdminToken(): Promise<string> {
    const token = newAdminToken();
    await this.db.transaction(async (q) => {
      await q.run('DELETE FROM hq_admin_tokens');
      await q.run('INSERT INTO hq_admin_tokens (token_hash, created_at) VALUES (?, ?)', [sha256(token), this.iso()]);
    });
    return token;
  }

  async authenticate(token: string): Promise<Principal | null> {
    if (!token || token.length > 200) return null;
    const hash = sha256(token);
    const till = await this.db.get<{ id: number; store_code: string; code: string }>('SELECT id, store_code, code FROM hq_tills WHERE token_hash = ?', [hash]);
    if (till) return { kind: 'till', till: { tillId: Number(till.id), storeCode: till.store_code, tillCode: till.code } };
    const admin = await this.db.get('SELECT token_hash FROM hq_admin_tokens WHERE token_hash = ?', [hash]);
    return admin ? { kind: 'admin' } : null;
  }

  // ---- sync ---------------------------------------------------------------------------------

  async syncState(till: TillPrincipal): Promise<SyncState> {
    const r = await this.db.get<{ hwm: number }>('SELECT hwm FROM hq_tills WHERE id = ?', [till.tillId]);
    if (!r) throw new NotFoundError(`Till ${till.storeCode}/${till.tillCode} is not known to HQ.`);
    return { storeCode: till.storeCode, tillCode: till.tillCode, hwm: Number(r.hwm) };
  }

  /**
   * Takes one upload batch in one transaction (DESIGN.md, "Sync"): duplicates (seq ≤ hwm) are
   * compared by content hash, seq hwm+1 is inserted or quarantined and advances hwm, a gap
   * stops the batch. Resolves only after COMMIT, with the hwm the till may mark as synced.
   */
  async ingest(till: TillPrincipal, items: UploadRequest['sales']): Promise<UploadResponse> {
    const r = await this.ingestWhere('id', till.tillId, items);
    if (!r) throw new NotFoundError(`Till ${till.storeCode}/${till.tillCode} is not known to HQ.`);
    return r.response;
  }

  /**
   * The same, for the till whose token this is: finding the till and locking its row is one
   * statement (a round trip fewer per batch). Resolves to null when no till has this token.
   */
  async ingestByToken(token: string, items: UploadRequest['sales']): Promise<{ till: TillPrincipal; response: UploadResponse } | null> {
    return this.ingestWhere('token_hash', sha256(token), items);
  }

  private async ingestWhere(
    column: 'id' | 'token_hash',
    key: number | string,
    items: UploadRequest['sales'],
  ): Promise<{ till: TillPrincipal; response: UploadResponse } | null> {
    // Hashing and validation are pure: do them before taking the till's lock.
    const prepared = items
      .map((item, i) => ({ seq: item.seq, tillHash: item.hash, i, e: examineSale(item.sale) }))
      .sort((a, b) => a.seq - b.seq || a.i - b.i);
    const receivedAt = this.iso();
    const alerts: HqAlert[] = [];
    const result = await this.db.transaction(async (q) => {
      const row = await q.get<{ id: number; store_code: string; code: string; hwm: number }>(
        `SELECT id, store_code, code, hwm FROM hq_tills WHERE ${column} = ?${forUpdate(q)}`,
        [key],
      );
      if (!row) return null;
      const till: TillPrincipal = { tillId: Number(row.id), storeCode: row.store_code, tillCode: row.code };
      let hwm = Number(row.hwm);
      const known = await this.knownHashes(q, till.tillId, [...new Set(prepared.filter((p) => p.seq <= hwm).map((p) => p.seq))]);
      const sales: Array<{ seq: number; sale: WireSale; e: Examined; tillHash: string }> = [];
      const quarantine: Array<{ seq: number; kind: 'rejected' | 'conflict'; reason: string; saleId: string | null; e: Examined; tillHash: string }> = [];
      let duplicates = 0;
      let expectedSeq: number | undefined;
      for (const p of prepared) {
        if (p.seq <= hwm) {
          const have = known.get(p.seq);
          if (have === undefined || have === p.e.hash) duplicates++;
          else
            quarantine.push({
              seq: p.seq,
              kind: 'conflict',
              reason: `seq ${p.seq} was re-sent with different content than the sale HQ already has`,
              saleId: saleIdOf(p.e),
              e: p.e,
              tillHash: p.tillHash,
            });
        } else if (p.seq === hwm + 1) {
          const broken = ruleBroken(p.e, p.seq, till, { maxSaleFen: this.opts.maxSaleFen });
          if (broken === null) sales.push({ seq: p.seq, sale: p.e.sale!, e: p.e, tillHash: p.tillHash });
          else quarantine.push({ seq: p.seq, kind: 'rejected', reason: broken, saleId: saleIdOf(p.e), e: p.e, tillHash: p.tillHash });
          known.set(p.seq, p.e.hash);
          hwm = p.seq;
        } else {
          expectedSeq = hwm + 1;
          break;
        }
      }
      // One multi-row INSERT per chunk; a sale id HQ already has (UNIQUE(sale_id)) is skipped
      // by the database and quarantined below, still inside this transaction.
      // hwm is known before the INSERT (a refused sale advances it too). PostgreSQL moves it in
      // the same statement as the first INSERT (a data-modifying WITH): one round trip fewer.
      const moveHwm = 'UPDATE hq_tills SET hwm = ?, last_upload_at = ? WHERE id = ?';
      const hwmParams = [hwm, receivedAt, till.tillId];
      let hwmMoved = false;
      const inserted = new Set<string>();
      let insertedCount = 0;
      for (let i = 0; i < sales.length; i += 100) {
        const chunk = sales.slice(i, i + 100);
        const withHwm: boolean = q.dialect === 'postgres' && !hwmMoved;
        const params: unknown[] = withHwm ? [...hwmParams] : [];
        for (const { seq, sale: s, e } of chunk) {
          params.push(s.id, till.tillId, seq, s.storeCode, s.tillCode, s.receiptNo, businessDay(s), s.createdAt, s.status, s.totalFen, s.itemCount, e.hash, e.text, receivedAt);
        }
        const rows = await q.all<{ sale_id: string }>(
          `${withHwm ? `WITH hwm AS (${moveHwm}) ` : ''}INSERT INTO hq_sales (sale_id, till_id, seq, store_code, till_code, receipt_no, business_date, created_at, status, total_fen, item_count, content_hash, payload, received_at)
           VALUES ${valuesList(chunk.length, 14)} ON CONFLICT DO NOTHING RETURNING sale_id`,
          params,
        );
        hwmMoved ||= withHwm;
        for (const r of rows) inserted.add(r.sale_id);
        insertedCount += rows.length;
      }
      for (const s of sales) {
        if (inserted.has(s.sale.id)) inserted.delete(s.sale.id);
        else quarantine.push({ seq: s.seq, kind: 'rejected', reason: `HQ already has a sale with id ${s.sale.id} (from another seq or till)`, saleId: s.sale.id, e: s.e, tillHash: s.tillHash });
      }
      const aside = await putAside(q, till.tillId, quarantine.map((x) => ({ ...x, tillHash: printable(x.tillHash) })), receivedAt, this.opts.quarantineCap ?? DEFAULT_QUARANTINE_CAP);
      for (const r of aside.stored) {
        const kind = r.kind === 'conflict' ? 'conflict' : 'rejected';
        const why = kind === 'conflict' ? 're-sent seq ' + r.seq + ' with different content' : `sent seq ${r.seq} that HQ cannot take (${quarantine.find((x) => x.seq === r.seq && x.kind === 'rejected')?.reason})`;
        alerts.push({
          kind,
          storeCode: till.storeCode,
          tillCode: till.tillCode,
          seq: r.seq,
          quarantineId: r.id,
          message: storableText(`till ${till.storeCode}/${till.tillCode} ${why}; quarantined as #${r.id} (see \`till hq quarantine list\`)`),
        });
      }
      if (aside.dropped > 0) {
        alerts.push({
          kind: 'rejected',
          storeCode: till.storeCode,
          tillCode: till.tillCode,
          seq: hwm,
          quarantineId: 0,
          message: `till ${till.storeCode}/${till.tillCode}: ${aside.dropped} more upload(s) HQ cannot take were counted but not stored (quarantine cap reached; see \`till hq quarantine list\`)`,
        });
      }
      if (!hwmMoved) await q.run(moveHwm, hwmParams);
      const response: UploadResponse = { ackedThrough: hwm, inserted: insertedCount, duplicates, quarantined: quarantine.length };
      if (expectedSeq !== undefined) response.expectedSeq = expectedSeq;
      return { till, response };
    });
    for (const a of alerts) this.opts.onAlert?.(a);
    return result;
  }

  /** content_hash of seqs HQ already took from this till, as sale or as rejected upload. */
  private async knownHashes(q: Queryable, tillId: number, seqs: number[]): Promise<Map<number, string>> {
    const known = new Map<number, string>();
    for (let i = 0; i < seqs.length; i += 500) {
      const chunk = seqs.slice(i, i + 500);
      const marks = chunk.map(() => '?').join(', ');
      const rows = await q.all<{ seq: number; content_hash: string }>(
        `SELECT seq, content_hash FROM hq_sales WHERE till_id = ? AND seq IN (${marks})
         UNION ALL
         SELECT seq, content_hash FROM hq_quarantine WHERE till_id = ? AND kind = 'rejected' AND seq IN (${marks})`,
        [tillId, ...chunk, tillId, ...chunk],
      );
      for (const r of rows) known.set(Number(r.seq), r.content_hash);
    }
    return known;
  }

  // ---- sales and reports --------------------------------------------------------------------

  private salesWhere(qy: SalesQuery, params: unknown[], alias = ''): string {
    const w: string[] = [];
    const a = alias ? `${alias}.` : '';
    if (qy.storeCode) (w.push(`${a}store_code = ?`), params.push(qy.storeCode));
    if (qy.tillCode) (w.push(`${a}till_code = ?`), params.push(qy.tillCode));
    if (qy.from) (w.push(`${a}business_date >= ?`), params.push(qy.from));
    if (qy.to) (w.push(`${a}business_date <= ?`), params.push(qy.to));
    return w.length ? `WHERE ${w.join(' AND ')}` : '';
  }

  /** Sales, newest first. */
  async listSales(qy: SalesQuery = {}): Promise<HqSaleRow[]> {
    const params: unknown[] = [];
    const where = this.salesWhere(qy, params);
    params.push(qy.limit ?? 1_000_000);
    const rows = await this.db.all<{
      sale_id: string;
      receipt_no: string;
      store_code: string;
      till_code: string;
      seq: number;
      business_date: string;
      created_at: string;
      status: string;
      total_fen: number;
      item_count: number;
      received_at: string;
    }>(
      `SELECT sale_id, receipt_no, store_code, till_code, seq, business_date, created_at, status, total_fen, item_count, received_at
       FROM hq_sales ${where} ORDER BY created_at DESC, store_code, till_code, seq DESC LIMIT ?`,
      params,
    );
    return rows.map((r) => ({
      saleId: r.sale_id,
      receiptNo: r.receipt_no,
      storeCode: r.store_code,
      tillCode: r.till_code,
      seq: Number(r.seq),
      businessDate: r.business_date,
      createdAt: r.created_at,
      status: r.status,
      totalFen: Number(r.total_fen),
      itemCount: Number(r.item_count),
      receivedAt: r.received_at,
    }));
  }

  /** Completed sales counted and summed overall and per store, till and business day. */
  async salesReport(qy: SalesQuery = {}): Promise<SalesReport> {
    const group = async <T>(cols: string): Promise<Array<T & ReportGroup>> => {
      const params: unknown[] = [];
      const where = this.salesWhere(qy, params);
      const rows = await this.db.all<Record<string, unknown>>(
        `SELECT ${cols ? cols + ', ' : ''}count(*) AS n, ${exactSumColumns('total_fen', 'total')}
         FROM hq_sales ${where ? where + " AND status = 'completed'" : "WHERE status = 'completed'"}
         ${cols ? `GROUP BY ${cols} ORDER BY ${cols}` : ''}`,
        params,
      );
      return rows.map((r) => {
        const { n, total_hi, total_lo, store_code, till_code, business_date } = r as { n: number; total_hi: string; total_lo: string; store_code?: string; till_code?: string; business_date?: string };
        const keys: Record<string, string> = {};
        if (store_code !== undefined) keys.storeCode = store_code;
        if (till_code !== undefined) keys.tillCode = till_code;
        if (business_date !== undefined) keys.day = business_date;
        return { ...keys, salesCount: Number(n), totalFen: exactSum(total_hi, total_lo) } as T & ReportGroup;
      });
    };
    const [all] = await group<object>('');
    const params: unknown[] = [];
    const where = this.salesWhere(qy, params);
    const voided = await this.db.get<{ n: number }>(`SELECT count(*) AS n FROM hq_sales ${where ? where + " AND status = 'voided'" : "WHERE status = 'voided'"}`, params);
    const qParams: unknown[] = [];
    const qWhere: string[] = [];
    if (qy.storeCode) (qWhere.push('t.store_code = ?'), qParams.push(qy.storeCode));
    if (qy.tillCode) (qWhere.push('t.code = ?'), qParams.push(qy.tillCode));
    // What still waits for a person: stored and not accepted, plus what the cap only counted.
    const quarantined = await this.db.get<{ n: number }>(
      `SELECT (SELECT count(*) FROM hq_quarantine x JOIN hq_tills t ON t.id = x.till_id WHERE x.accepted_at IS NULL${qWhere.map((c) => ' AND ' + c).join('')})
            + (SELECT coalesce(sum(o.dropped), 0) FROM hq_quarantine_overflow o JOIN hq_tills t ON t.id = o.till_id${qWhere.length ? ' WHERE ' + qWhere.join(' AND ') : ''}) AS n`,
      [...qParams, ...qParams],
    );
    return {
      from: qy.from ?? null,
      to: qy.to ?? null,
      salesCount: all?.salesCount ?? 0,
      totalFen: all?.totalFen ?? 0,
      voidedCount: Number(voided?.n ?? 0),
      quarantinedCount: Number(quarantined?.n ?? 0),
      byStore: await group<{ storeCode: string }>('store_code'),
      byTill: await group<{ storeCode: string; tillCode: string }>('store_code, till_code'),
      byDay: await group<{ day: string }>('business_date'),
    };
  }

  /** Quarantined uploads, oldest first, a page at a time (src/hq/quarantine.ts). */
  listQuarantine(qy: QuarantineQuery = {}): Promise<QuarantineRow[]> {
    return listQuarantine(this.db, qy);
  }

  /** An admin accepts quarantined sale #id after checking it: counted once, who and why kept. */
  acceptQuarantined(id: number, by: string, reason: string): Promise<QuarantineRow> {
    return acceptQuarantined(this.db, id, by, reason, this.iso());
  }
}

function saleIdOf(e: Examined): string | null {
  if (e.sale) return e.sale.id;
  const id = (JSON.parse(e.text) as { id?: unknown } | null)?.id;
  return typeof id === 'string' && id.length <= 64 && printable(id) === id ? id : null;
}

/** Text safe for a TEXT column in both databases (no NUL, bounded), else null. */
function printable(s: string): string | null {
  return typeof s === 'string' && s.length <= 128 && !s.includes('\u0000') ? s : null;
}
