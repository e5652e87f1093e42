// Reading HQ's sales: lists, the sales report (overall, per store, till and business day) and
// the alerts. The quarantine is read in quarantine.ts.
import { groupKey, minusFen, returnsBy } from './events.js';
import { exactSum, exactSumColumns, type ExactFen } from './sums.js';
import type { HqContext } from './tills.js';

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
  /** Why a person should look at this sale (counted all the same), e.g. a duplicate receipt number. */
  flag: string | null;
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
  /** Refunds of the returns (and post-voids) of the group's business days, from 'return' events. */
  returnsFen: ExactFen;
  /** totalFen − returnsFen: the figure a day's Z reports add up to (their netFen), to the fen. */
  netFen: ExactFen;
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


function salesWhere(qy: SalesQuery, params: unknown[], alias = ''): string {
  const w: string[] = [];
  const a = alias ? `${alias}.` : '';
  if (qy.storeCode) (w.push(`${a}store_code = ?`), params.push(qy.storeCode));
  if (qy.tillCode) (w.push(`${a}till_code = ?`), params.push(qy.tillCode));
  if (qy.from) (w.push(`${a}business_date >= ?`), params.push(qy.from));
  if (qy.to) (w.push(`${a}business_date <= ?`), params.push(qy.to));
  return w.length ? `WHERE ${w.join(' AND ')}` : '';
}

