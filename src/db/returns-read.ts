// Reading returns (migration 36; written by db/returns.ts): a return by its number, the returns
// of a sale or of a period, and a sale as a return sees it (what each line paid, what is left).
import { linePaidFen, returnedByLine, type PriorReturn, type RefundableSale, type RefundMode } from '../core/refund.js';
import { saleDiscountByLine } from '../core/sale.js';
import type { TenderMethod } from '../core/types.js';
import { receiptStore } from '../core/ids.js';
import { NotFoundError, OtherStoreError } from '../errors.js';
import { stmt, type DB } from './open.js';
import { getSetting } from './settings.js';
import { TRAINING_SEQ_BASE } from './sales.js';

export type ReturnKind = 'return' | 'post-void';

export interface ReturnLineRecord {
  lineNo: number;
  name: string;
  qty: number;
  qtyGrams: number | null;
  unitPriceFen: number;
  refundFen: number;
}

export interface ReturnTenderRecord {
  /** The sale's payment (1-based) refunded to, or null for cash given instead. */
  paymentIdx: number | null;
  method: TenderMethod;
  amountFen: number;
}

export interface ReturnRecord {
  id: string;
  /** <store>-<till>-<yyyymmdd>-R<n>: numbered per business day, apart from receipts. */
  returnNo: string;
  kind: ReturnKind;
  saleId: string;
  saleReceiptNo: string;
  storeCode: string;
  tillCode: string;
  businessDate: string;
  cashierId: string;
  supervisorId: string;
  reason: string;
  refundMode: RefundMode;
  refundFen: number;
  createdAt: string;
  lines: ReturnLineRecord[];
  tenders: ReturnTenderRecord[];
}

export interface SaleHead {
  id: string;
  receipt_no: string;
  cashier_id: string;
  business_date: string;
  status: string;
  training: number;
  total_fen: number;
  order_discount_fen: number;
}

/** The lookups a return makes by number: each one a single indexed probe (EXPLAIN test). */
export const SQL = {
  saleByReceipt: 'SELECT id, receipt_no, cashier_id, business_date, status, training, total_fen, order_discount_fen FROM sales WHERE receipt_no = ?',
  saleById: 'SELECT id, receipt_no, cashier_id, business_date, status, training, total_fen, order_discount_fen FROM sales WHERE id = ?',
  returnsOfSale: 'SELECT id FROM returns WHERE sale_id = ? ORDER BY created_at, id',
  returnByNo: 'SELECT * FROM returns WHERE return_no = ?',
  returnById: 'SELECT * FROM returns WHERE id = ?',
} as const;

export function saleHead(db: DB, ref: string): SaleHead {
  const key = ref.trim();
  const r = (
    key === 'last'
      ? stmt(db, `${SQL.saleByReceipt.replace(/ WHERE .*/, '')} WHERE seq < ? ORDER BY seq DESC LIMIT 1`).get(TRAINING_SEQ_BASE)
      : (stmt(db, SQL.saleByReceipt).get(key) ?? stmt(db, SQL.saleById).get(key))
  ) as SaleHead | undefined;
  if (!r) {
    // Another store's receipt is not a typo: say where it belongs rather than "not found".
    const store = receiptStore(key);
    const own = getSetting(db, 'store.code');
    if (store && own && store !== own) throw new OtherStoreError(key, store, own);
  }
  if (!r) throw new NotFoundError(`No sale with receipt number "${ref}" on this till. Check the number on the receipt, or \`till sales list\`.`);
  return r;
}

