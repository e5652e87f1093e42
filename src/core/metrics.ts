// The store's figures, defined once (DESIGN.md, "Business day and metrics"): X and Z reports use
// them now, till reports, exports and HQ are to use them next, so that every screen agrees to the
// fen. Pure: the sums come in from the database (db/zreports.ts), the definitions live here.
//
//   gross     = Σ of the lines before any discount (sales.subtotal_fen)
//   discounts = line discounts + sale discounts (sales.discount_fen)
//   returns   = what returns and post-voids paid back, each net of its share of the sale
//               discount, as refunded (returns.refund_fen)
//   net       = gross − discounts − returns
//   voids     = lines voided before a sale completed: counted and valued apart, never in net
//   average basket = (gross − discounts) / sales count, half up: what a customer's sale came to
// Training sales (练习) are never in any of these: they are counted apart.
import { overShort } from './cash.js';
import type { TenderMethod } from './types.js';

export const TENDERS: readonly TenderMethod[] = ['cash', 'card', 'wechat', 'alipay'];

/** net = gross − discounts − returns: the one definition. */
export function netFen(grossFen: number, discountFen: number, returnsFen: number): number {
  return grossFen - discountFen - returnsFen;
}

/** What an average sale came to (before returns), rounded half up; 0 with no sales. */
export function averageBasketFen(salesTotalFen: number, salesCount: number): number {
  return salesCount === 0 ? 0 : Math.floor((2 * salesTotalFen + salesCount) / (2 * salesCount));
}

/** The sums a period is built from, as read by the database. */
export interface PeriodSums {
  sales: { count: number; grossFen: number; discountFen: number };
  returns: { count: number; fen: number; postVoids: number; postVoidsFen: number };
  /** Voids at the checkout (db/voids.ts): cancelled sales, removed lines, sales dropped on leaving. */
  voids?: { count: number; fen: number };
  training: { salesCount: number; totalFen: number };
  /** Per tender: what sales took (payments.amount_fen, change already out) and what refunds paid back. */
  tenders: Array<{ method: TenderMethod; salesFen: number; refundsFen: number }>;
  /** Per category: lines after line and sale discounts, and what came back of them. */
  categories: Array<{ category: string; salesFen: number; refundsFen: number }>;
  /** Per cashier: their sales, and the returns they took. */
  cashiers: Array<{ cashierId: string; salesCount: number; grossFen: number; discountFen: number; returnsFen: number }>;
  /** The drawers of the shifts closed in the period (each by core/cash.ts drawerFigures). */
  cash: CashSums;
}

export interface CashSums {
  shifts: number;
  floatFen: number;
  cashTakenFen: number;
  changeGivenFen: number;
  cashRefundsFen: number;
  payInsFen: number;
  payOutsFen: number;
  expectedCashFen: number;
  countedCashFen: number;
}

export interface PeriodMetrics {
  salesCount: number;
  grossFen: number;
  discountFen: number;
  returnsCount: number;
  postVoidsCount: number;
  /** Returns and post-voids together. */
  returnsFen: number;
  postVoidsFen: number;
  voidsCount: number;
  voidsFen: number;
  netFen: number;
  averageBasketFen: number;
  byTender: Array<{ method: TenderMethod; salesFen: number; refundsFen: number; netFen: number }>;
  byCategory: Array<{ category: string; salesFen: number; refundsFen: number; netFen: number }>;
  byCashier: Array<{ cashierId: string; salesCount: number; grossFen: number; discountFen: number; returnsFen: number; netFen: number }>;
  cash: CashSums & { overShortFen: number };
  trainingSalesCount: number;
  trainingTotalFen: number;
}

const byKey = <T>(rows: T[], key: (r: T) => string) => [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));

/** Every figure of a period from its sums. Σ byTender.netFen = Σ byCategory.netFen = Σ byCashier.netFen = netFen. */
export function periodMetrics(s: PeriodSums): PeriodMetrics {
  const net = netFen(s.sales.grossFen, s.sales.discountFen, s.returns.fen);
  const tenders = new Map(s.tenders.map((t) => [t.method, t]));
  return {
    salesCount: s.sales.count,
    grossFen: s.sales.grossFen,
    discountFen: s.sales.discountFen,
    returnsCount: s.returns.count,
    postVoidsCount: s.returns.postVoids,
    returnsFen: s.returns.fen,
    postVoidsFen: s.returns.postVoidsFen,
    voidsCount: s.voids?.count ?? 0,
    voidsFen: s.voids?.fen ?? 0,
    netFen: net,
    averageBasketFen: averageBasketFen(s.sales.grossFen - s.sales.discountFen, s.sales.count),
    byTender: TENDERS.map((method) => {
      const t = tenders.get(method) ?? { salesFen: 0, refundsFen: 0 };
      return { method, salesFen: t.salesFen, refundsFen: t.refundsFen, netFen: t.salesFen - t.refundsFen };
    }),
    byCategory: byKey(s.categories, (c) => c.category).map((c) => ({ ...c, netFen: c.salesFen - c.refundsFen })),
    byCashier: byKey(s.cashiers, (c) => c.cashierId).map((c) => ({ ...c, netFen: netFen(c.grossFen, c.discountFen, c.returnsFen) })),
    cash: { ...s.cash, overShortFen: overShort(s.cash.countedCashFen, s.cash.expectedCashFen) },
    trainingSalesCount: s.training.salesCount,
    trainingTotalFen: s.training.totalFen,
  };
}
