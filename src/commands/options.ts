// Options shared by several commands, defined once: repeatable values, whole numbers, prices,
// text encodings, the --from/--to period, and running an action on the open till database.
// A bad option value is a usage error (exit 2, DESIGN.md "CLI contract") whose one line says
// what to type instead.
import type { Command } from 'commander';
import { MoneyParseError, parseYuan } from '../core/money.js';
import { formatDay, nextDay, parseDay, type Day } from '../core/dates.js';
import { UsageError } from '../errors.js';
import { openTill, type TillContext } from './context.js';

/** A repeatable option (`--barcode a --barcode b`): commander's reducer, starting from []. */
export const collect = (v: string, prev: string[]) => [...prev, v];

/** An integer option parser with bounds: `.option('--limit <n>', '…', intOption('--limit', 1))`. */
export function intOption(what: string, min: number, max = Number.MAX_SAFE_INTEGER): (v: string) => number {
  return (v: string) => {
    const t = v.trim();
    const range = max < Number.MAX_SAFE_INTEGER ? ` from ${min} to ${max}` : min === 1 ? ' above 0' : ` of at least ${min}`;
    if (!/^-?\d+$/.test(t) || Number(t) < min || Number(t) > max) throw new UsageError(`${what} takes a whole number${range}, got "${v}".`);
    const n = Number(t);
    return n;
  };
}

/** A whole number above 0 (`--limit`, `--pool`, `--timeout`). */
export function positiveInt(v: string, what: string): number {
  return intOption(what, 1)(v);
}

/** A price typed in yuan ("3.5", "¥3.50") as integer fen. */
export function priceOption(input: string, what = '--price'): number {
  try {
    return parseYuan(input);
  } catch (e) {
    if (e instanceof MoneyParseError) throw new UsageError(`${what}: ${e.message}.`);
    throw e;
  }
}

/** The encodings a CSV import reads (GBK files are read as GB18030, its superset). */
export const IMPORT_ENCODINGS = ['auto', 'utf-8', 'utf8', 'gb18030', 'gbk', 'utf-16le'] as const;
export const IMPORT_ENCODING_HELP = 'auto, utf-8 or gb18030 (also for GBK)';

export function importEncodingOption(v: string): string {
  if (!(IMPORT_ENCODINGS as readonly string[]).includes(v.trim().toLowerCase())) {
    throw new UsageError(`--encoding takes auto, utf-8 or gb18030 (GBK files too), got "${v}".`);
  }
  return v.trim().toLowerCase();
}

/** The options of a CSV import (`till products import`, `till hq products import`). */
export function withCsvImportOptions(cmd: Command): Command {
  return cmd
    .option('--dry-run', 'report what would be added, updated, unchanged or rejected; write nothing')
    .option('--rejects <path>', 'where to write rejected rows with line and reason (default: <name>.rejects.csv beside the file, e.g. supplier.rejects.csv)')
    .option('--encoding <name>', IMPORT_ENCODING_HELP, importEncodingOption, 'auto')
    .option('--delimiter <char>', 'field separator: , ; | or tab (default: detected from the header)')
    .option('--map <json>', 'columns for fields the headers do not name, e.g. \'{"barcode":"商品编码","price":"会员价"}\'');
}

export interface CsvImportFlags {
  dryRun?: boolean;
  rejects?: string;
  encoding: string;
  delimiter?: string;
  map?: string;
}

/** What the import options ask for, checked (a bad --delimiter or --map is a usage error). */
export async function csvImportOptions(file: string, flags: CsvImportFlags) {
  const [{ delimiterOption, CsvFileError }, { parseColumnMap, ColumnError }, { defaultRejectsPath }] = await Promise.all([
    import('../import/csv.js'),
    import('../import/columns.js'),
    import('../import/service.js'),
  ]);
  const fromStdin = file === '-';
  try {
    return {
      label: fromStdin ? 'stdin' : file,
      dryRun: !!flags.dryRun,
      rejectsPath: flags.rejects ?? (fromStdin ? undefined : defaultRejectsPath(file)),
      encoding: flags.encoding,
      delimiter: flags.delimiter === undefined ? undefined : delimiterOption(flags.delimiter),
      map: flags.map ? parseColumnMap(flags.map) : undefined,
    };
  } catch (e) {
    if (e instanceof ColumnError) throw new UsageError(`${e.message}.`);
    if (e instanceof CsvFileError) throw new UsageError(e.message.endsWith('.') ? e.message : e.message + '.');
    throw e;
  }
}