/** The sale as a refund sees it: each line's paid amount, with the sale discount share stored at sale time. */
export function refundableSale(db: DB, head: Pick<SaleHead, 'id' | 'total_fen' | 'order_discount_fen'>): RefundableSale {
  const lines = stmt(
    db,
    `SELECT line_no AS lineNo, name, qty, qty_grams AS qtyGrams, line_total_fen AS lineTotalFen, sale_discount_fen AS share
       FROM sale_lines WHERE sale_id = ? ORDER BY line_no`,
  ).all(head.id) as Array<{ lineNo: number; name: string; qty: number; qtyGrams: number | null; lineTotalFen: number; share: number | null }>;
  // Sales made before migration 36 did not store the shares: the same rule gives them now.
  const computed = lines.some((l) => l.share === null) ? saleDiscountByLine({ orderDiscountFen: head.order_discount_fen, lines }) : null;
  const payments = stmt(db, 'SELECT idx, method, amount_fen AS amountFen FROM payments WHERE sale_id = ? ORDER BY idx').all(head.id) as RefundableSale['payments'];
  return {
    totalFen: head.total_fen,
    lines: lines.map((l, i) => ({ lineNo: l.lineNo, name: l.name, qty: l.qty, qtyGrams: l.qtyGrams, lineTotalFen: l.lineTotalFen, saleDiscountFen: l.share ?? computed![i] })),
    payments,
  };
}

export interface ReturnableLine {
  lineNo: number;
  name: string;
  qty: number;
  qtyGrams: number | null;
  /** What the customer paid for the whole line (its total less its share of the sale discount). */
  paidFen: number;
  returnedQty: number;
  refundedFen: number;
  /** Units that can still come back (a weighed line: 1 or 0). */
  leftQty: number;
}

export interface ReturnableSale {
  saleId: string;
  receiptNo: string;
  cashierId: string;
  businessDate: string;
  training: boolean;
  totalFen: number;
  refundedFen: number;
  lines: ReturnableLine[];
}

/** A sale (receipt number, id or "last") with what is left to return of each line. */
export function returnableSale(db: DB, ref: string): ReturnableSale {
  const head = saleHead(db, ref);
  const sale = refundableSale(db, head);
  const done = returnedByLine(priorReturns(db, head.id));
  const lines = sale.lines.map((l) => {
    const d = done.get(l.lineNo) ?? { qty: 0, refundFen: 0 };
    return { lineNo: l.lineNo, name: l.name, qty: l.qty, qtyGrams: l.qtyGrams, paidFen: linePaidFen(l), returnedQty: d.qty, refundedFen: d.refundFen, leftQty: l.qty - d.qty };
  });
  return {
    saleId: head.id,
    receiptNo: head.receipt_no,
    cashierId: head.cashier_id,
    businessDate: head.business_date,
    training: head.training === 1,
    totalFen: head.total_fen,
    refundedFen: lines.reduce((s, l) => s + l.refundedFen, 0),
    lines,
  };
}

export function priorReturns(db: DB, saleId: string): PriorReturn[] {
  return (stmt(db, SQL.returnsOfSale).all(saleId) as Array<{ id: string }>).map((r) => ({
    lines: stmt(db, 'SELECT line_no AS lineNo, qty, refund_fen AS refundFen FROM return_lines WHERE return_id = ?').all(r.id) as PriorReturn['lines'],
    tenders: stmt(db, 'SELECT payment_idx AS paymentIdx, amount_fen AS amountFen FROM return_tenders WHERE return_id = ?').all(r.id) as PriorReturn['tenders'],
  }));
}

interface ReturnRow {
  id: string;
  return_no: string;
  sale_id: string;
  kind: ReturnKind;
  business_date: string;
  cashier_id: string;
  supervisor_id: string;
  reason: string;
  refund_mode: RefundMode;
  refund_fen: number;
  created_at: string;
}

