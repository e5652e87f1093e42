// The cash drawer: what should be in it, and what was counted. One definition of expected cash
// for `till shift`, the checkout's close screen and X/Z reports:
//   expected = float + cash taken − change given − cash refunds + pay-ins − pay-outs
// "Cash taken" is what customers handed over in cash (the tendered notes); the change handed
// back is subtracted once. Counting change as cash taken (or forgetting to subtract it) makes
// every drawer look over by the day's change: other systems have shipped that bug for years.
import { MoneyParseError, parseYuan, type Fen } from './money.js';
import type { Payment } from './types.js';

export type MovementKind = 'float' | 'pay-in' | 'pay-out';

/** One row of the drawer's append-only ledger; amounts are positive, the kind gives the sign. */
export interface CashMovement {
  kind: MovementKind;
  amountFen: Fen;
}

/** The cash side of a shift's sales, as summed from their payments (see cashOfPayments). */
export interface SalesCash {
  /** Σ tendered of cash tenders: the notes the customers handed over. */
  cashTakenFen: Fen;
  /** Σ change handed back (always in cash, whatever the tender). */
  changeGivenFen: Fen;
}

export interface DrawerInput extends SalesCash {
  movements: readonly CashMovement[];
  /** Cash paid back for returns and post-voids (0 until returns exist). */
  cashRefundsFen: Fen;
}

export interface DrawerFigures {
  floatFen: Fen;
  cashTakenFen: Fen;
  changeGivenFen: Fen;
  cashRefundsFen: Fen;
  payInsFen: Fen;
  payOutsFen: Fen;
  expectedCashFen: Fen;
}

/** Sums the cash side of sales' payments: cash tendered in, change out. */
export function cashOfPayments(payments: Iterable<Pick<Payment, 'method' | 'tenderedFen' | 'changeFen'>>): SalesCash {
  let cashTakenFen = 0;
  let changeGivenFen = 0;
  for (const p of payments) {
    if (p.method === 'cash') cashTakenFen += p.tenderedFen;
    changeGivenFen += p.changeFen;
  }
  return { cashTakenFen, changeGivenFen };
}

/** The one function: every figure of the drawer and what it should hold. */
export function drawerFigures(input: DrawerInput): DrawerFigures {
  const sum = (kind: MovementKind) => input.movements.reduce((s, m) => (m.kind === kind ? s + m.amountFen : s), 0);
  const floatFen = sum('float');
  const payInsFen = sum('pay-in');
  const payOutsFen = sum('pay-out');
  const expectedCashFen = floatFen + input.cashTakenFen - input.changeGivenFen - input.cashRefundsFen + payInsFen - payOutsFen;
  return { floatFen, cashTakenFen: input.cashTakenFen, changeGivenFen: input.changeGivenFen, cashRefundsFen: input.cashRefundsFen, payInsFen, payOutsFen, expectedCashFen };
}

/** Positive: more in the drawer than expected; negative: short. */
export function overShort(countedFen: Fen, expectedCashFen: Fen): Fen {
  return countedFen - expectedCashFen;
}

/** The notes and coins a drawer is counted in, largest first, in fen. */
export const DENOMINATIONS_FEN: readonly Fen[] = [10000, 5000, 2000, 1000, 500, 100, 50, 10];

export class CountParseError extends Error {}

/**
 * A count by denomination as typed: "100=3,50=1,0.5=4" (yuan value = how many). Each value must
 * be one of DENOMINATIONS_FEN, each count a whole number, each value named once. Returns fen.
 */
export function parseDenominationCount(text: string): { totalFen: Fen; counts: Array<{ denominationFen: Fen; count: number }> } {
  const parts = text.split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (parts.length === 0) throw new CountParseError('type the count as value=how many, e.g. 100=3,50=1,0.5=4');
  const counts: Array<{ denominationFen: Fen; count: number }> = [];
  for (const part of parts) {
    const m = /^([^=]+)=(\d{1,6})$/.exec(part);
    if (!m) throw new CountParseError(`"${part}" is not value=how many (e.g. 100=3)`);
    let fen: Fen;
    try {
      fen = parseYuan(m[1], { allowZero: false });
    } catch (e) {
      if (e instanceof MoneyParseError) throw new CountParseError(`"${m[1]}" is not a note or coin`);
      throw e;
    }
    if (!DENOMINATIONS_FEN.includes(fen)) throw new CountParseError(`"${m[1]}" is not a note or coin; use ${DENOMINATIONS_FEN.map((d) => d / 100).join(', ')}`);
    if (counts.some((c) => c.denominationFen === fen)) throw new CountParseError(`${m[1]} is counted twice`);
    counts.push({ denominationFen: fen, count: Number(m[2]) });
  }
  return { totalFen: counts.reduce((s, c) => s + c.denominationFen * c.count, 0), counts };
}
