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
import { Parser, type CsvError } from 'csv-parse';
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
  const decoder = encoding === 'utf-8' ? undefined : iconv.getDecoder(encoding, { stripBOM: true });
  const toUtf8 = (chunk: Buffer): Buffer => (decoder ? Buffer.from(decoder.write(chunk), 'utf8') : chunk);

  // Header and delimiter from the decoded sample.
  const sampleText = decoder ? iconv.decode(sample, encoding) : sample.subarray(bomLength).toString('utf8');
  const found = findHeader(sampleText, opts);
  let header: string[] | undefined;
  let headerLine = 0;
  let layout: Layout | undefined;

  const maxRecordBytes = opts.maxRecordBytes ?? 1024 * 1024;
  const batchSize = opts.batchSize ?? 5_000;
  let records: Array<{ record: string[]; end: number }> = [];
  const skipped: ParsedRow[] = [];
  let fatal: Error | undefined;
  // csv-parse reports the line where a record ends; the next record starts after it.
  let lastEnd = 0;
  const parser = new Parser({
    delimiter: found.delimiter,
    bom: true,
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_empty_values: true,
    skip_records_with_error: true,
    max_record_size: maxRecordBytes,
    from_line: found.line,
    on_skip: (err: CsvError | undefined) => {
      if (!err) return;
      const line = lastEnd + 1;
      if (err.code === 'CSV_MAX_RECORD_SIZE' || err.code === 'CSV_QUOTE_NOT_CLOSED') {
        const what =
          err.code === 'CSV_MAX_RECORD_SIZE'
            ? `a record longer than ${Math.round(maxRecordBytes / 1024)} KiB`
            : 'a quoted field that never ends';
        fatal = new CsvFileError(`${label} line ${line}: ${what}; a quote (") opened there is probably not closed. Fix the file and import it again`);
        throw fatal;
      }
      skipped.push({ line, error: `the line cannot be read as CSV (${err.message.replace(/^[^:]*:\s*/, '')})` });
    },
  });
  const api = (parser as unknown as { api: CsvApi }).api;
  const push = (record: string[]) => {
    lastEnd = api.info.lines;
    records.push({ record, end: lastEnd });
  };

  const feed = (buf: Buffer | undefined, end: boolean) => {
    const err = api.parse(buf, end, push, () => {});
    if (err) throw fatal ?? new CsvFileError(`${label}: ${err.message}`);
  };
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    const tail = decoder?.end();
    feed(tail ? Buffer.from(tail, 'utf8') : undefined, true);
  };

  // The header is the first record csv-parse returns.
  const first = Buffer.concat(head);
  bytes = first.length;
  feed(toUtf8(first), false);
  while (records.length === 0 && !ended) {
    const next = await source.next();
    if (next.done) {
      ended = true;
      break;
    }
    bytes += next.value.length;
    feed(toUtf8(next.value), false);
  }
  if (records.length === 0 && ended) finish();
  if (records.length === 0) throw new CsvFileError(`${label} has no header row; the first line should name the columns (条码,名称,售价 / barcode,name,price)`);
  const h = records.shift()!;
  header = h.record.map((c) => c.replace(/^\uFEFF/, '').trim());
  headerLine = h.end;
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

  const toRows = (out: ParsedRow[]) => {
    for (const s of skipped) out.push(s);
    skipped.length = 0;
    for (const { record, end } of records) {
      // csv-parse counts \r and \n inside quoted fields one line each (\r\n as two).
      let line = end;
      for (const cell of record) if (cell.length > 0) line -= lineBreaks(cell);
      try {
        if (record.length > width && record.slice(width).some((c) => c.trim() !== '')) {
          throw new RowError(`the line has ${record.length} fields but the header has ${width}; put values that hold a "${found.delimiter === '\t' ? 'tab' : found.delimiter}" in double quotes`);
        }
        const product = validator.validate(record, line);
        out.push(initials ? { line, product, pinyin: initials.initials(product.name) } : { line, product });
      } catch (e) {
        if (!(e instanceof RowError)) throw e;
        out.push({ line, error: e.message, cells: record });
      }
    }
    records = [];
  };

  async function* batches(): AsyncGenerator<ParsedRow[]> {
    let out: ParsedRow[] = [];
    toRows(out);
    while (!ended) {
      const next = await source.next();
      if (next.done) break;
      bytes += next.value.length;
      feed(toUtf8(next.value), false);
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

function lineBreaks(cell: string): number {
  let n = 0;
  for (let i = cell.indexOf('\n'); i !== -1; i = cell.indexOf('\n', i + 1)) n++;
  for (let i = cell.indexOf('\r'); i !== -1; i = cell.indexOf('\r', i + 1)) n++;
  return n;
}

interface CsvApi {
  info: { lines: number };
  parse(buf: Buffer | undefined, end: boolean, push: (record: string[]) => void, close: () => void): Error | undefined;
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