function hydrate(db: DB, r: ReturnRow): ReturnRecord {
  const sale = stmt(db, 'SELECT receipt_no, store_code, till_code FROM sales WHERE id = ?').get(r.sale_id) as { receipt_no: string; store_code: string; till_code: string };
  const lines = stmt(
    db,
    `SELECT rl.line_no AS lineNo, sl.name, rl.qty, rl.qty_grams AS qtyGrams, sl.unit_price_fen AS unitPriceFen, rl.refund_fen AS refundFen
       FROM return_lines rl JOIN sale_lines sl ON sl.sale_id = rl.sale_id AND sl.line_no = rl.line_no
      WHERE rl.return_id = ? ORDER BY rl.line_no`,
  ).all(r.id) as ReturnLineRecord[];
  const tenders = stmt(db, 'SELECT payment_idx AS paymentIdx, method, amount_fen AS amountFen FROM return_tenders WHERE return_id = ? ORDER BY idx').all(r.id) as ReturnTenderRecord[];
  return {
    id: r.id,
    returnNo: r.return_no,
    kind: r.kind,
    saleId: r.sale_id,
    saleReceiptNo: sale.receipt_no,
    storeCode: sale.store_code,
    tillCode: sale.till_code,
    businessDate: r.business_date,
    cashierId: r.cashier_id,
    supervisorId: r.supervisor_id,
    reason: r.reason,
    refundMode: r.refund_mode,
    refundFen: r.refund_fen,
    createdAt: r.created_at,
    lines,
    tenders,
  };
}

/** A return by its number (…-R0001) or id; throws NotFoundError. */
export function findReturn(db: DB, ref: string): ReturnRecord {
  const r = findReturnOrNull(db, ref);
  if (!r) throw new NotFoundError(`No return numbered "${ref}" on this till. Try \`till sales returns\`.`);
  return r;
}

export function findReturnOrNull(db: DB, ref: string): ReturnRecord | null {
  const key = ref.trim();
  const r = (stmt(db, SQL.returnByNo).get(key) ?? stmt(db, SQL.returnById).get(key)) as ReturnRow | undefined;
  return r ? hydrate(db, r) : null;
}

/** The returns of one sale, oldest first. */
export function returnsOfSale(db: DB, receiptNo: string): ReturnRecord[] {
  const head = saleHead(db, receiptNo);
  return (stmt(db, SQL.returnsOfSale).all(head.id) as Array<{ id: string }>).map((r) => findReturn(db, r.id));
}

/** Returns made in a period (`from` inclusive, `to` exclusive, ISO times), oldest first. */
export function listReturns(db: DB, range: { from?: string; to?: string } = {}): ReturnRecord[] {
  const rows = stmt(db, 'SELECT * FROM returns WHERE created_at >= ? AND created_at < ? ORDER BY created_at, id').all(range.from ?? '', range.to ?? '\uffff') as ReturnRow[];
  return rows.map((r) => hydrate(db, r));
}

/** What returns and post-voids paid out in a period: for X/Z and the expected cash of a shift. */
export interface ReturnFigures {
  returns: number;
  returnsFen: number;
  postVoids: number;
  postVoidsFen: number;
  /** Refunded per tender, returns and post-voids together; `cash` is what left the drawer. */
  byMethodFen: Record<TenderMethod, number>;
}

/** Sums of the returns made in a period (`from` inclusive, `to` exclusive, ISO times): two indexed aggregates. */
export function returnFigures(db: DB, range: { from?: string; to?: string } = {}): ReturnFigures {
  const from = range.from ?? '';
  const to = range.to ?? '\uffff';
  const out: ReturnFigures = { returns: 0, returnsFen: 0, postVoids: 0, postVoidsFen: 0, byMethodFen: { cash: 0, card: 0, wechat: 0, alipay: 0 } };
  const kinds = stmt(db, 'SELECT kind, count(*) AS n, sum(refund_fen) AS fen FROM returns WHERE created_at >= ? AND created_at < ? GROUP BY kind').all(from, to) as Array<{
    kind: ReturnKind;
    n: number;
    fen: number;
  }>;
  for (const k of kinds) {
    if (k.kind === 'post-void') (out.postVoids = k.n), (out.postVoidsFen = k.fen);
    else (out.returns = k.n), (out.returnsFen = k.fen);
  }
  const methods = stmt(
    db,
    `SELECT t.method, sum(t.amount_fen) AS fen FROM returns r JOIN return_tenders t ON t.return_id = r.id
      WHERE r.created_at >= ? AND r.created_at < ? GROUP BY t.method`,
  ).all(from, to) as Array<{ method: TenderMethod; fen: number }>;
  for (const m of methods) out.byMethodFen[m.method] = m.fen;
  return out;
}
