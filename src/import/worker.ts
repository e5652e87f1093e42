// The reading half of `till products import` (service.ts): the file → validated rows with
// pinyin initials → compact batches. For a large file it runs in a worker thread while the
// main thread writes the previous batches to SQLite (the machine has two cores; reading and
// writing a million products each take seconds). A batch crosses threads as a few byte
// arrays, never as row objects: the new products as one UTF-8 JSON array that SQLite reads
// itself (db/products-write.ts insertNewProducts), their barcodes as a JSON array for the
// lookup of existing products, their line numbers, and the rejected rows. Cloning a million
// row objects between threads cost more than the worker saved when this was tried with
// ParsedRow[] (commit 1d1dc4b). The arrays' memory is moved to the writer, not copied, and lies
// outside its JavaScript heap: received as ~100 KB strings, the batches grew the writer's young
// generation to ~50 MB.
import { isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { BulkRow, ProductInput } from '../db/products-write.js';
import { TillError } from '../errors.js';
import { type CsvInfo, type CsvInput, type ParseOptions, type ParsedRow, openProductCsv } from './csv.js';

/** Rows of one batch, as they cross from the reader to the writer. */
export interface WireBatch {
  /** Data rows read (good and rejected). */
  rows: number;
  /** Line of the last row read, and bytes of the input read so far. */
  lastLine: number;
  bytes: number;
  /** Valid rows: NewProductsJson (db/products-write.ts), their lines, barcodes and PLUs. */
  good: Uint8Array;
  goodCount: number;
  lines: Int32Array;
  barcodes: Uint8Array;
  plus: string | null;
  /** Whether a valid row has more than one barcode. */
  severalCodes: boolean;
  /** Rejected rows, in line order. */
  bad: Array<{ line: number; reason: string; cells?: string[] }>;
}

const utf8 = new TextEncoder();

/** The arrays a batch can hand over to another thread instead of copying. */
export function transferable(b: WireBatch): ArrayBuffer[] {
  return [b.good.buffer, b.lines.buffer, b.barcodes.buffer] as ArrayBuffer[];
}

export function encodeBatch(rows: ParsedRow[], bytes: number): WireBatch {
  // One JSON.stringify of the whole batch: V8's fast path, ~3× cheaper than field by field.
  const good: unknown[] = [];
  const lines: number[] = [];
  const codes: string[] = [];
  let plus: string[] | undefined;
  let severalCodes = false;
  const bad: WireBatch['bad'] = [];
  for (const r of rows) {
    const p = r.product;
    if (!p) {
      bad.push({ line: r.line, reason: r.error ?? 'unreadable', cells: r.cells });
      continue;
    }
    let joined: string;
    if (p.barcodes.length === 1) {
      joined = p.barcodes[0];
      codes.push(joined);
    } else {
      const sorted = [...p.barcodes].sort();
      if (sorted.length > 1) severalCodes = true;
      for (const b of sorted) codes.push(b);
      joined = sorted.join(',');
    }
    if (p.plu != null) (plus ??= []).push(p.plu);
    good.push([r.pinyin === undefined ? null : r.pinyin, p.name, p.priceFen, p.unit ?? null, p.category ?? null, p.weighed === undefined ? null : p.weighed ? 1 : 0, p.plu ?? null, joined]);
    lines.push(r.line);
  }
  return {
    rows: rows.length,
    lastLine: rows.length ? rows[rows.length - 1].line : 0,
    bytes,
    good: utf8.encode(JSON.stringify(good)),
    goodCount: lines.length,
    lines: Int32Array.from(lines),
    barcodes: utf8.encode(JSON.stringify(codes)),
    plus: plus ? JSON.stringify(plus) : null,
    severalCodes,
    bad,
  };
}

/** The valid rows of a batch as upsertProducts takes them (for rows that may update products). */
export function decodeGood(batch: WireBatch): BulkRow[] {
  const rows = JSON.parse(new TextDecoder().decode(batch.good)) as Array<[string | null, string, number, string | null, string | null, 0 | 1 | null, string | null, string]>;
  return rows.map(([pinyin, name, priceFen, unit, category, weighed, plu, barcodes]) => {
    const product: ProductInput = { name, priceFen, barcodes: barcodes ? barcodes.split(',') : [] };
    if (unit !== null) product.unit = unit;
    if (category !== null) product.category = category;
    if (weighed !== null) product.weighed = weighed === 1;
    if (plu !== null) product.plu = plu;
    return pinyin === null ? { product } : { product, pinyin };
  });
}

/** Reads `input` a batch at a time on this thread. */
export async function readBatches(input: CsvInput, opts: ParseOptions): Promise<{ info: CsvInfo; next(): Promise<WireBatch | undefined>; close(): Promise<void> }> {
  const csv = await openProductCsv(input, opts);
  const it = csv.batches();
  return {
    info: csv.info,
    next: async () => {
      const r = await it.next();
      return r.done ? undefined : encodeBatch(r.value, csv.bytesRead());
    },
    close: async () => {
      await it.return(undefined);
    },
  };
}

/** Messages from the reading thread. */
export type ReaderMessage =
  | { type: 'info'; info: CsvInfo }
  | { type: 'batch'; batch: WireBatch }
  | { type: 'end' }
  | { type: 'error'; message: string; user: boolean; code?: string };

/** The writer took a batch; `done` holds the arrays of the one before, which it has written. */
export interface ReaderAck {
  type: 'ack';
  done: ArrayBuffer[];
}

/** Batches the reader may run ahead of the writer (bounds memory: ~100 KB each). */
export const READ_AHEAD = 4;

export interface ReaderData {
  tillImportReader: { path: string; opts: ParseOptions };
}

/** The worker thread: reads the file and posts batches, at most READ_AHEAD unacknowledged. */
async function runReader(port: MessagePort, { path, opts }: ReaderData['tillImportReader']): Promise<void> {
  let unacked = 0;
  let wake: (() => void) | undefined;
  port.on('message', (m) => {
    if ((m as ReaderAck).type === 'ack') {
      unacked--;
      wake?.();
    }
  });
  try {
    const source = await readBatches(path, opts);
    port.postMessage({ type: 'info', info: source.info } satisfies ReaderMessage);
    for (;;) {
      const batch = await source.next();
      if (!batch) break;
      port.postMessage({ type: 'batch', batch } satisfies ReaderMessage, transferable(batch));
      unacked++;
      while (unacked >= READ_AHEAD) await new Promise<void>((r) => (wake = r));
    }
    port.postMessage({ type: 'end' } satisfies ReaderMessage);
  } catch (e) {
    const err = e as Error;
    port.postMessage({ type: 'error', message: err.message, user: e instanceof TillError, code: (e as TillError).code } satisfies ReaderMessage);
  }
  port.close();
}

/** This module's own URL: the worker thread starts from it (bundled, it is its own chunk). */
export const readerUrl = import.meta.url;

if (!isMainThread && parentPort && (workerData as Partial<ReaderData> | undefined)?.tillImportReader) {
  void runReader(parentPort, (workerData as ReaderData).tillImportReader);
}
