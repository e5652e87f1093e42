// till products import <file|->: a supplier's, a legacy system's or Excel's product list into
// the catalog. The work is in src/import/; this adapter parses options, shows progress on a
// terminal and reports: exit 0 all rows taken, 3 some rejected, 1 the file cannot be read.
import { Command } from 'commander';
import { CancelledError, PartialError, UserError } from '../errors.js';
import type { ImportSummary } from '../import/service.js';
import { openTill, printJson, say } from './context.js';
import { csvImportOptions, withCsvImportOptions } from './options.js';

export const importCommand = withCsvImportOptions(
  new Command('import')
    .description('add or update products from a CSV file (UTF-8 or GB18030/GBK, headers in English or Chinese); "-" reads stdin')
    .argument('<file>', 'the CSV file, or - for standard input'),
)
  .option('--json', 'print a summary object for scripts')
  .addHelpText(
    'after',
    `
Columns (header names in English or Chinese; other columns are ignored):
  barcode  条码/条形码      EAN-13/EAN-8/UPC-A with a correct check digit, or an internal code;
                            several codes of one product separated by |
  name     名称/品名        required
  price    售价/价格/零售价  required, in yuan: 3.5, 3.50, ¥3.50
  unit     单位             category 分类/类别    weighed 称重 (是/否)    plu 秤码 (5 digits)
A row needs a barcode or a PLU; it updates the product that has that barcode (or PLU), else
adds one. Importing the same file again changes nothing; an interrupted import can simply be
run again.`,
  )
  .action(async (file: string, opts, cmd: Command) => {
    const read = await csvImportOptions(file, opts);
    const { importProducts } = await import('../import/service.js');
    const fromStdin = file === '-';
    const { db } = openTill(cmd);
    const abort = new AbortController();
    const onSigint = () => abort.abort();
    process.once('SIGINT', onSigint);
    const progress = process.stderr.isTTY ? await progressBar(fromStdin) : undefined;
    let summary: ImportSummary;
    try {
      summary = await importProducts(db, fromStdin ? process.stdin : file, {
        ...read,
        signal: abort.signal,
        onProgress: progress?.update,
      });
    } finally {
      progress?.stop();
      process.removeListener('SIGINT', onSigint);
      db.close();
    }
    if (opts.json) printJson(summary);
    else say(describe(summary));
    if (summary.stoppedAfterLine !== null) {
      throw new CancelledError(`Stopped after line ${summary.stoppedAfterLine}; the rows up to it are imported. Run the same import again to finish.`);
    }
    if (summary.rows === 0) throw new UserError(`${summary.file} has a header but no product rows; nothing was imported.`, 'E_IMPORT_EMPTY');
    if (summary.rejected > 0) {
      const where = summary.rejectsFile ? `; they are listed in ${summary.rejectsFile}` : opts.dryRun ? '' : '; pass --rejects <file> to keep them all';
      throw new PartialError(`${summary.rejected} of ${summary.rows} rows ${opts.dryRun ? 'would be' : 'were'} rejected${where}.`);
    }
  });

const n = (v: number) => v.toLocaleString('en-US');

function describe(s: ImportSummary): string {
  const enc = s.encoding === 'utf-8' ? 'UTF-8' : s.encoding.toUpperCase();
  const sep = { ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'bar' }[s.delimiter] ?? s.delimiter;
  const lines = [
    s.dryRun
      ? `Dry run of ${s.file} (${enc}, ${sep}-separated): ${n(s.rows)} rows — would add ${n(s.added)}, update ${n(s.updated)}; ${n(s.unchanged)} unchanged, ${n(s.rejected)} rejected. Nothing was written.`
      : `Imported ${s.file} (${enc}, ${sep}-separated) in ${s.seconds.toFixed(1)} s: ${n(s.rows)} rows — ${n(s.added)} added, ${n(s.updated)} updated, ${n(s.unchanged)} unchanged, ${n(s.rejected)} rejected.`,
  ];
  if (s.ignoredColumns.length) lines.push(`Columns not imported: ${s.ignoredColumns.join(', ')}.`);
  if (s.rejects.length) {
    lines.push(s.rejected > s.rejects.length ? `First ${s.rejects.length} rejected rows:` : 'Rejected rows:');
    for (const r of s.rejects) lines.push(`  line ${r.line}: ${r.reason}`);
  }
  if (s.rejectsFile) lines.push(`All rejected rows are in ${s.rejectsFile}: fix them there and import that file.`);
  return lines.join('\n');
}

/** rows/s and ETA on a terminal (stderr); by bytes when the size is known. */
async function progressBar(stream: boolean): Promise<{ update: (p: { rows: number; bytes: number; totalBytes?: number }) => void; stop: () => void }> {
  const { default: cliProgress } = await import('cli-progress');
  const started = Date.now();
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: stream ? 'importing {rows} rows | {rate} rows/s' : 'importing [{bar}] {percentage}% | {rows} rows | {rate} rows/s | ETA {eta_formatted}',
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  let begun = false;
  return {
    update: (p) => {
      const rate = Math.round(p.rows / Math.max(0.001, (Date.now() - started) / 1000));
      const payload = { rows: n(p.rows), rate: n(rate) };
      if (!begun) {
        bar.start(p.totalBytes ?? 0, p.bytes, payload);
        begun = true;
      } else bar.update(p.bytes, payload);
    },
    stop: () => {
      if (begun) bar.stop();
    },
  };
}
