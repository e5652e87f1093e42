// The exactly-once ingest of a device's stream (DESIGN.md, "Upload"): one transaction per
// batch, duplicates compared by content hash, the next seq inserted or quarantined, a gap
// stops the batch. Resolves only after COMMIT, with an ack per seq: the sale id and content
// hash HQ holds there, so that a till marks a sale synced only when HQ holds that very sale.
import { NotFoundError } from '../errors.js';
import type { Ack, SyncState, UploadRequest, UploadResponse, WireSale } from '../sync/protocol.js';
import { DEFAULT_QUARANTINE_CAP, putAside, storableText, type Quarantined } from './quarantine.js';
import { checkReturns, eventProblem, examineEvent, hashesOfEventIds, holdReturnsOfUncounted, insertEvents, type StoredEvent } from './events.js';
import { businessDay, examineSale, ruleBroken, type Examined } from './rules.js';
import { forUpdate, isUniqueViolation, valuesList, type Queryable } from './storage/driver.js';
import type { HqContext, TillPrincipal } from './tills.js';
import { sha256 } from './tokens.js';

/**
 * Something an operator should look at, kept in hq_alerts: a device re-sent a seq with
 * different content ('conflict') or sent a sale HQ could not take ('rejected') — both in
 * quarantine —, two sales share a receipt number ('duplicate-receipt'), or a till code has a
 * second active device ('second-device'), or a return takes a line back beyond what was sold
 * ('over-return', two tills returned it offline) — those are counted and flagged.
 */
export interface HqAlert {
  kind: 'conflict' | 'rejected' | 'duplicate-receipt' | 'second-device' | 'over-return' | 'retired-backlog';
  storeCode: string;
  tillCode: string;
  /** The installation's id (null: an HQ-v1 till not heard from since). */
  deviceId: string | null;
  seq: number | null;
  quarantineId: number | null;
  message: string;
}

/** Records alerts in the caller's transaction (hq_alerts); they are announced after COMMIT. */
export async function recordAlerts(q: Queryable, alerts: HqAlert[], deviceRowId: number | null, at: string): Promise<void> {
  for (let i = 0; i < alerts.length; i += 100) {
    const chunk = alerts.slice(i, i + 100);
    const params: unknown[] = [];
    for (const a of chunk) params.push(a.kind, a.storeCode, a.tillCode, deviceRowId, a.seq, printable(a.message, 2000) ?? a.kind, at);
    await q.run(`INSERT INTO hq_alerts (kind, store_code, till_code, device_id, seq, message, created_at) VALUES ${valuesList(chunk.length, 7)}`, params);
  }
}

