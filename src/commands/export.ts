// till products export, till export sales|products: data out of the till as CSV (Excel,
// accounting), JSON or NDJSON (scripts), to stdout or a file. The work is in src/export/.
import { Command, Option } from 'commander';
import { extname } from 'node:path';
import { UsageError } from '../errors.js';
import { openTill, say } from './context.js';
import { dateRange, EXPORT_ENCODINGS, withPeriodOptions } from './options.js';

type Format = 'csv' | 'json' | 'ndjson';

interface OutputFlags {
  format?: Format;
  output?: string;
  encoding: string;
  bom?: boolean;
}

const withOutputOptions = (c: Command) =>
  c
    .addOption(new Option('--format <format>', 'csv (amounts in yuan, for Excel), json or ndjson (amounts in fen); default from the --output extension, else csv').choices(['csv', 'json', 'ndjson']))
    .option('-o, --output <file>', 'write to this file (default: standard output)')
    .addOption(new Option('--encoding <encoding>', 'CSV text encoding; gb18030 for Excel on Chinese Windows').choices(EXPORT_ENCODINGS).default('utf-8'))
    .option('--bom', 'start a UTF-8 CSV with a byte-order mark, so Excel reads it as UTF-8');

function outputOf(flags: OutputFlags): { format: Format; file?: string; encoding: 'utf-8' | 'gb18030'; bom: boolean } {
  const file = flags.output === '-' ? undefined : flags.output;
  const ext = file ? extname(file).toLowerCase() : '';
  const format: Format = flags.format ?? (ext === '.json' ? 'json' : ext === '.ndjson' || ext === '.jsonl' ? 'ndjson' : 'csv');
  const encoding = flags.encoding as 'utf-8' | 'gb18030';
  if (format !== 'csv' && (encoding !== 'utf-8' || flags.bom)) {
    throw new UsageError(`--encoding gb18030 and --bom are for CSV; ${format.toUpperCase()} is always UTF-8 without a BOM.`);
  }
  if (encoding === 'gb18030' && flags.bom) throw new UsageError('--bom is for UTF-8 files and Excel reads GB18030 without one: drop --bom, or drop --encoding gb18030 for UTF-8 with a BOM.');
  return { format, file, encoding, bom: !!flags.bom };
}

async function run(cmd: Command, flags: OutputFlags, what: string, write: (db: import('../db/open.js').DB, format: Format, out: import('../export/output.js').Output) => Promise<number>): Promise<void> {
  const o = outputOf(flags);
  const { Output, OutputClosed } = await import('../export/output.js');
  const { db } = openTill(cmd);
  const out = new Output(o);
  let n: number;
  try {
    n = await write(db, o.format, out);
    await out.close();
  } catch (e) {
    await out.discard();
    if (e instanceof OutputClosed) return;
    throw e;
  } finally {
    db.close();
  }
  if (o.file) say(`Exported ${n.toLocaleString('en-US')} ${what} to ${o.file}.`);
  else if (process.stderr.isTTY && !process.stdout.isTTY) say(`Exported ${n.toLocaleString('en-US')} ${what}.`);
}

function productsExport(name: string): Command {
  return withOutputOptions(new Command(name).description('export the catalog (inactive products too); the CSV imports back with `till products import`')).action(
    async (flags: OutputFlags, cmd: Command) => {
      const { exportProducts } = await import('../export/exports.js');
      await run(cmd, flags, 'products', exportProducts);
    },
  );
}

/** `till products export` */
export const productsExportCommand = productsExport('export');

const sales = withOutputOptions(
  withPeriodOptions(new Command('sales').description('export sales of a period: a row per sale, per line or per payment'))
    .addOption(new Option('--rows <kind>', 'one row per sale, per sale line, or per payment').choices(['sales', 'lines', 'payments']).default('sales')),
).action(async (flags: OutputFlags & { from?: string; to?: string; rows: 'sales' | 'lines' | 'payments' }, cmd: Command) => {
  const range = dateRange(flags.from, flags.to);
  const { exportSales } = await import('../export/exports.js');
  await run(cmd, flags, flags.rows === 'sales' ? 'sales' : flags.rows === 'lines' ? 'sale lines' : 'payments', (db, format, out) =>
    exportSales(db, range, flags.rows, format, out),
  );
});

/** `till export sales|products` */
export const exportCommand = new Command('export').description('export sales and the catalog as CSV, JSON or NDJSON').addCommand(sales).addCommand(productsExport('products'));