/** The encodings an export writes. */
export const EXPORT_ENCODINGS = ['utf-8', 'gb18030'] as const;

// ---- dates --------------------------------------------------------------------------------------

const EXAMPLE = '2026-11-26';

/**
 * A calendar day typed as an option value, exactly YYYY-MM-DD and a day that exists: 2026-12-31
 * is one, 2026-02-31 and 2026-11-45 are refused with what to type.
 */
export function dayOption(v: string, what: string): Day {
  const day = parseDay(v.trim());
  if (!day) throw new UsageError(`${what}: "${v}" is not a day of the calendar; type it as YYYY-MM-DD, e.g. ${EXAMPLE}.`);
  return day;
}

/** A period of business days (HQ): both ends inclusive, YYYY-MM-DD. */
export function dayPeriod(from: string | undefined, to: string | undefined): { from?: string; to?: string } {
  const f = from === undefined ? undefined : formatDay(dayOption(from, '--from'));
  const t = to === undefined ? undefined : formatDay(dayOption(to, '--to'));
  if (f && t && f > t) throw new UsageError(`--from (${f}) is after --to (${t}); put the earlier day first.`);
  return { from: f, to: t };
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Local midnight at the start of `day` (years below 100 stay themselves, not 19xx). */
function localMidnight(day: Day): Date {
  const d = new Date(2000, 0, 1);
  d.setFullYear(day.y, day.m - 1, day.d);
  return d;
}

function instant(v: string, what: string, endOfDay: boolean): Date {
  const text = v.trim();
  const day = parseDay(text);
  if (day) return localMidnight(endOfDay ? nextDay(day) : day);
  if (ISO_TIME.test(text) && parseDay(text.slice(0, 10))) {
    const t = new Date(text);
    if (!Number.isNaN(t.getTime())) return t;
  }
  throw new UsageError(`${what}: "${v}" is not a day of the calendar; type it as YYYY-MM-DD (e.g. ${EXAMPLE}) or an ISO time (${EXAMPLE}T08:00:00Z).`);
}

/**
 * The period a till command reads (--from/--to), as ISO instants [from, to): a day is taken in
 * the till's local time and --to includes that whole day; an ISO time is taken as it is
 * (exclusive as --to).
 */
export function dateRange(from?: string, to?: string): { from?: string; to?: string } {
  const f = from === undefined ? undefined : instant(from, '--from', false);
  const t = to === undefined ? undefined : instant(to, '--to', true);
  if (f && t && f.getTime() >= t.getTime()) throw new UsageError(`--from (${from}) is after --to (${to}); put the earlier day first.`);
  return { from: f?.toISOString(), to: t?.toISOString() };
}

/** --from and --to, as every till command that reads a period takes them (read with dateRange). */
export function withPeriodOptions(cmd: Command): Command {
  return cmd
    .option('--from <date>', 'first day to include, YYYY-MM-DD (local time), or an ISO time')
    .option('--to <date>', 'last day to include, YYYY-MM-DD (the whole day), or an ISO time (exclusive)');
}

/** --from and --to as HQ reads them: business days, both inclusive (read with dayPeriod). */
export function withBusinessDayOptions(cmd: Command): Command {
  return cmd
    .option('--from <day>', 'first business day, YYYY-MM-DD')
    .option('--to <day>', 'last business day, YYYY-MM-DD (inclusive)');
}

// ---- the till database ----------------------------------------------------------------------------

/** Runs `fn` on the initialised till's database and closes it afterwards, whatever happens. */
export async function withTill<T>(cmd: Command, fn: (till: TillContext) => T | Promise<T>): Promise<T> {
  const till = openTill(cmd);
  try {
    return await fn(till);
  } finally {
    till.db.close();
  }
}