export async function syncState(ctx: HqContext, till: TillPrincipal, deviceUuid?: string): Promise<SyncState> {
  const d = await ctx.db.get<{ hwm: number; device_uuid: string | null; retired_at: string | null }>('SELECT hwm, device_uuid, retired_at FROM hq_devices WHERE id = ?', [
    till.deviceRowId,
  ]);
  if (!d) throw new NotFoundError(`Till ${till.storeCode}/${till.tillCode} is not known to HQ.`);
  let deviceId = d.device_uuid;
  if (deviceId === null && deviceUuid) {
    // A till enrolled before HQ knew devices: its token proves it is the installation of this
    // stream, so HQ learns its id now.
    try {
      await ctx.db.run('UPDATE hq_devices SET device_uuid = ? WHERE id = ? AND device_uuid IS NULL', [deviceUuid, till.deviceRowId]);
      deviceId = deviceUuid;
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
  }
  // What still waits for a person at HQ: stored and not accepted, plus what the cap only counted.
  const counts = await ctx.db.get<{ n: number; c: number }>(
    `SELECT count(*) + (SELECT coalesce(sum(dropped), 0) FROM hq_quarantine_overflow WHERE device_id = ?) AS n,
            coalesce(sum(CASE WHEN kind = 'conflict' THEN 1 ELSE 0 END), 0) AS c
       FROM hq_quarantine WHERE device_id = ? AND accepted_at IS NULL`,
    [till.deviceRowId, till.deviceRowId],
  );
  const label = await ctx.db.get<{ m: number }>('SELECT coalesce(max(hwm), 0) AS m FROM hq_devices WHERE till_id = ?', [till.tillId]);
  const receipt = await ctx.db.get<{ r: string | null }>('SELECT max(receipt_no) AS r FROM hq_sales WHERE till_id = ?', [till.tillId]);
  return {
    storeCode: till.storeCode,
    tillCode: till.tillCode,
    hwm: Number(d.hwm),
    deviceId,
    quarantined: Number(counts?.n ?? 0),
    conflicts: Number(counts?.c ?? 0),
    tillHwm: Number(label?.m ?? 0),
    lastReceiptNo: receipt?.r ?? null,
    retiredAt: d.retired_at,
  };
}

/** What HQ holds at these seqs of the device (seqs it holds nothing at are left out). */
export async function held(ctx: HqContext, till: TillPrincipal, seqs: number[]): Promise<Ack[]> {
  const m = await heldAt(ctx.db, till.deviceRowId, [...new Set(seqs)]);
  return [...m.values()].sort((a, b) => a.seq - b.seq);
}

/**
 * Takes one upload batch in one transaction (DESIGN.md, "Sync"): duplicates (seq ≤ hwm) are
 * compared by content hash, seq hwm+1 is inserted or quarantined and advances hwm, a gap
 * stops the batch. Resolves only after COMMIT.
 */
export async function ingest(ctx: HqContext, till: TillPrincipal, items: UploadRequest['sales']): Promise<UploadResponse> {
  const r = await ingestWhere(ctx, 'id', till.deviceRowId, items);
  if (!r) throw new NotFoundError(`Till ${till.storeCode}/${till.tillCode} is not known to HQ.`);
  return r.response;
}

/**
 * The same, for the device whose token this is: finding the device and locking its row is one
 * statement (a round trip fewer per batch). Resolves to null when no device has this token.
 */
export async function ingestByToken(ctx: HqContext, token: string, items: UploadRequest['sales']): Promise<{ till: TillPrincipal; response: UploadResponse } | null> {
  return ingestWhere(ctx, 'token_hash', sha256(token), items);
}

interface DeviceRow {
  id: number;
  device_uuid: string | null;
  hwm: number;
  retired_at: string | null;
  enrolled_at: string | null;
  /** When HQ first enrolled this device (enrolling it again keeps it). */
  created_at: string;
  /** Other active devices of the till code that HQ enrolled before this one. */
  older_active: number;
  till_id: number;
  store_code: string;
  code: string;
}


async function ingestWhere(
  ctx: HqContext,
  column: 'id' | 'token_hash',
  key: number | string,
  items: UploadRequest['sales'],
): Promise<{ till: TillPrincipal; response: UploadResponse } | null> {
  // Hashing and validation are pure: do them before taking the device's lock.
  // A protocol 3 item with a kind other than 'sale' is an event; everything else is a sale.
  const prepared = items
    .map((item, i) => {
      const isEvent = item.kind !== undefined && item.kind !== 'sale';
      return { seq: item.seq, tillHash: item.hash, i, kind: isEvent ? item.kind : undefined, e: isEvent ? examineEvent(item.event) : examineSale(item.sale) };
    }).sort((a, b) => a.seq - b.seq || a.i - b.i);
  const receivedAt = ctx.now().toISOString();
  const alerts: HqAlert[] = [];
  const result = await ctx.db.transaction(async (q) => {
    const row = await q.get<DeviceRow>(
      `SELECT d.id, d.device_uuid, d.hwm, d.retired_at, d.enrolled_at, d.created_at, t.id AS till_id, t.store_code, t.code,
         (SELECT count(*) FROM hq_devices o WHERE o.till_id = d.till_id AND o.id <> d.id AND o.token_hash IS NOT NULL AND o.retired_at IS NULL AND o.created_at < d.created_at) AS older_active
       FROM hq_devices d JOIN hq_tills t ON t.id = d.till_id WHERE d.${column} = ?${forUpdate(q)}`,
      [key],
    );
    if (!row) return null;
    const till: TillPrincipal = { tillId: Number(row.till_id), storeCode: row.store_code, tillCode: row.code, deviceRowId: Number(row.id), deviceId: row.device_uuid };
    const alert = (a: Omit<HqAlert, 'storeCode' | 'tillCode' | 'deviceId'>) => alerts.push({ ...a, storeCode: till.storeCode, tillCode: till.tillCode, deviceId: till.deviceId });
    let hwm = Number(row.hwm);
    const known = await heldAt(q, till.deviceRowId, [...new Set(prepared.filter((p) => p.seq <= hwm).map((p) => p.seq))]);
    const acks: Ack[] = [];
    const sales: Array<{ seq: number; sale: WireSale; e: Examined; tillHash: string; flag: string | null }> = [];
    const quarantine: Quarantined[] = [];
    let duplicates = 0;
    let expectedSeq: number | undefined;
    // A sale HQ can take at `seq` (the next one, or a hole below hwm): inserted or quarantined.
    const events: StoredEvent[] = [];
    const take = (p: (typeof prepared)[number]) => {
      if (p.kind !== undefined) {
        const broken = eventProblem(p.e, p.seq, till, p.kind) ?? afterRetirement(p.e.event!, row);
        if (broken === null) events.push({ seq: p.seq, e: p.e as StoredEvent['e'], flag: null, tillHash: p.tillHash });
        else quarantine.push({ seq: p.seq, kind: 'rejected', reason: broken, saleId: saleIdOf(p.e), e: p.e, tillHash: p.tillHash });
        known.set(p.seq, { seq: p.seq, saleId: saleIdOf(p.e), hash: p.e.hash, status: broken === null ? 'held' : 'quarantined' });
        return;
      }
      const broken = ruleBroken(p.e, p.seq, till, { maxSaleFen: ctx.maxSaleFen }) ?? afterRetirement(p.e.sale!, row);
      if (broken === null) sales.push({ seq: p.seq, sale: p.e.sale!, e: p.e, tillHash: p.tillHash, flag: null });
      else quarantine.push({ seq: p.seq, kind: 'rejected', reason: broken, saleId: saleIdOf(p.e), e: p.e, tillHash: p.tillHash });
      known.set(p.seq, { seq: p.seq, saleId: saleIdOf(p.e), hash: p.e.hash, status: broken === null ? 'held' : 'quarantined' });
    };
    for (const p of prepared) {
      if (p.seq <= hwm) {
        const have = known.get(p.seq);
        if (have === undefined) take(p);
        else if (have.hash === p.e.hash) {
          duplicates++;
          acks.push(have);
        } else {
          quarantine.push({
            seq: p.seq,
            kind: 'conflict',
            reason: `seq ${p.seq} was re-sent with different content than the sale HQ already has`,
            saleId: saleIdOf(p.e),
            e: p.e,
            tillHash: p.tillHash,
          });
          acks.push({ ...have, status: 'conflict' });
        }
      } else if (p.seq === hwm + 1) {
        take(p);
        hwm = p.seq;
      } else {
        expectedSeq = hwm + 1;
        break;
      }
    }
    await flagSales(q, sales, row, till, alert);
    // One multi-row INSERT per chunk; a sale id HQ already has (UNIQUE(sale_id)) is skipped
    // by the database and looked at below, still inside this transaction.
    // hwm is known before the INSERT (a refused sale advances it too). PostgreSQL moves it in
    // the same statement as the first INSERT (a data-modifying WITH): one round trip fewer.
    const moveHwm = 'UPDATE hq_devices SET hwm = ?, last_upload_at = ? WHERE id = ?';
    const hwmParams = [hwm, receivedAt, till.deviceRowId];
    let hwmMoved = false;
    const inserted = new Set<string>();
    let insertedCount = 0;
    for (let i = 0; i < sales.length; i += 100) {
      const chunk = sales.slice(i, i + 100);
      const withHwm: boolean = q.dialect === 'postgres' && !hwmMoved;
      const params: unknown[] = withHwm ? [...hwmParams] : [];
      for (const { seq, sale: s, e, flag } of chunk) {
        params.push(s.id, till.tillId, till.deviceRowId, seq, s.storeCode, s.tillCode, s.receiptNo, businessDay(s), s.createdAt, s.status, s.totalFen, s.itemCount, e.hash, e.text, receivedAt, flag);
      }
      const rows = await q.all<{ sale_id: string }>(
        `${withHwm ? `WITH hwm AS (${moveHwm}) ` : ''}INSERT INTO hq_sales (sale_id, till_id, device_id, seq, store_code, till_code, receipt_no, business_date, created_at, status, total_fen, item_count, content_hash, payload, received_at, flag)
         VALUES ${valuesList(chunk.length, 16)} ON CONFLICT DO NOTHING RETURNING sale_id`,
        params,
      );
      hwmMoved ||= withHwm;
      for (const r of rows) inserted.add(r.sale_id);
      insertedCount += rows.length;
    }
    const skipped = sales.filter((s) => !inserted.has(s.sale.id));
    const sameElsewhere = await hashesOfSaleIds(
      q,
      skipped.map((s) => s.sale.id),
    );
    for (const s of sales) {
      if (inserted.has(s.sale.id)) acks.push({ seq: s.seq, saleId: s.sale.id, hash: s.e.hash, status: 'held' });
      else if (sameElsewhere.get(s.sale.id) === s.e.hash) {
        // This very sale is already at HQ (sent before under another seq or device, e.g. by a
        // till enrolled again as a new device): held, counted once.
        duplicates++;
        acks.push({ seq: s.seq, saleId: s.sale.id, hash: s.e.hash, status: 'held' });
      } else
        quarantine.push({
          seq: s.seq,
          kind: 'rejected',
          reason: `HQ already has a sale with id ${s.sale.id} (from another seq or till)`,
          saleId: s.sale.id,
          e: s.e,
          tillHash: s.tillHash,
        });
    }
    // The other events of the batch (protocol 3): returns checked against what was sold, then
    // stored; an event id HQ already has is a duplicate when its content is the same.
    // A return of a sale HQ does not count is held in quarantine with its sale (accepting the sale counts it).
    const uncounted = new Set(quarantine.flatMap((x) => (x.kind === 'rejected' && x.e.sale ? [x.e.sale.id] : [])));
    const { kept, held } = await holdReturnsOfUncounted(q, events, till.deviceRowId, uncounted);
    for (const x of held) quarantine.push({ seq: x.seq, kind: 'rejected', reason: x.reason, saleId: x.e.event.id, e: x.e, tillHash: x.tillHash });
    events.splice(0, events.length, ...kept);
    for (const o of await checkReturns(q, events)) alert({ kind: 'over-return', seq: o.seq, quarantineId: null, message: storableText(o.message) });
    const insertedEvents = await insertEvents(q, events, { tillId: till.tillId, deviceRowId: till.deviceRowId, receivedAt });
    insertedCount += insertedEvents.size;
    const sameEvent = await hashesOfEventIds(
      q,
      events.filter((x) => !insertedEvents.has(x.e.event.id)).map((x) => x.e.event.id),
    );
    for (const x of events) {
      const id = x.e.event.id;
      if (insertedEvents.has(id)) acks.push({ seq: x.seq, saleId: id, hash: x.e.hash, status: 'held', ...(x.flag ? { flag: x.flag } : {}) });
      else if (sameEvent.get(id) === x.e.hash) {
        duplicates++;
        acks.push({ seq: x.seq, saleId: id, hash: x.e.hash, status: 'held' });
      } else quarantine.push({ seq: x.seq, kind: 'rejected', reason: `HQ already has an event with id ${id} (from another seq or till)`, saleId: id, e: x.e, tillHash: x.tillHash });
    }
    for (const x of quarantine) if (x.kind === 'rejected') acks.push({ seq: x.seq, saleId: x.saleId, hash: x.e.hash, status: 'quarantined' });
    const aside = await putAside(q, till, quarantine.map((x) => ({ ...x, tillHash: printable(x.tillHash ?? '') })), receivedAt, ctx.quarantineCap ?? DEFAULT_QUARANTINE_CAP);
    for (const r of aside.stored) {
      const kind = r.kind === 'conflict' ? 'conflict' : 'rejected';
      const why =
        kind === 'conflict'
          ? 're-sent seq ' + r.seq + ' with different content'
          : `sent seq ${r.seq} that HQ cannot take (${quarantine.find((x) => x.seq === Number(r.seq) && x.kind === 'rejected')?.reason})`;
      alert({
        kind,
        seq: Number(r.seq),
        quarantineId: Number(r.id),
        message: storableText(`till ${till.storeCode}/${till.tillCode}${till.deviceId ? ` (device ${till.deviceId})` : ''} ${why}; quarantined as #${r.id} (see \`till hq quarantine list\`)`),
      });
    }
    if (aside.dropped > 0)
      alert({
        kind: 'rejected',
        seq: hwm,
        quarantineId: null,
        message: `till ${till.storeCode}/${till.tillCode}: ${aside.dropped} more upload(s) HQ cannot take were counted but not stored (quarantine cap reached; see \`till hq quarantine list\`)`,
      });
    if (!hwmMoved) await q.run(moveHwm, hwmParams);
    await recordAlerts(q, alerts, till.deviceRowId, receivedAt);
    const response: UploadResponse = { ackedThrough: hwm, inserted: insertedCount, duplicates, quarantined: quarantine.length, acks: acks.sort((a, b) => a.seq - b.seq) };
    if (expectedSeq !== undefined) response.expectedSeq = expectedSeq;
    return { till, response };
  });
  for (const a of alerts) ctx.onAlert?.(a);
  return result;
}

/**
 * A retired device's backlog is taken; what it made after its retirement is not, nor what it
 * claims to have made before HQ first enrolled it (a kept token backdating sales into the past).
 */
function afterRetirement(s: Pick<WireSale, 'createdAt'>, device: Pick<DeviceRow, 'retired_at' | 'created_at'>): string | null {
  const retiredAt = device.retired_at;
  if (retiredAt === null) return null;
  if (s.createdAt > retiredAt) return `the device was retired at ${retiredAt} and this was made after (${s.createdAt}); enroll the device again to sell on it`;
  if (s.createdAt < device.created_at) return `the device is retired and this claims a time (${s.createdAt}) before HQ first enrolled it (${device.created_at})`;
  return null;
}

/**
 * Flags sales a person should look at (they are counted all the same): a receipt number HQ
 * already has from another sale, and sales a second active device of the till code made after
 * it first enrolled while another device of that code was active (a stolen or second code).
 */
async function flagSales(
  q: Queryable,
  sales: Array<{ seq: number; sale: WireSale; flag: string | null }>,
  device: DeviceRow,
  till: TillPrincipal,
  alert: (a: Omit<HqAlert, 'storeCode' | 'tillCode' | 'deviceId'>) => void,
): Promise<void> {
  if (sales.length === 0) return;
  // A retired device's backlog is counted, but a person should see it arrive (its token may be
  // in someone else's hands).
  if (device.retired_at !== null) {
    for (const s of sales) s.flag = `backlog of device ${till.deviceId ?? `#${till.deviceRowId}`}, retired ${device.retired_at}`;
    alert({
      kind: 'retired-backlog',
      seq: sales[0].seq,
      quarantineId: null,
      message: `till ${till.storeCode}/${till.tillCode}: retired device ${till.deviceId ?? `#${till.deviceRowId}`} sent ${sales.length} sale(s) made before its retirement; they are counted and flagged; if that device is not in the store's hands, check them`,
    });
  }
  // A device that first enrolled while another device of its till code was (and is still)
  // active: what it sold since is flagged. Enrolling a device again does not make it new.
  if (Number(device.older_active) > 0) {
    const flagged = sales.filter((s) => s.sale.createdAt >= device.created_at);
    for (const s of flagged) s.flag = `sold by a second active device of ${till.storeCode}/${till.tillCode} (enrolled ${device.created_at})`;
    if (flagged.length)
      alert({
        kind: 'second-device',
        seq: flagged[0].seq,
        quarantineId: null,
        message: `till ${till.storeCode}/${till.tillCode} has a second active device (${till.deviceId ?? `#${till.deviceRowId}`}, enrolled ${device.created_at}) that sent ${flagged.length} sale(s); if it is not yours, retire it (\`till hq tills retire <device>\`)`,
      });
  }
  const receipts = [...new Set(sales.map((s) => s.sale.receiptNo))];
  const taken = new Map<string, string>();
  for (let i = 0; i < receipts.length; i += 500) {
    const chunk = receipts.slice(i, i + 500);
    const rows = await q.all<{ receipt_no: string; sale_id: string }>(`SELECT receipt_no, sale_id FROM hq_sales WHERE receipt_no IN (${chunk.map(() => '?').join(', ')})`, chunk);
    for (const r of rows) taken.set(r.receipt_no, r.sale_id);
  }
  for (const s of sales) {
    const other = taken.get(s.sale.receiptNo);
    if (other === undefined || other === s.sale.id) {
      taken.set(s.sale.receiptNo, s.sale.id);
      continue;
    }
    const why = `duplicate receipt number ${s.sale.receiptNo} (also sale ${other})`;
    s.flag = s.flag ? `${s.flag}; ${why}` : why;
    await q.run('UPDATE hq_sales SET flag = ? WHERE sale_id = ? AND flag IS NULL', [`duplicate receipt number ${s.sale.receiptNo} (also sale ${s.sale.id})`, other]);
    alert({ kind: 'duplicate-receipt', seq: s.seq, quarantineId: null, message: `till ${till.storeCode}/${till.tillCode}: receipt number ${s.sale.receiptNo} is on two sales (${other} and ${s.sale.id}); both are counted and flagged` });
  }
}

/** What HQ holds at seqs of a device: a sale ('held') or a rejected upload ('quarantined'). */
async function heldAt(q: Queryable, deviceRowId: number, seqs: number[]): Promise<Map<number, Ack>> {
  const known = new Map<number, Ack>();
  for (let i = 0; i < seqs.length; i += 500) {
    const chunk = seqs.slice(i, i + 500);
    const marks = chunk.map(() => '?').join(', ');
    const rows = await q.all<{ seq: number; sale_id: string | null; content_hash: string; status: 'held' | 'quarantined'; flag: string | null }>(
      `SELECT seq, sale_id, content_hash, 'held' AS status, NULL AS flag FROM hq_sales WHERE device_id = ? AND seq IN (${marks})
       UNION ALL
       SELECT seq, event_id AS sale_id, content_hash, 'held' AS status, flag FROM hq_events WHERE device_id = ? AND seq IN (${marks})
       UNION ALL
       SELECT seq, sale_id, content_hash, 'quarantined' AS status, NULL AS flag FROM hq_quarantine WHERE device_id = ? AND kind = 'rejected' AND accepted_at IS NULL AND seq IN (${marks})`,
      [deviceRowId, ...chunk, deviceRowId, ...chunk, deviceRowId, ...chunk],
    );
    for (const r of rows) known.set(Number(r.seq), { seq: Number(r.seq), saleId: r.sale_id, hash: r.content_hash, status: r.status, ...(r.flag ? { flag: r.flag } : {}) });
  }
  return known;
}

async function hashesOfSaleIds(q: Queryable, ids: string[]): Promise<Map<string, string>> {
  const m = new Map<string, string>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const rows = await q.all<{ sale_id: string; content_hash: string }>(`SELECT sale_id, content_hash FROM hq_sales WHERE sale_id IN (${chunk.map(() => '?').join(', ')})`, chunk);
    for (const r of rows) m.set(r.sale_id, r.content_hash);
  }
  return m;
}

function saleIdOf(e: Examined): string | null {
  if (e.sale) return e.sale.id;
  if (e.event) return e.event.id;
  const id = (JSON.parse(e.text) as { id?: unknown } | null)?.id;
  return typeof id === 'string' && id.length <= 64 && printable(id) === id ? id : null;
}

/** Text safe for a TEXT column in both databases (no NUL, bounded), else null. */
function printable(s: string, max = 128): string | null {
  return typeof s === 'string' && s.length <= max && !s.includes('\u0000') ? s : null;
}
