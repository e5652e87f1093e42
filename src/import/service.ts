// till products import: a product file into the till's catalog, committed COMMIT_ROWS rows at
// a time. A killed import leaves every committed window in place and nothing of the one in
// flight; importing the file again adds what is missing and finds the rest unchanged.
//
// Reading (parse, validate, pinyin: worker.ts) and writing (SQLite, this thread) each take
// seconds for a large file, and a till has two cores: a file of READER_THREAD_BYTES or more is
// read in a worker thread while this one writes. Batches cross as a few byte arrays, not as row
// objects (see worker.ts). Rows that cannot match an existing product (an import into an empty
// catalog, or a batch whose codes no product has) go in by one statement per batch
// (insertNewProducts); the others through upsertProducts, which compares and updates.
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { DB } from '../db/open.js';
import { anyProductHas, insertNewProducts, upsertProducts } from '../db/products-write.js';
import { deferSearchIndex } from '../db/products.js';
import { UserError } from '../errors.js';
import { type CsvInfo, type CsvInput, CsvFileError, type ParseOptions } from './csv.js';
import { cellsOf, RejectsFile } from './rejects.js';
import type { ReaderAck, ReaderData, ReaderMessage, WireBatch } from './worker.js';

export interface ImportOptions extends Omit<ParseOptions, 'pinyin'> {
  /** Report what would change; write nothing (no products, no rejects file). */
  dryRun?: boolean;
  /** Where rejected rows go; default `<input>.rejects.csv` next to a file input, none for a stream. */
  rejectsPath?: string;
  /** Called after each batch of BATCH_ROWS rows is written (committed or not yet). */
  onProgress?: (p: ImportProgress) => void;
  /** Aborting stops after the batch being written commits. */
  signal?: AbortSignal;
  /** Where the file is read: 'auto' (a worker thread for files of READER_THREAD_BYTES or more), or forced. */
  reader?: 'auto' | 'thread' | 'worker';
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
/** Smaller files are read on this thread (starting a worker costs ~30 ms). */
const READER_THREAD_BYTES = 2 * 1024 * 1024;

export function defaultRejectsPath(file: string): string {
  const ext = extname(file);
  return join(dirname(file), `${basename(file, ext)}.rejects${ext || '.csv'}`);
}

interface BatchSource {
  info: CsvInfo;
  /** The next batch; a batch's arrays stay readable only until the following call. */
  next(): Promise<WireBatch | undefined>;
  close(): Promise<void>;
}

export async function importProducts(db: DB, input: CsvInput, opts: ImportOptions = {}): Promise<ImportSummary> {
  const started = performance.now();
  const isPath = typeof input === 'string';
  const label = opts.label ?? (isPath ? input : 'stdin');
  const totalBytes = isPath ? fileSize(input) : undefined;
  const parseOpts: ParseOptions = { encoding: opts.encoding, delimiter: opts.delimiter, map: opts.map, batchSize: opts.batchSize ?? BATCH_ROWS, maxRecordBytes: opts.maxRecordBytes, label, pinyin: true };
  const catalogEmpty = !db.prepare('SELECT 1 FROM products LIMIT 1').get();
  const useWorker = isPath && (opts.reader === 'worker' || (opts.reader !== 'thread' && (totalBytes ?? 0) >= READER_THREAD_BYTES));
  const source = useWorker ? await workerSource(input as string, parseOpts) : await threadSource(input, parseOpts);

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
  // A 4 MiB page cache instead of the connection's 16: new rows are appended, and a re-import's
  // lookups find their pages in the OS's cache just as fast. Importing 1M products again with
  // the reader thread: 3.5 s either way, peak memory 199–202 → 185–186 MiB.
  const cacheSize = db.pragma('cache_size', { simple: true }) as number;
  db.pragma('cache_size = -4096');
  // Checkpoint the WAL every ~40 MiB instead of every 4 MiB (one fsync of the database per
  // few commits, not per commit); the WAL is checkpointed again when the import ends.
  const autocheckpoint = db.pragma('wal_autocheckpoint', { simple: true }) as number;
  db.pragma('wal_autocheckpoint = 10000');
  // synchronous=NORMAL for the import's commits (the till's FULL is for sales): in WAL mode a
  // commit stays atomic, and a kill -9 keeps every committed window; a power cut may lose the
  // last windows before a checkpoint, which importing the file again adds. Other connections
  // (the checkout) keep their own FULL.
  const synchronous = db.pragma('synchronous', { simple: true }) as number;
  if (!db.inTransaction) db.pragma('synchronous = NORMAL');
  // Rows are read and written a small batch at a time (they die young: little memory) and
  // committed every COMMIT_ROWS rows (few fsyncs). A kill loses at most the open window.
  const own = !db.inTransaction;
  let open = false;
  let uncommitted = 0;
  // Into an empty catalog, with no other writer since (data_version moves when another
  // connection commits), no row can match a product: every valid row is new, no lookup needed.
  const dataVersion = () => db.pragma('data_version', { simple: true }) as number;
  const startVersion = dataVersion();
  let emptyAndAlone = own && !opts.dryRun && catalogEmpty;
  // The search index of the products a window adds is written once, at its commit.
  let indexAdded: (() => void) | undefined;
  const commit = () => {
    indexAdded?.();
    indexAdded = undefined;
    if (open) db.exec('COMMIT');
    open = false;
    uncommitted = 0;
  };
  try {
    for (;;) {
      // Batches the reader thread sent ahead are taken without a turn of the event loop, which
      // is where a Ctrl-C (SIGINT) is heard: give it one per batch (~200 for 1M rows).
      if (opts.signal) await new Promise((r) => setImmediate(r));
      if (opts.signal?.aborted) {
        summary.stoppedAfterLine = lastLine;
        break;
      }
      const batch = await source.next();
      if (!batch) break;
      const bad = batch.bad;
      if (batch.goodCount) {
        if (own && !open && !opts.dryRun) {
          db.exec('BEGIN IMMEDIATE');
          open = true;
          indexAdded = deferSearchIndex(db);
          if (emptyAndAlone && dataVersion() !== startVersion) emptyAndAlone = false;
        }
        const added =
          !opts.dryRun &&
          (emptyAndAlone || !anyProductHas(db, batch.barcodes, batch.plus)) &&
          insertNewProducts(db, batch.good, batch.goodCount, batch.severalCodes);
        if (added) summary.added += batch.goodCount;
        else {
          if (emptyAndAlone) emptyAndAlone = false; // another process wrote one of the codes
          const { decodeGood } = await import('./worker.js');
          const rows = decodeGood(batch);
          const outcome = upsertProducts(db, rows, { dryRun: opts.dryRun, validated: true });
          summary.added += outcome.added;
          summary.updated += outcome.updated;
          summary.unchanged += outcome.unchanged;
          if (outcome.errors.length) {
            for (const e of outcome.errors) bad.push({ line: batch.lines[e.index], reason: e.error, cells: cellsOf(rows[e.index].product, source.info.header, source.info.layout) });
            bad.sort((x, y) => x.line - y.line);
          }
        }
        uncommitted += batch.goodCount;
        if (uncommitted >= COMMIT_ROWS) commit();
      }
      reject(bad);
      summary.rows += batch.rows;
      if (batch.rows) lastLine = batch.lastLine;
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
    db.pragma(`cache_size = ${cacheSize}`);
    db.pragma(`wal_autocheckpoint = ${autocheckpoint}`);
    if (!db.inTransaction) db.pragma(`synchronous = ${synchronous}`);
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

async function threadSource(input: CsvInput, opts: ParseOptions): Promise<BatchSource> {
  const { readBatches } = await import('./worker.js');
  return readBatches(input, opts);
}

/** Reads the file in a worker thread (worker.ts), at most READ_AHEAD batches ahead. */
async function workerSource(path: string, opts: ParseOptions): Promise<BatchSource> {
  const { readerUrl, transferable } = await import('./worker.js');
  const worker = startReader(readerUrl, { tillImportReader: { path, opts } });
  const queue: ReaderMessage[] = [];
  let wake: (() => void) | undefined;
  let failure: Error | undefined;
  let exited = false;
  worker.on('message', (m: ReaderMessage) => {
    queue.push(m);
    wake?.();
  });
  worker.on('error', (e) => {
    failure = e;
    wake?.();
  });
  worker.on('exit', () => {
    exited = true;
    wake?.();
  });
  const take = async (): Promise<ReaderMessage> => {
    for (;;) {
      const m = queue.shift();
      if (m) {
        if (m.type === 'error') throw m.user ? (m.code === 'E_IMPORT_FILE' ? new CsvFileError(m.message) : new UserError(m.message, m.code)) : new Error(m.message);
        return m;
      }
      if (failure) throw failure;
      if (exited) throw new Error('the import reader thread stopped unexpectedly');
      await new Promise<void>((r) => (wake = r));
      wake = undefined;
    }
  };
  let done = false;
  let previous: WireBatch | undefined;
  const close = async () => {
    done = true;
    await worker.terminate();
  };
  let first: ReaderMessage;
  try {
    first = await take();
  } catch (e) {
    await close();
    throw e;
  }
  if (first.type !== 'info') throw new Error(`import reader: expected the file's header, got ${first.type}`);
  return {
    info: first.info,
    next: async () => {
      if (done) return undefined;
      const m = await take();
      if (m.type === 'end') {
        await close();
        return undefined;
      }
      if (m.type !== 'batch') throw new Error(`import reader: unexpected ${m.type}`);
      // The previous batch is written: its arrays go back with the acknowledgement, which
      // frees them here at once (left to this thread's rare collections, a few hundred
      // batches' worth piled up: +30–45 MiB).
      const written = previous ? transferable(previous) : [];
      worker.postMessage({ type: 'ack', done: written } satisfies ReaderAck, written);
      previous = m.batch;
      return m.batch;
    },
    close,
  };
}

/**
 * Bundled: worker.ts is its own chunk, and the thread starts from it. From sources (tests,
 * benchmarks) the thread compiles TypeScript through tsx, as src/sync/background.ts does.
 */
function startReader(url: string, workerData: ReaderData): Worker {
  // The reader's live data is small (its table of seen barcodes is outside the V8 heap): a
  // capped old generation makes V8 collect it instead of growing. The young generation keeps
  // its default size: capped at 12 MB it was collected ~460 times per million rows, and
  // reading took 2.9–3.5 s instead of 2.0 s.
  const resourceLimits = { maxOldGenerationSizeMb: 64 };
  if (!url.endsWith('.ts')) return new Worker(new URL(url), { workerData, resourceLimits });
  const tsx = pathToFileURL(createRequire(url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  return new Worker(`import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(url)}); })`, { eval: true, workerData, resourceLimits });
}
