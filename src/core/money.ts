// Money is an integer number of fen (分) everywhere. Prices typed or imported as yuan are
// parsed straight from their digits, never through parseFloat, and there is exactly one
// rounding rule: half-up (away from zero for the magnitude), used for weighed lines and
// percentage discounts.

export type Fen = number;

const YUAN_RE = /^(-)?(\d+)(?:\.(\d{0,2}))?$/;

export class MoneyParseError extends Error {
  constructor(
    readonly input: string,
    reason: string,
  ) {
    super(`"${input}" is not a valid price: ${reason}`);
    this.name = 'MoneyParseError';
  }
}

export interface ParseYuanOptions {
  allowNegative?: boolean;
  allowZero?: boolean;
}

/**
 * Parses a price typed in yuan ("12", "12.5", "¥12.50", "￥0.99", " 3.5 ") to fen.
 * Rejects more than two decimals, exponents, thousands separators, text and (unless allowed)
 * negative amounts, each with a reason a person can act on.
 */
export function parseYuan(input: string, opts: ParseYuanOptions = {}): Fen {
  const raw = String(input);
  let s = raw.trim().replace(/^[¥￥]\s*/, '').replace(/\s*(元|RMB|CNY)$/i, '');
  if (s.startsWith('-') && /^-\s*[¥￥]/.test(s)) s = '-' + s.replace(/^-\s*[¥￥]\s*/, '');
  if (s === '') throw new MoneyParseError(raw, 'it is empty; type an amount in yuan such as 3.50');
  if (/e/i.test(s)) throw new MoneyParseError(raw, 'scientific notation is not a price; type it in full, e.g. 1000');
  if (/,/.test(s)) throw new MoneyParseError(raw, 'remove the thousands separator (write 1234.50)');
  const m = YUAN_RE.exec(s);
  if (!m) {
    if (/^-?\d*\.\d{3,}$/.test(s)) throw new MoneyParseError(raw, 'more than two decimals; prices are in yuan with at most 2 decimals (fen)');
    throw new MoneyParseError(raw, 'type an amount in yuan such as 3.50');
  }
  const [, minus, intPart, frac = ''] = m;
  if (intPart.length > 11) throw new MoneyParseError(raw, 'the amount is too large');
  const fen = Number(intPart) * 100 + Number((frac + '00').slice(0, 2));
  if (minus && fen !== 0 && !opts.allowNegative) throw new MoneyParseError(raw, 'a price cannot be negative');
  if (fen === 0 && opts.allowZero === false) throw new MoneyParseError(raw, 'the amount must be more than 0');
  return minus ? -fen : fen;
}

/** 1350 → "13.50"; -5 → "-0.05". */
export function formatFen(fen: Fen): string {
  assertFen(fen);
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** 1350 → "¥13.50". */
export function formatYuan(fen: Fen): string {
  const s = formatFen(fen);
  return s.startsWith('-') ? `-¥${s.slice(1)}` : `¥${s}`;
}

export function assertFen(value: unknown, what = 'amount'): asserts value is Fen {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new TypeError(`${what} must be an integer number of fen, got ${String(value)}`);
  }
}

/**
 * The one rounding function: numerator / denominator rounded half-up (ties away from zero).
 * Integer arithmetic only (BigInt when the product might leave the safe range).
 */
export function divRoundHalfUp(numerator: number, denominator: number): number {
  if (!Number.isSafeInteger(numerator) || !Number.isSafeInteger(denominator) || denominator === 0) {
    throw new TypeError(`divRoundHalfUp needs integers and a non-zero denominator (${numerator}/${denominator})`);
  }
  const neg = numerator < 0 !== denominator < 0;
  const n = BigInt(Math.abs(numerator));
  const d = BigInt(Math.abs(denominator));
  const q = (n * 2n + d) / (d * 2n);
  const r = Number(q);
  return neg ? -r : r;
}

/** Price of a weighed line: price per kg (fen) × grams, rounded half-up to the fen. */
export function weighedLineFen(pricePerKgFen: Fen, grams: number): Fen {
  return divRoundHalfUp(pricePerKgFen * grams, 1000);
}

/** A percentage given in basis points (10% = 1000 bp) of an amount, rounded half-up. */
export function percentOfFen(amount: Fen, basisPoints: number): Fen {
  return divRoundHalfUp(amount * basisPoints, 10000);
}

/** Parses a percentage typed by a person ("10", "10%", "12.5%") to basis points. */
export function parsePercent(input: string): number {
  const s = input.trim().replace(/%$/, '');
  const m = /^(\d{1,3})(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) throw new MoneyParseError(input, 'type a percentage such as 10 or 12.5%');
  const bp = Number(m[1]) * 100 + Number(((m[2] ?? '') + '00').slice(0, 2));
  if (bp > 10000) throw new MoneyParseError(input, 'a percentage cannot be above 100');
  return bp;
}
