// What a product file is written in: UTF-8 (with or without BOM), GB18030/GBK (Excel on
// Chinese Windows), UTF-16 (Excel's "Unicode text") — or not text at all (a PDF or an
// .xlsx renamed .csv, random bytes), which must be refused before anything is imported.

export type TextEncoding = 'utf-8' | 'gb18030' | 'utf-16le' | 'utf-16be';

export class NotTextError extends Error {}

const ALIASES: Record<string, TextEncoding> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  gb18030: 'gb18030',
  gbk: 'gb18030',
  gb2312: 'gb18030',
  cp936: 'gb18030',
  'utf-16le': 'utf-16le',
  utf16le: 'utf-16le',
  'utf-16be': 'utf-16be',
  utf16be: 'utf-16be',
};

/** "GBK" → gb18030 (its superset); undefined for names we do not read. */
export function normalizeEncoding(name: string): TextEncoding | undefined {
  return ALIASES[name.trim().toLowerCase()];
}

const MAGIC: Array<[number[], string]> = [
  [[0x25, 0x50, 0x44, 0x46], 'a PDF document'],
  [[0x50, 0x4b, 0x03, 0x04], 'a zip archive (an Excel .xlsx workbook?); open it in Excel and save it as "CSV UTF-8"'],
  [[0xd0, 0xcf, 0x11, 0xe0], 'an old Excel .xls workbook; open it in Excel and save it as "CSV UTF-8"'],
  [[0x1f, 0x8b], 'a gzip archive; unpack it first'],
  [[0x89, 0x50, 0x4e, 0x47], 'a PNG image'],
  [[0xff, 0xd8, 0xff], 'a JPEG image'],
  [[0x7b, 0x5c, 0x72, 0x74, 0x66], 'an RTF document'],
];

export interface Sniffed {
  encoding: TextEncoding;
  /** Bytes of byte-order mark at the start (skipped before parsing). */
  bomLength: number;
}

const startsWith = (buf: Uint8Array, bytes: number[]) => bytes.every((b, i) => buf[i] === b);

/**
 * Decides the encoding from the first bytes of the file (`atEnd`: the sample is the whole
 * file). `forced` skips detection but not the check that the file is text at all.
 */
export function sniffEncoding(sample: Uint8Array, atEnd: boolean, forced?: TextEncoding): Sniffed {
  for (const [magic, what] of MAGIC) if (startsWith(sample, magic)) throw new NotTextError(`this is ${what}, not a CSV file`);
  if (startsWith(sample, [0xef, 0xbb, 0xbf])) return { encoding: forced ?? 'utf-8', bomLength: 3 };
  if (startsWith(sample, [0xff, 0xfe])) return { encoding: forced ?? 'utf-16le', bomLength: 2 };
  if (startsWith(sample, [0xfe, 0xff])) return { encoding: forced ?? 'utf-16be', bomLength: 2 };
  if (startsWith(sample, [0x84, 0x31, 0x95, 0x33])) return { encoding: forced ?? 'gb18030', bomLength: 4 };
  if (forced?.startsWith('utf-16')) return { encoding: forced, bomLength: 0 };
  let controls = 0;
  for (let i = 0; i < sample.length; i++) {
    const b = sample[i];
    if (b === 0) throw new NotTextError('it holds NUL bytes, so it is not a text (CSV) file');
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x1a) controls++;
  }
  if (controls > 0 && controls * 100 > sample.length) throw new NotTextError('it holds binary data, so it is not a text (CSV) file');
  if (forced) return { encoding: forced, bomLength: 0 };
  return { encoding: isUtf8(sample, atEnd) ? 'utf-8' : 'gb18030', bomLength: 0 };
}

/**
 * Whether the sample is UTF-8: valid throughout, or valid multi-byte sequences outnumber the
 * invalid bytes (a UTF-8 file with a few GBK rows pasted in: those rows are refused one by
 * one). GBK text almost never forms valid UTF-8 sequences. A sequence cut off at the end of
 * the sample does not count.
 */
function isUtf8(sample: Uint8Array, atEnd: boolean): boolean {
  let valid = 0;
  let invalid = 0;
  const n = sample.length;
  for (let i = 0; i < n; ) {
    const b = sample[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    const len = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (len === 0) {
      invalid++;
      i++;
      continue;
    }
    if (i + len > n && !atEnd) break;
    let ok = i + len <= n;
    for (let k = 1; ok && k < len; k++) ok = (sample[i + k] & 0xc0) === 0x80;
    if (ok) {
      valid++;
      i += len;
    } else {
      invalid++;
      i++;
    }
  }
  return invalid === 0 || valid > invalid;
}
