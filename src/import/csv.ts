// A product file → validated rows with their line numbers, streamed (the file is never loaded
// whole). Independent of any database: a till's `till products import` and HQ's catalog
// import read files through here and get the same rows, reasons and line numbers.
//
//   for await (const row of parseProductCsv('catalog.csv', { pinyin: true })) {
//     if (row.error) console.error(`line ${row.line}: ${row.error}`);
//     else upsert(row.product!, row.pinyin);
//   }
import { createReadStream, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
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
  const records: RecordSink = { cells: [], lines: [], bad: [] };
  const tokenizer = new CsvTokenizer(found.delimiter, found.line - 1, maxRecordBytes);
  const textDecoder = encoding === 'utf-8' ? new StringDecoder('utf8') : iconv.getDecoder(encoding, { stripBOM: true });
  let started = false;
  // Rows are searched for U+FFFD (bytes not valid in the encoding) once the text holds one.
  let badBytes = false;
  const feed = (buf: Buffer | undefined) => {
    let text = buf ? textDecoder.write(buf) : (textDecoder.end() ?? '');
    if (!badBytes && text.includes('\uFFFD')) badBytes = true;
    if (!started && text.length > 0) {
      started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    try {
      tokenizer.push(text, buf === undefined, records);
    } catch (e) {
      if (e instanceof TokenizerError) {
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
  // A line before the header that cannot be read is a title row, not a product.
  records.bad = records.bad.filter((b) => b.line > headerLine);
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
    const { cells, lines, bad } = records;
    // Unreadable lines go in file order among the good ones.
    let b = 0;
    for (let i = 0; i < cells.length; i++) {
      const record = cells[i];
      const line = lines[i];
      while (b < bad.length && bad[b].line < line) out.push(bad[b++]);
      try {
        if (record.length > width && extraCells(record, width)) throw new RowError(tooMany(record.length));
        const product = validator.validate(record, line, badBytes);
        out.push(initials ? { line, product, pinyin: initials.initials(product.name) } : { line, product });
      } catch (e) {
        if (!(e instanceof RowError)) throw e;
        out.push({ line, error: e.message, cells: record });
      }
    }
    while (b < bad.length) out.push(bad[b++]);
    records.cells = [];
    records.lines = [];
    records.bad = [];
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

/** Records read from a chunk: cells and the line each starts on, and lines that are not CSV. */
interface RecordSink {
  cells: string[][];
  lines: number[];
  bad: ParsedRow[];
}

class TokenizerError extends Error {
  constructor(
    readonly kind: 'too-long' | 'unclosed',
    readonly line: number,
  ) {
    super(kind);
  }
}

/**
 * RFC 4180 records from decoded text pushed a chunk at a time, as Excel and legacy systems
 * write them: `,` `;` tab or `|` between fields, CRLF, LF or CR between records, fields in
 * double quotes holding delimiters, `""` and line breaks. Lenient where spreadsheets are: a
 * quote inside an unquoted field is a plain character; blank lines and rows of empty cells
 * are skipped. A record starts on the line it is counted from (a line break inside quotes
 * counts as a line).
 *
 * Hand-written rather than csv-parse because the reader was a third of a large import
 * (1,000,000 rows: csv-parse ~3.1 s, this ~0.6 s): a line without a quote (nearly all of
 * them) is split with indexOf; only a line holding a quote goes through the state machine.
 */
export class CsvTokenizer {
  private carry = '';
  /** Line of the first character of `carry`. */
  private line = 1;

  constructor(
    private delimiter: string,
    /** Lines before the header (a title row) that are passed over unread. */
    private skipLines: number,
    private maxRecord: number,
  ) {}

  push(chunk: string, end: boolean, sink: RecordSink): void {
    let text = this.carry.length ? this.carry + chunk : chunk;
    this.carry = '';
    let p = 0;
    while (this.skipLines > 0 && p < text.length) {
      const nl = nextBreak(text, p);
      if (nl < 0 || (text.charCodeAt(nl) === 13 && nl + 1 === text.length && !end)) {
        if (!end) {
          this.carry = text.slice(p);
          return;
        }
        p = text.length;
        break;
      }
      p = nl + (text.charCodeAt(nl) === 13 && text.charCodeAt(nl + 1) === 10 ? 2 : 1);
      this.line++;
      this.skipLines--;
    }
    if (p > 0) text = text.slice(p);
    const n = text.length;
    const d = this.delimiter;
    p = 0;
    let line = this.line;
    // Next quote and CR at or after p (n: none); recomputed once passed.
    let quote = -1;
    let cr = -1;
    while (p < n) {
      const nl = text.indexOf('\n', p);
      if (nl >= 0) {
        if (quote < p) {
          quote = text.indexOf('"', p);
          if (quote < 0) quote = n;
        }
        if (cr < p) {
          cr = text.indexOf('\r', p);
          if (cr < 0) cr = n;
        }
        if (quote > nl && (cr > nl || cr === nl - 1)) {
          const eol = cr === nl - 1 ? cr : nl;
          if (eol > p) {
            const cells = splitLine(text, p, eol, d);
            if (!blank(cells)) {
              sink.cells.push(cells);
              sink.lines.push(line);
            }
          }
          line++;
          p = nl + 1;
          continue;
        }
      }
      // A quote or a lone CR ahead, or no line break left: the full state machine.
      const r = this.record(text, p, end, line, sink);
      if (r < 0) break;
      line = this.line;
      p = r;
    }
    this.line = line;
    if (p < n) {
      if (n - p > this.maxRecord) throw new TokenizerError('too-long', line);
      this.carry = text.slice(p);
    }
  }

  /**
   * One record from `p`: its end, or -1 when the text ends inside it (more is needed). Sets
   * this.line to the line after it.
   */
  private record(text: string, p: number, end: boolean, line: number, sink: RecordSink): number {
    const n = text.length;
    const d = this.delimiter.charCodeAt(0);
    const cells: string[] = [];
    let breaks = 0;
    let malformed = false;
    let i = p;
    for (;;) {
      // A field starts at i.
      let field = '';
      if (i < n && text.charCodeAt(i) === 34) {
        i++;
        for (;;) {
          const q = text.indexOf('"', i);
          if (q < 0) {
            if (end) throw new TokenizerError('unclosed', line);
            this.line = line;
            return -1;
          }
          const part = text.slice(i, q);
          breaks += lineBreaks(part);
          field += part;
          if (q + 1 === n && !end) {
            this.line = line;
            return -1; // "" split across chunks, or the closing quote
          }
          if (text.charCodeAt(q + 1) === 34) {
            field += '"';
            i = q + 2;
            continue;
          }
          i = q + 1;
          break;
        }
        // After the closing quote: a delimiter or the end of the record. Anything else is
        // kept as text (`"12" x` → `12 x`) and the record reported unreadable.
        const stop = fieldEnd(text, i, d);
        if (stop > i) {
          malformed = true;
          field += text.slice(i, stop);
          i = stop;
        }
      } else {
        const stop = fieldEnd(text, i, d);
        field = text.slice(i, stop);
        i = stop;
      }
      cells.push(field);
      if (i >= n) {
        if (!end) {
          this.line = line;
          return -1;
        }
        break;
      }
      const c = text.charCodeAt(i);
      if (c === d) {
        i++;
        continue;
      }
      // A line break ends the record; CR LF counts as one.
      if (c === 13) {
        if (i + 1 === n && !end) {
          this.line = line;
          return -1;
        }
        i += text.charCodeAt(i + 1) === 10 ? 2 : 1;
      } else i++;
      break;
    }
    this.line = line + 1 + breaks;
    if (malformed) {
      sink.bad.push({ line, error: 'the line cannot be read as CSV (a closing quote must be followed by the delimiter or the end of the line)', cells });
    } else if (!blank(cells)) {
      sink.cells.push(cells);
      sink.lines.push(line);
    }
    return i;
  }
}

/** Index of the next CR or LF at or after p, or -1. */
function nextBreak(text: string, p: number): number {
  const lf = text.indexOf('\n', p);
  const cr = text.indexOf('\r', p);
  return lf < 0 ? cr : cr < 0 ? lf : Math.min(lf, cr);
}

/** End of an unquoted field starting at i: the next delimiter, CR or LF, or the end of the text. */
function fieldEnd(text: string, i: number, d: number): number {
  const n = text.length;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === d || c === 10 || c === 13) return i;
  }
  return n;
}

function splitLine(text: string, p: number, eol: number, d: string): string[] {
  const cells: string[] = [];
  for (;;) {
    const k = text.indexOf(d, p);
    if (k < 0 || k >= eol) {
      cells.push(text.slice(p, eol));
      return cells;
    }
    cells.push(text.slice(p, k));
    p = k + 1;
  }
}

/** Whether every cell is empty or white space (an Excel row of empty cells). */
function blank(cells: string[]): boolean {
  for (const c of cells) if (c.length > 0 && c.trim() !== '') return false;
  return true;
}

/** Line breaks in quoted text: LF, CR LF and a lone CR each count once. */
function lineBreaks(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) n++;
  for (let i = s.indexOf('\r'); i !== -1; i = s.indexOf('\r', i + 1)) if (s.charCodeAt(i + 1) !== 10) n++;
  return n;
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
