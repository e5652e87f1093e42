// Exact money sums at any size. A column of fen is at most 2^53 − 1 per row, but a chain's
// sum of them is not: SQLite's sum() stops with "integer overflow" past 2^63 and, read as a JS
// number, rounds past 2^53; PostgreSQL's sum(bigint) is numeric, which a number cannot hold.
// So both databases sum the value split at 2^26 (hi and lo parts, each sum far from any limit)
// and hand the two sums back as decimal text; JS joins them as a bigint. Never a float.
import { formatFen } from '../core/money.js';

/** An exact amount: a number while it is a safe integer, a bigint beyond 2^53 − 1. */
export type ExactFen = number | bigint;

const SPLIT = 67_108_864; // 2^26

/** SELECT expressions summing integer column `col` exactly: `<alias>_hi`, `<alias>_lo` (text). */
export function exactSumColumns(col: string, alias: string): string {
  return `CAST(coalesce(sum(${col} / ${SPLIT}), 0) AS TEXT) AS ${alias}_hi, CAST(coalesce(sum(${col} % ${SPLIT}), 0) AS TEXT) AS ${alias}_lo`;
}

/** The exact sum from the two parts `exactSumColumns` selected. */
export function exactSum(hi: unknown, lo: unknown): ExactFen {
  const v = BigInt(String(hi ?? 0)) * BigInt(SPLIT) + BigInt(String(lo ?? 0));
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v;
}

/** 1350 → "13.50", at any size. */
export function formatExactFen(fen: ExactFen): string {
  if (typeof fen === 'number') return formatFen(fen);
  const sign = fen < 0n ? '-' : '';
  const abs = fen < 0n ? -fen : fen;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}

/**
 * JSON with every bigint written as an exact JSON number (digits, no quotes): amounts keep one
 * type, and a reader with big-number support (or a regex) gets every fen. JavaScript's own
 * JSON.parse rounds beyond 2^53 — read such reports with a big-number-aware parser.
 */
export function exactJson(value: unknown, indent?: number): string {
  const marker = '\u0000bigint:';
  const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${marker}${v}` : v), indent);
  return text.replace(/"\\u0000bigint:(-?\d+)"/g, '$1');
}
