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

/** Whether the sample is valid UTF-8, ignoring a sequence cut off at its end. */
function isUtf8(sample: Uint8Array, atEnd: boolean): boolean {
  let end = sample.length;
  if (!atEnd) {
    // Step back over a multi-byte sequence the sample cut in two.
    let i = end - 1;
    while (i >= 0 && i > end - 4 && (sample[i] & 0xc0) === 0x80) i--;
    if (i >= 0 && sample[i] >= 0xc0) end = i;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample.subarray(0, end));
    return true;
  } catch {
    return false;
  }
}