/** Sales, newest first. */
export async function listSales(ctx: HqContext, qy: SalesQuery = {}): Promise<HqSaleRow[]> {
  const params: unknown[] = [];
  const where = salesWhere(qy, params);
  params.push(qy.limit ?? 1_000_000);
  const rows = await ctx.db.all<{
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
    flag: string | null;
  }>(
    `SELECT sale_id, receipt_no, store_code, till_code, seq, business_date, created_at, status, total_fen, item_count, received_at, flag
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
    flag: r.flag,
  }));
}

/**
 * Completed sales counted and summed overall and per store, till and business day, with the
 * returns of those days subtracted (netFen). A group with returns and no sale is shown too.
 */
export async function salesReport(ctx: HqContext, qy: SalesQuery = {}): Promise<SalesReport> {
  const group = async <T>(cols: string): Promise<Array<T & ReportGroup>> => {
    const params: unknown[] = [];
    const where = salesWhere(qy, params);
    const retParams: unknown[] = [];
    const returns = await returnsBy(ctx, cols, salesWhere(qy, retParams), retParams);
    const rows = await ctx.db.all<Record<string, unknown>>(
      `SELECT ${cols ? cols + ', ' : ''}count(*) AS n, ${exactSumColumns('total_fen', 'total')}
       FROM hq_sales ${where ? where + " AND status = 'completed'" : "WHERE status = 'completed'"}
       ${cols ? `GROUP BY ${cols} ORDER BY ${cols}` : ''}`,
      params,
    );
    const out = rows.map((r) => {
      const { n, total_hi, total_lo, store_code, till_code, business_date } = r as { n: number; total_hi: string; total_lo: string; store_code?: string; till_code?: string; business_date?: string };
      const keys: Record<string, string> = {};
      if (store_code !== undefined) keys.storeCode = store_code;
      if (till_code !== undefined) keys.tillCode = till_code;
      if (business_date !== undefined) keys.day = business_date;
      const totalFen = exactSum(total_hi, total_lo);
      const k = groupKey(r);
      const returnsFen = returns.get(k) ?? 0;
      returns.delete(k);
      return { ...keys, salesCount: Number(n), totalFen, returnsFen, netFen: minusFen(totalFen, returnsFen) } as T & ReportGroup;
    });
    // Days (stores, tills) with returns and no sale still count against the net.
    for (const [k, returnsFen] of returns) {
      const [storeCode, tillCode, day] = k.split('\u0001');
      const keys: Record<string, string> = {};
      if (cols.includes('store_code')) keys.storeCode = storeCode;
      if (cols.includes('till_code')) keys.tillCode = tillCode;
      if (cols.includes('business_date')) keys.day = day;
      out.push({ ...keys, salesCount: 0, totalFen: 0, returnsFen, netFen: minusFen(0, returnsFen) } as T & ReportGroup);
    }
    if (cols) out.sort((a, b) => (groupKey(a as Record<string, unknown>) < groupKey(b as Record<string, unknown>) ? -1 : 1));
    return out;
  };
  const [all] = await group<object>('');
  const params: unknown[] = [];
  const where = salesWhere(qy, params);
  const voided = await ctx.db.get<{ n: number }>(`SELECT count(*) AS n FROM hq_sales ${where ? where + " AND status = 'voided'" : "WHERE status = 'voided'"}`, params);
  const qParams: unknown[] = [];
  const qWhere: string[] = [];
  if (qy.storeCode) (qWhere.push('t.store_code = ?'), qParams.push(qy.storeCode));
  if (qy.tillCode) (qWhere.push('t.code = ?'), qParams.push(qy.tillCode));
  // What still waits for a person: stored and not accepted, plus what the cap only counted.
  const quarantined = await ctx.db.get<{ n: number }>(
    `SELECT (SELECT count(*) FROM hq_quarantine x JOIN hq_tills t ON t.id = x.till_id WHERE x.accepted_at IS NULL${qWhere.map((c) => ' AND ' + c).join('')})
          + (SELECT coalesce(sum(o.dropped), 0) FROM hq_quarantine_overflow o JOIN hq_tills t ON t.id = o.till_id${qWhere.length ? ' WHERE ' + qWhere.join(' AND ') : ''}) AS n`,
    [...qParams, ...qParams],
  );
  return {
    from: qy.from ?? null,
    to: qy.to ?? null,
    salesCount: all?.salesCount ?? 0,
    totalFen: all?.totalFen ?? 0,
    returnsFen: all?.returnsFen ?? 0,
    netFen: all?.netFen ?? 0,
    voidedCount: Number(voided?.n ?? 0),
    quarantinedCount: Number(quarantined?.n ?? 0),
    byStore: await group<{ storeCode: string }>('store_code'),
    byTill: await group<{ storeCode: string; tillCode: string }>('store_code, till_code'),
    byDay: await group<{ day: string }>('business_date'),
  };
}



export interface AlertRow {
  id: number;
  kind: string;
  storeCode: string;
  tillCode: string;
  /** The installation's id (or `#<n>`), when the alert is about one device. */
  device: string | null;
  seq: number | null;
  message: string;
  createdAt: string;
}

/** Alerts HQ raised (conflicts, rejected sales, duplicate receipt numbers, second devices), oldest first. */
export async function listAlerts(ctx: HqContext, o: { storeCode?: string; limit?: number } = {}): Promise<AlertRow[]> {
  const params: unknown[] = [];
  let where = '';
  if (o.storeCode) ((where = 'WHERE a.store_code = ?'), params.push(o.storeCode));
  params.push(o.limit ?? 1000);
  const rows = await ctx.db.all<{ id: number; kind: string; store_code: string; till_code: string; device_uuid: string | null; device_id: number | null; seq: number | null; message: string; created_at: string }>(
    `SELECT a.id, a.kind, a.store_code, a.till_code, d.device_uuid, a.device_id, a.seq, a.message, a.created_at
     FROM hq_alerts a LEFT JOIN hq_devices d ON d.id = a.device_id ${where} ORDER BY a.id LIMIT ?`,
    params,
  );
  return rows.map((r) => ({
    id: Number(r.id),
    kind: r.kind,
    storeCode: r.store_code,
    tillCode: r.till_code,
    device: r.device_uuid ?? (r.device_id === null ? null : `#${r.device_id}`),
    seq: r.seq === null ? null : Number(r.seq),
    message: r.message,
    createdAt: r.created_at,
  }));
}
