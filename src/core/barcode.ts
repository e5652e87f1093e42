// Barcodes: GTIN check digits, in-store weighed/priced codes, payment codes, and the routing
// of one scanned code (DESIGN.md, "Scanning"): payment code → in-store code → GTIN → internal.

export type GtinKind = 'EAN-13' | 'EAN-8' | 'UPC-A';

/** GS1 mod-10 check digit for the digits before the check digit. */
export function gs1CheckDigit(body: string): number {
  let sum = 0;
  // Weights alternate 3,1,3,… starting from the rightmost digit of the body.
  for (let i = body.length - 1, w = 3; i >= 0; i--, w = w === 3 ? 1 : 3) {
    sum += (body.charCodeAt(i) - 48) * w;
  }
  return (10 - (sum % 10)) % 10;
}

export function gtinKind(code: string): GtinKind | undefined {
  if (!/^\d+$/.test(code)) return undefined;
  if (code.length === 13) return 'EAN-13';
  if (code.length === 12) return 'UPC-A';
  if (code.length === 8) return 'EAN-8';
  return undefined;
}

export function hasValidCheckDigit(code: string): boolean {
  if (!gtinKind(code)) return false;
  return gs1CheckDigit(code.slice(0, -1)) === code.charCodeAt(code.length - 1) - 48;
}

/** Appends the GS1 check digit: "690123456789" → "6901234567892". */
export function withCheckDigit(body: string): string {
  return body + gs1CheckDigit(body);
}

export class BarcodeError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'BarcodeError';
  }
}

/**
 * Validates a barcode given to the catalog. GTINs (8, 12, 13 digits) must carry a correct
 * check digit; other codes (internal codes, 1–32 letters/digits/-) are accepted as they are.
 * Returns the code unchanged (leading zeros matter: "06901234567892" is not "6901234567892").
 */
export function validateBarcode(input: string): string {
  const code = String(input).trim();
  if (code === '') throw new BarcodeError(code, 'the barcode is empty');
  if (/^\d(\.\d+)?E\+\d+$/i.test(code)) {
    throw new BarcodeError(code, `"${code}" looks like a barcode that Excel turned into scientific notation; format the column as text and export again`);
  }
  if (gtinKind(code)) {
    if (!hasValidCheckDigit(code)) {
      const expected = gs1CheckDigit(code.slice(0, -1));
      throw new BarcodeError(code, `barcode ${code} has a wrong check digit (the last digit should be ${expected}); check the code`);
    }
    return code;
  }
  if (!/^[0-9A-Za-z-]{1,32}$/.test(code)) {
    throw new BarcodeError(code, `"${code}" is not a barcode: use 8/12/13 digits (EAN/UPC) or an internal code of letters, digits and -`);
  }
  return code;
}

// ---- in-store codes (scales and price labels) -------------------------------------------

/**
 * A rule for in-store EAN-13 codes printed by scales: `prefix` + item code + value + check.
 * Positions are 0-based [start, end) within the 13 digits. The common layout
 * `2` + flag + 5-digit item + 5-digit price or weight + check digit is the default.
 */
export interface InStoreRule {
  prefix: string;
  itemStart: number;
  itemEnd: number;
  valueStart: number;
  valueEnd: number;
  /** price: value is the line price in fen; weight: value is grams. */
  value: 'price' | 'weight';
}

export const DEFAULT_IN_STORE_RULES: InStoreRule[] = [
  { prefix: '20', itemStart: 2, itemEnd: 7, valueStart: 7, valueEnd: 12, value: 'price' },
  { prefix: '21', itemStart: 2, itemEnd: 7, valueStart: 7, valueEnd: 12, value: 'price' },
  { prefix: '22', itemStart: 2, itemEnd: 7, valueStart: 7, valueEnd: 12, value: 'weight' },
  { prefix: '23', itemStart: 2, itemEnd: 7, valueStart: 7, valueEnd: 12, value: 'weight' },
];

export interface InStoreCode {
  itemCode: string;
  priceFen?: number;
  grams?: number;
}

export function parseInStoreCode(code: string, rules: InStoreRule[] = DEFAULT_IN_STORE_RULES): InStoreCode | undefined {
  if (code.length !== 13 || !/^\d{13}$/.test(code)) return undefined;
  const rule = rules.find((r) => code.startsWith(r.prefix));
  if (!rule) return undefined;
  if (!hasValidCheckDigit(code)) return undefined;
  const itemCode = code.slice(rule.itemStart, rule.itemEnd);
  const value = Number(code.slice(rule.valueStart, rule.valueEnd));
  return rule.value === 'price' ? { itemCode, priceFen: value } : { itemCode, grams: value };
}

// ---- payment codes ----------------------------------------------------------------------

export type PaymentCodeKind = 'wechat' | 'alipay';

const PAYMENT_CODE_PATTERNS: Array<[PaymentCodeKind, RegExp]> = [
  ['wechat', /^1[0-5]\d{16}$/],
  ['alipay', /^(2[5-9]|30)\d{14,22}$/],
];

export function paymentCodeKind(code: string): PaymentCodeKind | undefined {
  return PAYMENT_CODE_PATTERNS.find(([, re]) => re.test(code))?.[0];
}

// ---- routing one scan -------------------------------------------------------------------

export type Scan =
  | { kind: 'payment'; code: string; method: PaymentCodeKind }
  | ({ kind: 'in-store'; code: string } & InStoreCode)
  | { kind: 'gtin'; code: string; gtin: GtinKind }
  | { kind: 'bad-check-digit'; code: string }
  | { kind: 'internal'; code: string }
  | { kind: 'text'; text: string };

/**
 * Routes one finished code in the order DESIGN.md fixes: payment code, in-store code, GTIN,
 * internal code. Anything with letters or spaces that is not a code is search text.
 */
export function parseScan(input: string, rules: InStoreRule[] = DEFAULT_IN_STORE_RULES): Scan {
  const code = input.trim();
  const method = paymentCodeKind(code);
  if (method) return { kind: 'payment', code, method };
  const inStore = parseInStoreCode(code, rules);
  if (inStore) return { kind: 'in-store', code, ...inStore };
  const gtin = gtinKind(code);
  if (gtin) return hasValidCheckDigit(code) ? { kind: 'gtin', code, gtin } : { kind: 'bad-check-digit', code };
  if (/^[0-9A-Za-z-]{1,32}$/.test(code) && /\d/.test(code)) return { kind: 'internal', code };
  return { kind: 'text', text: input };
}
