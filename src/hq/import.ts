// `till hq products import`: a product file into HQ's central catalog. The file is read by the
// same parser as a till's import (src/import/csv.ts: encodings, delimiters, Chinese or English
// headers, row validation with line numbers, rejects file); HQ then takes the valid rows in one
// transaction (src/hq/catalog.ts upsertMany) and lists what it refused with its line.
import { openProductCsv, type CsvInput, type ParseOptions } from '../import/csv.js';
import { RejectsFile } from '../import/rejects.js';
import type { HqProductInput } from './catalog.js';
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
  const good: Array<{ line: number; cells?: string[]; product: HqProductInput }> = [];
  const bad: Array<{ line: number; reason: string; cells?: string[] }> = [];
  let rows = 0;
  for await (const batch of csv.batches()) {
    for (const r of batch) {
      rows++;
      if (r.product) good.push({ line: r.line, cells: r.cells, product: { ...r.product, storeCode: opts.storeCode ?? null } });
      else bad.push({ line: r.line, reason: r.error ?? 'not a product row', cells: r.cells });
    }
  }
  const result = await hq.catalog.upsertMany(
    good.map((g) => g.product),
    { dryRun: opts.dryRun },
  );
  for (const r of result.rejected) bad.push({ line: good[r.index].line, reason: r.reason, cells: good[r.index].cells });
  bad.sort((a, b) => a.line - b.line);

  let rejectsFile: string | null = null;
  if (opts.rejectsPath && !opts.dryRun) {
    const file = new RejectsFile(opts.rejectsPath, csv.info.header, csv.info.encoding, csv.info.bom);
    try {
      file.add(bad);
      rejectsFile = file.close() ?? null;
    } catch (e) {
      file.discard();
      throw e;
    }
  }
  return {
    file: opts.label ?? (typeof input === 'string' ? input : 'input'),
    encoding: csv.info.encoding,
    delimiter: csv.info.delimiter,
    dryRun: !!opts.dryRun,
    rows,
    added: result.added,
    updated: result.updated,
    unchanged: result.unchanged,
    rejected: bad.length,
    rejects: bad.slice(0, KEEP_REJECTS).map(({ line, reason }) => ({ line, reason })),
    rejectsFile,
    ignoredColumns: csv.info.layout.ignored,
  };
}
