// `till hq products import`: a product file into HQ's central catalog. The file is read by the
// same parser as a till's import (src/import/csv.ts: encodings, delimiters, Chinese or English
// headers, row validation with line numbers, rejects file); HQ takes the valid rows in one
// transaction (src/hq/catalog.ts upsertMany) that reads the file a batch at a time, so a
// catalog of any size streams through (1M products held whole took 1.5 GB), and lists what it
// refused with its line.
import { openProductCsv, type CsvInput, type ParseOptions } from '../import/csv.js';
import { cellsOf, RejectsFile } from '../import/rejects.js';
import type { HqProductInput, UpsertSummary } from './catalog.js';
import type { HqStore } from './store.js';

export interface HqImportOptions extends Omit<ParseOptions, 'pinyin' | 'batchSize'> {
  dryRun?: boolean;
  /** Where rejected rows go (with line and reason); none when undefined. */
  rejectsPath?: string;
  /** Products only this store's tills receive. */
  storeCode?: string;
}

export interface HqImportSummary {
  file: string;
  encoding: string;
  delimiter: string;
  dryRun: boolean;
  rows: number;
  added: number;
  updated: number;
  unchanged: number;
  rejected: number;
  /** The first rejected rows (all of them are in the rejects file). */
  rejects: Array<{ line: number; reason: string }>;
  rejectsFile: string | null;
  ignoredColumns: string[];
}

const KEEP_REJECTS = 20;

export async function importHqProducts(hq: HqStore, input: CsvInput, opts: HqImportOptions = {}): Promise<HqImportSummary> {
  const csv = await openProductCsv(input, { ...opts, pinyin: false });
  const { header, layout, encoding, bom } = csv.info;
  const rejects = opts.rejectsPath && !opts.dryRun ? new RejectsFile(opts.rejectsPath, header, encoding, bom) : undefined;
  const first: Array<{ line: number; reason: string }> = [];
  let rows = 0;
  let rejected = 0;
  // The batch being taken: its valid rows (their lines, for a row HQ refuses) and its refused rows.
  let lines: number[] = [];
  let products: HqProductInput[] = [];
  let offset = 0;
  let bad: Array<{ line: number; reason: string; cells?: string[] }> = [];
  const flush = () => {
    bad.sort((a, b) => a.line - b.line);
    rejected += bad.length;
    for (const b of bad) if (first.length < KEEP_REJECTS) first.push({ line: b.line, reason: b.reason });
    rejects?.add(bad);
    bad = [];
  };
  async function* batches(): AsyncGenerator<HqProductInput[]> {
    for await (const batch of csv.batches()) {
      offset += products.length;
      lines = [];
      products = [];
      for (const r of batch) {
        rows++;
        if (r.product) {
          lines.push(r.line);
          products.push({ ...r.product, storeCode: opts.storeCode ?? null });
        } else bad.push({ line: r.line, reason: r.error ?? 'not a product row', cells: r.cells });
      }
      yield products;
      flush(); // upsertMany asks for the next batch only when it has taken this one
    }
  }
  let result: UpsertSummary;
  try {
    result = await hq.catalog.upsertMany(batches(), {
      dryRun: opts.dryRun,
      onRejected: (index, reason) => {
        const i = index - offset;
        bad.push({ line: lines[i], reason, cells: cellsOf(products[i], header, layout) });
      },
    });
  } catch (e) {
    rejects?.discard();
    throw e;
  }
  return {
    file: opts.label ?? (typeof input === 'string' ? input : 'input'),
    encoding,
    delimiter: csv.info.delimiter,
    dryRun: !!opts.dryRun,
    rows,
    added: result.added,
    updated: result.updated,
    unchanged: result.unchanged,
    rejected,
    rejects: first,
    rejectsFile: rejects?.close() ?? null,
    ignoredColumns: layout.ignored,
  };
}
