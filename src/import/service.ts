// till products import: a product file into the till's catalog, committed COMMIT_ROWS rows at
// a time. A killed import leaves every committed window in place and nothing of the one in
// flight; importing the file again adds what is missing and finds the rest unchanged.
//
// One thread reads and writes. Reading in a worker thread while this one writes was measured
// and dropped: handing 1,000,000 rows across threads cost more CPU than it saved, and two
// V8 heaps took the import past 500 MiB (bench/import.bench.ts holds it under 200).
import { statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { formatFen } from '../core/money.js';
import type { DB } from '../db/open.js';
import { upsertProducts } from '../db/products-write.js';
import { UserError } from '../errors.js';
import { type CsvInfo, type CsvInput, type ParseOptions, type ParsedRow, openProductCsv } from './csv.js';
import { RejectsFile } from './rejects.js';

export interface ImportOptions extends Omit<ParseOptions, 'pinyin'> {
  /** Report what would change; write nothing (no products, no rejects file). */
  dryRun?: boolean;
  /** Where rejected rows go; default `<input>.rejects.csv` next to a file input, none for a stream. */
  rejectsPath?: string;
  /** Called after each batch of BATCH_ROWS rows is written (committed or not yet). */
  onProgress?: (p: ImportProgress) => void;
  /** Aborting stops after the batch being written commits. */
  signal?: AbortSignal;
}

export interface ImportProgress {
  rows: number;
  bytes: number;
  totalBytes?: number;
}

export interface RejectedRow {
  line: number;
  reason: string;
}

export interface ImportSummary {
  file: string;
  encoding: string;
  delimiter: string;
  /** Field → the header it was read from. */
  columns: Record<string, string>;
  ignoredColumns: string[];
  dryRun: boolean;
  /** Data rows read (header and blank lines not counted). */
  rows: number;
  added: number;
  updated: number;
  unchanged: number;
  rejected: number;
  /** The first rejected rows (all of them are in the rejects file). */
  rejects: RejectedRow[];
  rejectsFile: string | null;
  /** Set when the import was stopped (Ctrl-C) before the end of the file. */
  stoppedAfterLine: number | null;
  seconds: number;
}

const KEEP_REJECTS = 20;
/** Rows read and written at a time, and rows per committed transaction. */
const BATCH_ROWS = 1_000;
const COMMIT_ROWS = 50_000;

export function defaultRejectsPath(file: string): string {
  const ext = extname(file);
  return join(dirname(file), `${basename(file, ext)}.rejects${ext || '.csv'}`);
}

/** A batch of parsed rows and how far into the input it reaches. */
interface Batch {
  rows: ParsedRow[];
  bytes: number;
}

interface BatchSource {
  info: CsvInfo;
  next(): Promise<Batch | undefined>;
  close(): Promise<void>;
}

export async function importProducts(db: DB, input: CsvInput, opts: ImportOptions = {}): Promise<ImportSummary> {
  const started = performance.now();
  const isPath = typeof input === 'string';
  const label = opts.label ?? (isPath ? input : 'stdin');
  const totalBytes = isPath ? fileSize(input) : undefined;
  const parseOpts: ParseOptions = { encoding: opts.encoding, delimiter: opts.delimiter, map: opts.map, batchSize: opts.batchSize ?? BATCH_ROWS, maxRecordBytes: opts.maxRecordBytes, label, pinyin: true };
  const source = await openSource(input, parseOpts);

  const rejectsPath = opts.dryRun ? undefined : (opts.rejectsPath ?? (isPath ? defaultRejectsPath(input) : undefined));
  if (rejectsPath && isPath && resolve(rejectsPath) === resolve(input)) {
    await source.close();
    throw new UserError(`--rejects ${rejectsPath} is the file being imported; choose another path.`);
  }
  const rejects = rejectsPath ? new RejectsFile(rejectsPath, source.info.header, source.info.encoding, source.info.bom) : undefined;
  const summary: ImportSummary = {
    file: label,
    encoding: source.info.encoding,
    delimiter: source.info.delimiter,
    columns: { ...source.info.layout.headers } as Record<string, string>,
    ignoredColumns: source.info.layout.ignored,
    dryRun: !!opts.dryRun,
    rows: 0,
    added: 0,
    updated: 0,
    unchanged: 0,
    rejected: 0,
    rejects: [],
    rejectsFile: null,
    stoppedAfterLine: null,
    seconds: 0,
  };
  const reject = (bad: Array<{ line: number; reason: string; cells?: string[] }>) => {
    if (bad.length === 0) return;
    summary.rejected += bad.length;
    for (const b of bad) if (summary.rejects.length < KEEP_REJECTS) summary.rejects.push({ line: b.line, reason: b.reason });
    rejects?.add(bad);
  };

  let lastLine: number | null = null;
  // The connection maps up to 256 MiB of the file for fast barcode lookups (db/open.ts);
  // every page an import touches would stay resident. Plain reads for the import's duration.
  const mmap = db.pragma('mmap_size', { simple: true }) as number;
  db.pragma('mmap_size = 0');
  // Checkpoint the WAL every ~40 MiB instead of every 4 MiB (one fsync of the database per
  // few commits, not per commit); the WAL is checkpointed again when the import ends.
  const autocheckpoint = db.pragma('wal_autocheckpoint', { simple: true }) as number;
  db.pragma('wal_autocheckpoint = 10000');
  // Rows are read and written a small batch at a time (they die young: little memory) and
  // committed every COMMIT_ROWS rows (few fsyncs). A kill loses at most the open window.
  const own = !db.inTransaction;
  let open = false;
  let uncommitted = 0;
  const commit = () => {
    if (open) db.exec('COMMIT');
    open = false;
    uncommitted = 0;
  };
  try {
    for (;;) {
      if (opts.signal?.aborted) {
        summary.stoppedAfterLine = lastLine;
        break;
      }
      const batch = await source.next();
      if (!batch) break;
      const good: ParsedRow[] = [];
      const bad: Array<{ line: number; reason: string; cells?: string[] }> = [];
      for (const r of batch.rows) {
        if (r.product) good.push(r);
        else bad.push({ line: r.line, reason: r.error ?? 'unreadable', cells: r.cells });
      }
      if (good.length) {
        if (own && !open && !opts.dryRun) {
          db.exec('BEGIN IMMEDIATE');
          open = true;
        }
        const outcome = upsertProducts(db, good as Array<{ product: NonNullable<ParsedRow['product']>; pinyin?: string }>, { dryRun: opts.dryRun });
        summary.added += outcome.added;
        summary.updated += outcome.updated;
        summary.unchanged += outcome.unchanged;
        for (const e of outcome.errors) bad.push({ line: good[e.index].line, reason: e.error, cells: cellsOf(good[e.index], source.info) });
        uncommitted += good.length;
        if (uncommitted >= COMMIT_ROWS) commit();
      }
      bad.sort((a, b) => a.line - b.line);
      reject(bad);
      summary.rows += batch.rows.length;
      if (batch.rows.length) lastLine = batch.rows[batch.rows.length - 1].line;
      opts.onProgress?.({ rows: summary.rows, bytes: batch.bytes, totalBytes });
    }
    commit();
  } catch (e) {
    if (open) db.exec('ROLLBACK');
    rejects?.discard();
    await source.close();
    throw e;
  } finally {
    db.pragma(`mmap_size = ${mmap}`);
    db.pragma(`wal_autocheckpoint = ${autocheckpoint}`);
  }
  if (own && !opts.dryRun && summary.added + summary.updated > 0) db.pragma('wal_checkpoint(PASSIVE)');
  await source.close();
  summary.rejectsFile = rejects?.close() ?? null;
  summary.seconds = Math.round(performance.now() - started) / 1000;
  return summary;
}

function fileSize(path: string): number | undefined {
  try {
    return statSync(path).size;
  } catch {
    return undefined; // openProductCsv says what is wrong with the path
  }
}

/** A row refused by the database: its cells rebuilt from the product, in the file's column order. */
function cellsOf(row: ParsedRow, info: CsvInfo): string[] {
  const p = row.product!;
  const cells = info.header.map(() => '');
  const { index } = info.layout;
  const put = (i: number | undefined, v: string | undefined) => {
    if (i !== undefined && v !== undefined) cells[i] = v;
  };
  put(index.barcode, p.barcodes.join('|'));
  put(index.name, p.name);
  put(index.price, formatFen(p.priceFen));
  put(index.unit, p.unit);
  put(index.category, p.category);
  put(index.weighed, p.weighed === undefined ? undefined : p.weighed ? 'yes' : 'no');
  put(index.plu, p.plu ?? undefined);
  return cells;
}

async function openSource(input: CsvInput, opts: ParseOptions): Promise<BatchSource> {
  const csv = await openProductCsv(input, opts);
  const it = csv.batches();
  return {
    info: csv.info,
    next: async () => {
      const r = await it.next();
      return r.done ? undefined : { rows: r.value, bytes: csv.bytesRead() };
    },
    close: async () => {
      await it.return(undefined);
    },
  };
}
