// One CSV record → a validated ProductInput, or the reason it cannot be imported. Pure: no
// database, so HQ's catalog import validates rows exactly as a till does.
import { BarcodeError, hasValidCheckDigit, validateBarcode } from '../core/barcode.js';
import { describeControlChar, LIMITS } from '../core/limits.js';
import { MoneyParseError, parseYuan } from '../core/money.js';
import type { ProductInput } from '../db/products-write.js';
import type { Layout } from './columns.js';
import { SeenCodes } from './seen.js';

// The limits of core/limits.ts, which the product writers at the till and HQ also hold to.
const MAX_NAME = LIMITS.productName;

const YES = new Set(['1', 'y', 'yes', 'true', 't', '是', '称重', '√', 'on']);
const NO = new Set(['0', 'n', 'no', 'false', 'f', '否', '不称重', '', 'off']);

export class RowError extends Error {}

/**
 * Undoes the CSV-injection guard of our own exports ("'=abc" → "=abc") so that an exported
 * file imports back unchanged.
 */
export function unguard(cell: string): string {
  return cell.length > 1 && cell.charCodeAt(0) === 39 && /^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell;
}

/** Line breaks and tabs inside a quoted cell (Alt+Enter in Excel): one space on a product. */
const CELL_BREAKS = /[\t\r\n]+/g;
/** Any other control character: a NUL, printer commands (ESC, GS), DEL, C1. */
// eslint-disable-next-line no-control-regex
const BAD_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

function text(cell: string | undefined, what: string, max: number): string {
  const s = unguard((cell ?? '').trim()).replace(CELL_BREAKS, ' ').trim();
  if (s.length > max) throw new RowError(`${what} is longer than ${max} characters ("${s.slice(0, 20)}…")`);
  return s;
}

/**
 * Checks one barcode cell value. Beyond `validateBarcode` (check digits, Excel's scientific
 * notation), refuses codes whose leading zeros were added or lost on the way through a
 * spreadsheet: such a code would import without error and never scan.
 */
export function importBarcode(raw: string): string {
  if (raw.length === 13 && isEan13(raw)) return raw; // nearly every row: skip the regexes
  const code = unguard(raw.trim());
  if (/^\d+$/.test(code)) {
    if (code.length === 14 && code.startsWith('0') && hasValidCheckDigit(code.slice(1))) {
      throw new RowError(`barcode ${code} is the EAN-13 ${code.slice(1)} padded with a leading 0; write it as ${code.slice(1)}`);
    }
    if (code.length === 11 && hasValidCheckDigit('0' + code)) {
      throw new RowError(`barcode ${code} looks like the UPC-A 0${code} with its leading 0 lost (Excel drops it); format the column as text and export again`);
    }
  }
  try {
    return validateBarcode(code);
  } catch (e) {
    if (e instanceof BarcodeError) throw new RowError(e.message);
    throw e;
  }
}

/** 13 digits with a correct GS1 check digit. */
function isEan13(s: string): boolean {
  let sum = 0;
  for (let i = 0; i < 12; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    sum += i % 2 === 0 ? d : d * 3;
  }
  const check = s.charCodeAt(12) - 48;
  return check >= 0 && check <= 9 && (10 - (sum % 10)) % 10 === check;
}

/**
 * "12", "12.5", "12.50" → fen from the digits, as parseYuan would (no float); undefined for
 * anything else, which parseYuan then accepts or explains.
 */
function plainYuan(s: string): number | undefined {
  const n = s.length;
  if (n === 0 || n > 14) return undefined;
  let yuan = 0;
  let i = 0;
  for (; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    yuan = yuan * 10 + d;
  }
  if (i === 0 || i > 11) return undefined;
  if (i === n) return yuan * 100;
  if (s.charCodeAt(i) !== 46 || n - i > 3) return undefined;
  let fen = 0;
  for (let k = i + 1; k < i + 3; k++) {
    const d = k < n ? s.charCodeAt(k) - 48 : 0;
    if (d < 0 || d > 9) return undefined;
    fen = fen * 10 + d;
  }
  return yuan * 100 + fen;
}

function price(cell: string | undefined): number {
  const fast = cell === undefined ? undefined : plainYuan(cell);
  if (fast !== undefined) return fast;
  try {
    return parseYuan(cell ?? '');
  } catch (e) {
    if (e instanceof MoneyParseError) throw new RowError(e.message);
    throw e;
  }
}

