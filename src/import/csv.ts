// A product file → validated rows with their line numbers, streamed (the file is never loaded
// whole). Independent of any database: a till's `till products import` and HQ's catalog
// import read files through here and get the same rows, reasons and line numbers.
//
//   for await (const row of parseProductCsv('catalog.csv', { pinyin: true })) {
//     if (row.error) console.error(`line ${row.line}: ${row.error}`);
//     else upsert(row.product!, row.pinyin);
//   }
import { isUtf8 } from 'node:buffer';
import { createReadStream, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import Papa from 'papaparse';
import iconv from 'iconv-lite';
import type { ProductInput } from '../db/products-write.js';
import { UserError } from '../errors.js';
import { ColumnError, type ColumnMap, type Layout, looksLikeHeader, resolveLayout } from './columns.js';
import { NotTextError, type TextEncoding, normalizeEncoding, sniffEncoding } from './encoding.js';
import { InitialsCache } from './pinyin.js';
import { RowError, RowValidator } from './rows.js';

/** A path, the whole content, or a stream of chunks (process.stdin, an HTTP body). */
export type CsvInput = string | Uint8Array | AsyncIterable<Uint8Array | string>;

export interface ParseOptions {
  /** 'auto' (default) detects UTF-8 (BOM or not), GB18030/GBK and UTF-16 with BOM. */
  encoding?: 'auto' | string;
  /** Field separator; detected from the header line (, ; tab |) when not given. */
  delimiter?: string;
  /** Field → column (header name or 1-based number) for layouts the aliases do not know. */
  map?: ColumnMap;
  /** Also compute the pinyin initials of each valid row's name. */
  pinyin?: boolean;
  /** Rows per batch from `batches()` (default 5,000). */
  batchSize?: number;
  /** Longest record accepted, in bytes (default 1 MiB). */
  maxRecordBytes?: number;
  /** Name of the input in messages (default: the path, or "input"). */
  label?: string;
}

export interface ParsedRow {
  /** Line in the file where the record starts (1 = the first line). */
  line: number;
  product?: ProductInput;
  /** Pinyin initials of product.name, with `pinyin: true`. */
  pinyin?: string;
  /** Why the row cannot be imported. */
  error?: string;
  /** The record's cells as read, for rejected rows (to write a rejects file). */
  cells?: string[];
}

export interface CsvInfo {
  encoding: TextEncoding;
  bom: boolean;
  delimiter: string;
  /** The header row as read, and the line it is on. */
  header: string[];
  headerLine: number;
  layout: Layout;
}

export interface ProductCsv {
  info: CsvInfo;
  /** Validated rows in file order, a batch at a time. */
  batches(): AsyncGenerator<ParsedRow[]>;
  /** Bytes of the input consumed so far (progress). */
  bytesRead(): number;
}

/** The file cannot be read as a product CSV at all (exit 1, nothing imported). */
export class CsvFileError extends UserError {
  constructor(message: string) {
    super(message, 'E_IMPORT_FILE');
  }
}

const SAMPLE_BYTES = 64 * 1024;
/** Small reads keep few records alive at once (an import stays under 200 MiB). */
const READ_CHUNK = 64 * 1024;
const DELIMITERS = [',', ';', '\t', '|'];
const HEADER_SEARCH_LINES = 10;

/** Rows of a product file, one at a time. */
export async function* parseProductCsv(input: CsvInput, opts: ParseOptions = {}): AsyncGenerator<ParsedRow> {
  const csv = await openProductCsv(input, opts);
  for await (const batch of csv.batches()) yield* batch;
}

/** Reads the head of the input (encoding, delimiter, header) and returns a reader for the rows. */
export async function openProductCsv(input: CsvInput, opts: ParseOptions = {}): Promise<ProductCsv> {
  const label = opts.label ?? (typeof input === 'string' ? input : 'input');
  const source = chunksOf(input, label);
  let bytes = 0;
  const head: Buffer[] = [];
  let headBytes = 0;
  let ended = false;
  for (;;) {
    const next = await source.next();
    if (next.done) {
      ended = true;
      break;
    }
    head.push(next.value);
    headBytes += next.value.length;
    if (headBytes >= SAMPLE_BYTES) break;
  }
  const sample = Buffer.concat(head);
  if (sample.length === 0) throw new CsvFileError(`${label} is empty; export the products with a header row (条码,名称,售价 / barcode,name,price)`);

  let forced: TextEncoding | undefined;
  if (opts.encoding && opts.encoding !== 'auto') {
    forced = normalizeEncoding(opts.encoding);
    if (!forced) throw new CsvFileError(`--encoding: "${opts.encoding}" is not one I read; use utf-8, gb18030 (also for GBK) or utf-16le`);
  }
  let sniffed;
  try {
    sniffed = sniffEncoding(sample, ended, forced);
  } catch (e) {
    if (e instanceof NotTextError) throw new CsvFileError(`${label} cannot be imported: ${e.message}`);
    throw e;
  }
  const { encoding, bomLength } = sniffed;

  // Header and delimiter from the decoded sample.
  const sampleText = encoding !== 'utf-8' ? iconv.decode(sample, encoding) : sample.subarray(bomLength).toString('utf8');
  const found = findHeader(sampleText, opts);
  let header: string[] | undefined;
  let headerLine = 0;
  let layout: Layout | undefined;

  const maxRecordBytes = opts.maxRecordBytes ?? 1024 * 1024;
  const batchSize = opts.batchSize ?? 5_000;
  const records: RecordSink = { cells: [], lines: [] };
  const reader = new CsvRecords(found.delimiter, found.line, maxRecordBytes);
  // The reader decodes UTF-8 itself (a UTF-8 file goes in as read); other encodings go in as
  // text from iconv.
  const decoder = encoding === 'utf-8' ? undefined : iconv.getDecoder(encoding, { stripBOM: true });
  const utf8 = decoder ? undefined : new Utf8Check();
  // Rows are searched for U+FFFD (bytes not valid in the encoding) once the input holds one,
  // and for control characters (a NUL…) once the input holds one, wherever it is in the file.
  let badBytes = false;
  let controls = false;
  const controlBytes = new ControlBytes();
  const feed = (buf: Buffer | undefined) => {
    const end = buf === undefined;
    let input: Buffer | string | undefined = buf;
    if (decoder) {
      const text = buf ? decoder.write(buf) : (decoder.end() ?? '');
      if (!badBytes && text.includes('\uFFFD')) badBytes = true;
      if (!controls && CONTROL_TEXT.test(text)) controls = true;
      input = text.length > 0 ? text : undefined;
    } else {
      if (!badBytes) badBytes = buf ? utf8!.write(buf) : utf8!.end();
      if (!controls && buf) controls = controlBytes.write(buf);
    }
    if (!input && !end) return;
    try {
      reader.push(input, end, records);
    } catch (e) {
      if (e instanceof CsvReadError) {
        if (e.kind === 'other') throw new CsvFileError(`${label} line ${e.line}: ${e.message}`);
        const what = e.kind === 'too-long' ? `a record longer than ${Math.round(maxRecordBytes / 1024)} KiB` : 'a quoted field that never ends';
        throw new CsvFileError(`${label} line ${e.line}: ${what}; a quote (") opened there is probably not closed. Fix the file and import it again`);
      }
      throw e;
    }
  };
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    feed(undefined);
  };

  // The header is the first record read.
  const first = Buffer.concat(head);
  bytes = first.length;
  feed(first);
  while (records.cells.length === 0 && !ended) {
    const next = await source.next();
    if (next.done) {
      ended = true;
      break;
    }
    bytes += next.value.length;
    feed(next.value);
  }
  if (records.cells.length === 0 && ended) finish();
  if (records.cells.length === 0) throw new CsvFileError(`${label} has no header row; the first line should name the columns (条码,名称,售价 / barcode,name,price)`);
  header = records.cells[0].map((c) => c.replace(/^\uFEFF/, '').trim());
  headerLine = records.lines[0];
  records.cells.shift();
  records.lines.shift();
  try {
    layout = resolveLayout(header, opts.map);
  } catch (e) {
    if (e instanceof ColumnError) {
      const hint = found.delimiter === ',' && header.length === 1 && /[;\t|]/.test(header[0]) ? ' (is the file separated by ; or tabs? pass --delimiter)' : '';
      throw new CsvFileError(`${label} line ${headerLine}: ${e.message}${hint}`);
    }
    throw e;
  }
  const info: CsvInfo = { encoding, bom: bomLength > 0, delimiter: found.delimiter, header, headerLine, layout };
  // Rows the file will hold, from its size and the sample's bytes per line (paths only).
  let expectedRows = 0;
  if (typeof input === 'string' && !ended) {
    try {
      const newlines = sample.reduce((n, b) => (b === 10 ? n + 1 : n), 0);
      if (newlines > 0) expectedRows = Math.ceil((statSync(input).size / sample.length) * newlines * 1.05);
    } catch {
      // a pipe or a vanished file: the table grows as it goes
    }
  }
  const validator = new RowValidator(layout, encoding === 'utf-8' ? 'UTF-8' : encoding.toUpperCase(), expectedRows);
  const initials = opts.pinyin ? new InitialsCache() : undefined;
  const width = header.length;
  const tooMany = (n: number) =>
    `the line has ${n} fields but the header has ${width}; put values that hold a "${found.delimiter === '\t' ? 'tab' : found.delimiter}" in double quotes`;

  const toRows = (out: ParsedRow[]) => {
    const { cells, lines } = records;
    for (let i = 0; i < cells.length; i++) {
      const record = cells[i];
      const line = lines[i];
      try {
        if (record.length > width && extraCells(record, width)) throw new RowError(tooMany(record.length));
        const product = validator.validate(record, line, badBytes, controls);
        out.push(initials ? { line, product, pinyin: initials.initials(product.name) } : { line, product });
      } catch (e) {
        if (!(e instanceof RowError)) throw e;
        out.push({ line, error: e.message, cells: record });
      }
    }
    records.cells = [];
    records.lines = [];
  };

  async function* batches(): AsyncGenerator<ParsedRow[]> {
    let out: ParsedRow[] = [];
    toRows(out);
    while (!ended) {
      const next = await source.next();
      if (next.done) break;
      bytes += next.value.length;
      feed(next.value);
      toRows(out);
      if (out.length >= batchSize) {
        yield out;
        out = [];
      }
    }
    finish();
    toRows(out);
    if (out.length) yield out;
  }

  return { info, batches, bytesRead: () => bytes };
}

