// The exactly-once ingest of a device's stream (DESIGN.md, "Upload"): one transaction per
// batch, duplicates compared by content hash, the next seq inserted or quarantined, a gap
// stops the batch. Resolves only after COMMIT.
import { NotFoundError } from '../errors.js';
import type { SyncState, UploadRequest, UploadResponse, WireSale } from '../sync/protocol.js';
import { businessDay, examineSale, ruleBroken, type Examined } from './rules.js';
import { forUpdate, valuesList, type Queryable } from './storage/driver.js';
import type { HqContext, TillPrincipal } from './tills.js';
import { sha256 } from './tokens.js';

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

export async function syncState(ctx: HqContext, till: TillPrincipal): Promise<SyncState> {
  const r = await ctx.db.get<{ hwm: number }>('SELECT hwm FROM hq_tills WHERE id = ?', [till.tillId]);
  if (!r) throw new NotFoundError(`Till ${till.storeCode}/${till.tillCode} is not known to HQ.`);
  return { storeCode: till.storeCode, tillCode: till.tillCode, hwm: Number(r.hwm) };
}

/**
 * Takes one upload batch in one transaction (DESIGN.md, "Sync"): duplicates (seq ≤ hwm) are
 * compared by content hash, seq hwm+1 is inserted or quarantined and advances hwm, a gap
 * stops the batch. Resolves only after COMMIT, with the hwm the till may mark as synced.
 */
export async function ingest(ctx: HqContext, till: TillPrincipal, items: UploadRequest['sales']): Promise<UploadResponse> {
  const r = await ingestWhere(ctx, 'id', till.tillId, items);
  if (!r) throw new NotFoundError(`Till ${till.storeCode}/${till.tillCode} is not known to HQ.`);
  return r.response;
}

/**
 * The same, for the till whose token this is: finding the till and locking its row is one
 * statement (a round trip fewer per batch). Resolves to null when no till has this token.
 */
export async function ingestByToken(ctx: HqContext, token: string, items: UploadRequest['sales']): Promise<{ till: TillPrincipal; response: UploadResponse } | null> {
  return ingestWhere(ctx, 'token_hash', sha256(token), items);
}

async function ingestWhere(ctx: HqContext, 
  column: 'id' | 'token_hash',
  key: number | string,
  items: UploadRequest['sales'],
): Promise<{ till: TillPrincipal; response: UploadResponse } | null> {
  // Hashing and validation are pure: do them before taking the till's lock.
  const prepared = items
    .map((item, i) => ({ seq: item.seq, tillHash: item.hash, i, e: examineSale(item.sale) }))
    .sort((a, b) => a.seq - b.seq || a.i - b.i);
  const receivedAt = ctx.now().toISOString();
  const alerts: HqAlert[] = [];
  const result = await ctx.db.transaction(async (q) => {
    const row = await q.get<{ id: number; store_code: string; code: string; hwm: number }>(
      `SELECT id, store_code, code, hwm FROM hq_tills WHERE ${column} = ?${forUpdate(q)}`,
      [key],
    );
    if (!row) return null;
    const till: TillPrincipal = { tillId: Number(row.id), storeCode: row.store_code, tillCode: row.code };
    let hwm = Number(row.hwm);
    const known = await knownHashes(q, till.tillId, [...new Set(prepared.filter((p) => p.seq <= hwm).map((p) => p.seq))]);
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
        const broken = ruleBroken(p.e, p.seq, till);
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
    if (quarantine.length) {
      const params: unknown[] = [];
      for (const x of quarantine) params.push(till.tillId, x.seq, x.kind, x.reason, x.saleId, x.e.hash, printable(x.tillHash), x.e.text, receivedAt);
      const rows = await q.all<{ id: number; seq: number; kind: string }>(
        `INSERT INTO hq_quarantine (till_id, seq, kind, reason, sale_id, content_hash, till_hash, payload, received_at)
         VALUES ${valuesList(quarantine.length, 9)} ON CONFLICT DO NOTHING RETURNING id, seq, kind`,
        params,
      );
      for (const r of rows) {
        const kind = r.kind === 'conflict' ? 'conflict' : 'rejected';
        const why = kind === 'conflict' ? 're-sent seq ' + r.seq + ' with different content' : `sent seq ${r.seq} that HQ cannot take (${quarantine.find((x) => x.seq === Number(r.seq) && x.kind === 'rejected')?.reason})`;
        alerts.push({
          kind,
          storeCode: till.storeCode,
          tillCode: till.tillCode,
          seq: Number(r.seq),
          quarantineId: Number(r.id),
          message: `till ${till.storeCode}/${till.tillCode} ${why}; quarantined as #${r.id} (see \`till hq quarantine list\`)`,
        });
      }
    }
    if (!hwmMoved) await q.run(moveHwm, hwmParams);
    const response: UploadResponse = { ackedThrough: hwm, inserted: insertedCount, duplicates, quarantined: quarantine.length };
    if (expectedSeq !== undefined) response.expectedSeq = expectedSeq;
    return { till, response };
  });
  for (const a of alerts) ctx.onAlert?.(a);
  return result;
}

/** content_hash of seqs HQ already took from this till, as sale or as rejected upload. */
async function knownHashes(q: Queryable, tillId: number, seqs: number[]): Promise<Map<number, string>> {
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

function saleIdOf(e: Examined): string | null {
  if (e.sale) return e.sale.id;
  const id = (JSON.parse(e.text) as { id?: unknown } | null)?.id;
  return typeof id === 'string' && id.length <= 64 && printable(id) === id ? id : null;
}

/** Text safe for a TEXT column in both databases (no NUL, bounded), else null. */
function printable(s: string): string | null {
  return typeof s === 'string' && s.length <= 128 && !s.includes('\u0000') ? s : null;
}