function weighed(cell: string): boolean | undefined {
  const v = cell.trim().toLowerCase();
  if (v === '') return undefined;
  if (YES.has(v)) return true;
  if (NO.has(v)) return false;
  throw new RowError(`weighed must be yes/no (是/否, 1/0), got "${cell.trim()}"`);
}

function plu(cell: string): string | undefined {
  const v = cell.trim();
  if (v === '') return undefined;
  // Spreadsheets drop leading zeros from item codes: 123 is item 00123.
  if (!/^\d{1,5}$/.test(v)) throw new RowError(`PLU (scale item code) must be up to 5 digits, got "${v}"`);
  return v.padStart(5, '0');
}

/** Validates records in file order and remembers codes, so a repeated barcode or PLU is refused. */
export class RowValidator {
  private barcodes: SeenCodes;
  private plus = new Map<string, number>();

  /** `expectedRows`: an estimate of the file's rows, to size the table of seen barcodes. */
  constructor(
    private layout: Layout,
    private encodingHint: string,
    expectedRows = 0,
  ) {
    this.barcodes = new SeenCodes(expectedRows);
  }

  /** Returns the product, or throws RowError with the reason. */
  /**
   * `mayHoldBadBytes` / `mayHoldControls`: the input so far held a U+FFFD / a control character,
   * so the row's cells must be searched for one (true unless the reader knows better).
   */
  validate(record: string[], line: number, mayHoldBadBytes = true, mayHoldControls = true): ProductInput {
    const { index } = this.layout;
    if (mayHoldBadBytes && record.some((c) => c.includes('\uFFFD'))) {
      throw new RowError(`the line holds bytes that are not valid ${this.encodingHint}; the file mixes encodings, save it again as one (UTF-8 or GB18030)`);
    }
    // A NUL or another control character in any cell, wherever it is in the file (the encoding
    // sniffer only reads the first 64 KB): stored, it would get every sale of the product
    // quarantined at HQ, or send commands to the receipt printer.
    // Line breaks inside a quoted cell become spaces (text() below).
    for (let i = 0; mayHoldControls && i < record.length; i++) {
      if (BAD_CONTROL.test(record[i])) throw new RowError(`column ${i + 1} holds a control character (${describeControlChar(record[i].replace(CELL_BREAKS, ' '))}); remove it and import the row again`);
    }
    const name = text(record[index.name!], 'name', MAX_NAME);
    if (!name) throw new RowError('name is empty');
    const priceFen = price(record[index.price!]);
    const codes: string[] = [];
    if (index.barcode !== undefined) {
      const cell = record[index.barcode] ?? '';
      if (cell.trim() !== '') for (const part of cell.split('|')) if (part.trim() !== '') codes.push(importBarcode(part));
    }
    const p: ProductInput = { name, priceFen, barcodes: codes };
    if (index.unit !== undefined) p.unit = text(record[index.unit], 'unit', LIMITS.unit);
    if (index.category !== undefined) p.category = text(record[index.category], 'category', LIMITS.category);
    if (index.weighed !== undefined) {
      const w = weighed(record[index.weighed] ?? '');
      if (w !== undefined) p.weighed = w;
    }
    const pluCode = index.plu !== undefined ? plu(record[index.plu] ?? '') : undefined;
    if (pluCode !== undefined) p.plu = pluCode;
    if (codes.length === 0 && pluCode === undefined) {
      throw new RowError('no barcode and no PLU; a product needs one so that importing again updates it instead of adding a copy');
    }
    // Only a row that passed every check claims its codes.
    if (pluCode !== undefined) {
      const first = this.plus.get(pluCode);
      if (first !== undefined) throw new RowError(`PLU ${pluCode} is already on line ${first} of this file`);
    }
    if (codes.length === 1) {
      const first = this.barcodes.firstSeen(codes[0], line);
      if (first !== undefined) throw new RowError(`barcode ${codes[0]} is already on line ${first} of this file`);
    } else if (codes.length > 1) {
      p.barcodes = [...new Set(codes)];
      for (const code of p.barcodes) {
        const first = this.barcodes.get(code);
        if (first !== undefined) throw new RowError(`barcode ${code} is already on line ${first} of this file`);
      }
      for (const code of p.barcodes) this.barcodes.firstSeen(code, line);
    }
    if (pluCode !== undefined) this.plus.set(pluCode, line);
    return p;
  }
}