function extraCells(record: string[], width: number): boolean {
  for (let i = width; i < record.length; i++) if (record[i].trim() !== '') return true;
  return false;
}

/** Records read from a chunk: cells and the line each starts on. */
interface RecordSink {
  cells: string[][];
  lines: number[];
}

class CsvReadError extends Error {
  constructor(
    readonly kind: 'too-long' | 'unclosed' | 'other',
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

/** A record papaparse read, with whether its quote never closed. */
interface PapaRows {
  rows: string[][];
  /** Where the unread text starts (the first record not complete yet). */
  cursor: number;
  /** The text the rows were read from (a quote papaparse cannot read is escaped in it). */
  text: string;
  /** Index in `rows` of a record whose quote never closed (only at the end of the input). */
  unclosed: number;
}

/** papaparse's errors for a quote it cannot read: an opening quote never closed, or text after a closing one. */
const INVALID = 'InvalidQuotes';
const MISSING = 'MissingQuotes';
/** Text the slow path (a malformed quote) reads at a time, so a swallowed line costs little. */
const REPAIR_WINDOW = 4096;

/**
 * Records of a product file from papaparse, fed text (or UTF-8 bytes) a chunk at a time, each
 * with the line it starts on. Read as Excel and legacy systems write files: `,` `;` tab or `|`
 * between fields, CRLF, LF or CR between records (mixed too), fields in double quotes holding
 * delimiters, `""` and line breaks; lenient where spreadsheets are (a quote inside an unquoted
 * field is a plain character; text after a closing quote keeps the field as written, `"12" x`);
 * spaces between a closing quote and the delimiter or line end are dropped (`"x" ,` → x); blank
 * lines and rows of empty cells are skipped. The lines before `fromLine` (a title row above the
 * header) are passed over as lines, as findHeader split them, not read as CSV.
 *
 * papaparse splits records on one kind of line break, so every CR LF and lone CR goes in as
 * LF; the kind of each line break still unread is kept (`kinds`, only once the input has held
 * a CR) to put the original back into the cells that hold line breaks. With one LF per line
 * break, a record starts on the line after the previous record's start plus the line breaks
 * in its cells. papaparse reads on past a closing quote followed by text (`"12" x`), up to the
 * next quote; such a field is escaped and read again as written (the text in a small window at
 * a time, so a file full of them stays linear).
 */
export class CsvRecords {
  private readonly decoder = new StringDecoder('utf8');
  private readonly parser: Papa.Parser;
  /** Text read and not yet a whole record (line breaks as LF). */
  private rest = '';
  /** The original of each LF in `rest`: n (LF), c (CR LF), r (CR); null while all are LF. */
  private kinds: string | null = null;
  /** A CR at the end of the last chunk (an LF may follow in the next). */
  private heldCr = false;
  private started = false;
  /** Lines still to pass over before `fromLine`. */
  private skip: number;
  /** The line the next record starts on. */
  private line: number;

  constructor(
    private readonly delimiter: string,
    fromLine: number,
    private readonly maxRecordBytes: number,
  ) {
    this.parser = new Papa.Parser({ delimiter, newline: '\n', quoteChar: '"' });
    this.skip = Math.max(0, fromLine - 1);
    this.line = 1;
  }

  /** Reads `input` (UTF-8 bytes or text; undefined: none) into `sink`; `end` when the input is over. */
  push(input: Buffer | string | undefined, end: boolean, sink: RecordSink): void {
    let text = input === undefined ? '' : typeof input === 'string' ? input : this.decoder.write(input);
    if (end) text += this.decoder.end();
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (this.heldCr) {
      text = '\r' + text;
      this.heldCr = false;
    }
    if (!end && text.charCodeAt(text.length - 1) === 13) {
      text = text.slice(0, -1);
      this.heldCr = true;
    }
    if (text.indexOf('\r') !== -1) {
      let kinds = this.kinds ?? 'n'.repeat(countLf(this.rest));
      text = text.replace(/\r\n|\r|\n/g, (m) => {
        kinds += m === '\n' ? 'n' : m === '\r' ? 'r' : 'c';
        return '\n';
      });
      this.kinds = kinds;
    } else if (this.kinds !== null) this.kinds += 'n'.repeat(countLf(text));
    let all = this.rest.length > 0 ? this.rest + text : text;
    while (this.skip > 0) {
      const nl = all.indexOf('\n');
      if (nl === -1) break;
      all = all.slice(nl + 1);
      if (this.kinds !== null) this.kinds = this.kinds.slice(1);
      this.skip--;
      this.line++;
    }
    if (this.skip > 0) {
      this.rest = end ? '' : all;
      return;
    }
    const read = this.read(all, end);
    const { rows } = read;
    const quoted = read.text.indexOf('"') !== -1;
    // Line breaks consumed: one after each record, and those in its cells.
    let ord = 0;
    for (let i = 0; i < rows.length; i++) {
      const record = rows[i];
      const line = this.line;
      let inCells = 0;
      if (quoted) {
        for (const cell of record) if (cell.length > 0) inCells += countLf(cell);
        if (inCells > 0 && this.kinds !== null) restoreBreaks(record, this.kinds, ord);
      }
      if (i === read.unclosed) throw new CsvReadError('unclosed', line, 'Quoted field unterminated');
      if (read.text.length > this.maxRecordBytes && recordBytes(record) > this.maxRecordBytes) throw new CsvReadError('too-long', line, 'record too long');
      this.line += inCells + 1;
      ord += inCells + 1;
      if (blank(record)) continue;
      sink.cells.push(record);
      sink.lines.push(line);
    }
    this.rest = end ? '' : read.text.substring(read.cursor);
    if (this.kinds !== null) {
      this.kinds = end ? null : this.kinds.substring(ord);
      if (this.kinds !== null && !/[cr]/.test(this.kinds)) this.kinds = null;
    }
    // The record not complete yet starts on this.line.
    if (this.rest.length * 3 > this.maxRecordBytes && Buffer.byteLength(this.rest) > this.maxRecordBytes) throw new CsvReadError('too-long', this.line, 'record too long');
  }

  /** Whole records of `text` (all of it at the end of the input). */
  private read(text: string, end: boolean): PapaRows {
    const res = this.parser.parse(text, 0, !end) as Papa.ParseResult<string[]>;
    let unclosed = -1;
    for (const e of res.errors) {
      if (e.code === INVALID) return this.repair(text, end);
      if (e.code === MISSING) unclosed = e.row ?? res.data.length - 1;
    }
    return { rows: res.data, cursor: res.meta.cursor, text, unclosed };
  }

  /**
   * The slow path, for text holding a field papaparse cannot read (`"12" x`): read a window at a
   * time, record by record; a malformed field is escaped as written (`"""12"" x"`) and the
   * window read again from its record.
   */
  private repair(text: string, end: boolean): PapaRows {
    const rows: string[][] = [];
    let pos = 0;
    let size = REPAIR_WINDOW;
    for (;;) {
      let stop = text.length;
      let last = end;
      if (text.length - pos > size) {
        const nl = text.indexOf('\n', pos + size);
        if (nl !== -1 && nl + 1 < text.length) {
          stop = nl + 1;
          last = false;
        }
      }
      const window = text.substring(pos, stop);
      const got: Array<{ row: string[]; cursor: number; errors: Papa.ParseError[] }> = [];
      const parser = new Papa.Parser({
        delimiter: this.delimiter,
        newline: '\n',
        quoteChar: '"',
        step: (r: Papa.ParseResult<string[]>) => {
          got.push({ row: r.data[0], cursor: r.meta.cursor, errors: r.errors });
        },
      });
      const tail = parser.parse(window, 0, !last) as Papa.ParseResult<string[]>;
      // In step mode each step holds one record, with its errors and where it ends.
      let badAt = -1;
      let badIndex = -1;
      let unclosed = -1;
      let start = 0;
      for (const g of got) {
        const invalid = g.errors.find((e) => e.code === INVALID);
        if (invalid) {
          badAt = start;
          badIndex = invalid.index ?? -1;
          break;
        }
        if (g.errors.some((e) => e.code === MISSING)) unclosed = rows.length;
        rows.push(g.row);
        start = g.cursor;
      }
      if (badAt === -1) {
        const invalid = tail.errors.find((e) => e.code === INVALID);
        if (invalid) {
          badAt = start;
          badIndex = invalid.index ?? -1;
        }
      }
      if (badAt === -1) {
        pos += start;
        if (stop === text.length) return { rows, cursor: pos, text, unclosed };
        if (start === 0) size *= 2;
        continue;
      }
      // The field opens at badIndex - 1; its closing quote is the first quote not doubled.
      const open = pos + badIndex - 1;
      let q = text.indexOf('"', open + 1);
      while (q !== -1 && text.charCodeAt(q + 1) === 34) q = text.indexOf('"', q + 2);
      let close = -1;
      if (q !== -1) {
        const d = text.indexOf(this.delimiter, q + 1);
        const nl = text.indexOf('\n', q + 1);
        close = d === -1 ? nl : nl === -1 ? d : Math.min(d, nl);
      }
      if (close === -1) {
        if (!end) return { rows, cursor: pos + badAt, text, unclosed };
        close = text.length;
      }
      // As written, with the quoted part before the stray quote read as quoted ("" → ").
      const raw = '"' + text.slice(open + 1, q).replace(/""/g, '"') + text.slice(q, close);
      text = text.slice(0, open) + '"' + raw.replace(/"/g, '""') + '"' + text.slice(close);
      pos += badAt;
      size = REPAIR_WINDOW;
    }
  }
}

/** Puts the original line breaks (kinds[ord], kinds[ord + 1], …) back for the LFs in `cells`. */
function restoreBreaks(cells: string[], kinds: string, ord: number): void {
  for (let c = 0; c < cells.length; c++) {
    const cell = cells[c];
    if (cell.indexOf('\n') === -1) continue;
    cells[c] = cell.replace(/\n/g, () => {
      const k = kinds[ord++];
      return k === 'c' ? '\r\n' : k === 'r' ? '\r' : '\n';
    });
  }
}

function recordBytes(cells: string[]): number {
  let n = cells.length;
  for (const c of cells) n += Buffer.byteLength(c);
  return n;
}

/** Whether every cell is empty or white space (an Excel row of empty cells). */
function blank(cells: string[]): boolean {
  for (const c of cells) if (c.length > 0 && c.trim() !== '') return false;
  return true;
}

function countLf(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

const REPLACEMENT = Buffer.from('\uFFFD', 'utf8');

/** A control character other than tab and line breaks (decoded text). */
// eslint-disable-next-line no-control-regex
const CONTROL_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/** C0 bytes other than tab, LF and CR, and DEL. */
const CONTROL_BYTES = [...Array.from({ length: 32 }, (_, c) => c).filter((c) => c !== 0x09 && c !== 0x0a && c !== 0x0d), 0x7f];

/**
 * Whether UTF-8 input fed a chunk at a time holds a control character other than tab and line
 * breaks: a C0 byte, DEL, or a C1 character (0xC2 0x80–0x9F, also when a chunk ends between the
 * two). One native byte search per control byte: several times cheaper than searching every
 * cell of every row, which the import's budget cannot afford.
 */
class ControlBytes {
  private lastC2 = false;

  write(b: Buffer): boolean {
    const n = b.length;
    if (this.lastC2 && n > 0 && b[0] >= 0x80 && b[0] <= 0x9f) return true;
    for (const c of CONTROL_BYTES) if (b.indexOf(c) !== -1) return true;
    for (let i = b.indexOf(0xc2); i !== -1 && i + 1 < n; i = b.indexOf(0xc2, i + 1)) {
      if (b[i + 1] >= 0x80 && b[i + 1] <= 0x9f) return true;
    }
    this.lastC2 = n > 0 && b[n - 1] === 0xc2;
    return false;
  }
}

/**
 * Whether UTF-8 input fed a chunk at a time holds bytes that are not UTF-8 (the decoder turns
 * them into U+FFFD), or U+FFFD itself: only then are rows searched for it. A character cut
 * by a chunk's end is checked with the next chunk.
 */
class Utf8Check {
  private tail: Buffer | undefined;

  write(chunk: Buffer): boolean {
    const b = this.tail ? Buffer.concat([this.tail, chunk]) : chunk;
    const cut = incompleteTail(b);
    this.tail = cut > 0 ? Buffer.from(b.subarray(b.length - cut)) : undefined;
    const whole = cut > 0 ? b.subarray(0, b.length - cut) : b;
    return !isUtf8(whole) || whole.includes(REPLACEMENT);
  }

  /** The input ended inside a character. */
  end(): boolean {
    return this.tail !== undefined;
  }
}

/** Bytes at the end of `b` that begin a character not complete yet (0 to 3). */
function incompleteTail(b: Buffer): number {
  const n = b.length;
  for (let i = n - 1; i >= 0 && i >= n - 3; i--) {
    const c = b[i];
    if ((c & 0xc0) === 0x80) continue;
    const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    return n - i < need ? n - i : 0;
  }
  return 0;
}

async function* chunksOf(input: CsvInput, label: string): AsyncGenerator<Buffer> {
  if (input instanceof Uint8Array) {
    for (let i = 0; i < input.length; i += READ_CHUNK) yield Buffer.from(input.buffer, input.byteOffset + i, Math.min(READ_CHUNK, input.length - i));
    return;
  }
  if (typeof input === 'string') {
    const s: Readable = createReadStream(input, { highWaterMark: READ_CHUNK });
    try {
      for await (const c of s) yield c as Buffer;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'ENOENT') throw new CsvFileError(`${label}: no such file; check the path`);
      if (err.code === 'EISDIR') throw new CsvFileError(`${label} is a folder, not a file`);
      if (err.code === 'EACCES') throw new CsvFileError(`${label} cannot be read (permission denied)`);
      throw new CsvFileError(`${label} cannot be read: ${err.message}`);
    }
    return;
  }
  for await (const c of input) yield typeof c === 'string' ? Buffer.from(c, 'utf8') : Buffer.from(c.buffer, c.byteOffset, c.length);
}

/**
 * Finds the header among the first lines (Excel exports sometimes put a title above it) and
 * the delimiter that splits it into known column names.
 */
function findHeader(text: string, opts: ParseOptions): { line: number; delimiter: string } {
  const lines = text.split(/\r\n|\n|\r/, HEADER_SEARCH_LINES + 1).slice(0, HEADER_SEARCH_LINES);
  const candidates = opts.delimiter !== undefined ? [delimiterOption(opts.delimiter)] : DELIMITERS;
  for (let i = 0; i < lines.length; i++) {
    for (const d of candidates) {
      if (looksLikeHeader(splitSimple(lines[i], d), opts.map)) return { line: i + 1, delimiter: d };
    }
  }
  // No known header: parse with the likeliest delimiter so the error can show what is there.
  const first = lines[0] ?? '';
  const best = candidates.map((d) => [d, splitSimple(first, d).length] as const).sort((a, b) => b[1] - a[1])[0];
  return { line: 1, delimiter: best[0] };
}

export function delimiterOption(v: string): string {
  const named: Record<string, string> = { tab: '\t', '\\t': '\t', comma: ',', semicolon: ';', bar: '|', pipe: '|' };
  const d = named[v.toLowerCase()] ?? v;
  if (d.length !== 1 || /["\r\n]/.test(d)) throw new CsvFileError(`--delimiter takes one character (, ; | or "tab"), got "${v}"`);
  return d;
}

/** Splits one line on `d` outside double quotes (enough to recognise a header). */
function splitSimple(line: string, d: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') {
      if (quoted && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else quoted = !quoted;
    } else if (c === d && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}
