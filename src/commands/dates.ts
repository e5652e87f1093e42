// Date options typed by people (--from/--to): a day "2026-11-26" in the till's local time, or a
// full ISO timestamp. A day as --to includes that whole day.
import type { Command } from 'commander';
import { UserError } from '../errors.js';

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

function parse(input: string, option: string, endOfDay: boolean): string {
  const m = DAY.exec(input.trim());
  if (m) {
    const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + (endOfDay ? 1 : 0));
    if (d.getFullYear() !== Number(m[1]) || (!endOfDay && d.getDate() !== Number(m[3]))) throw new UserError(`${option}: "${input}" is not a real date.`);
    return d.toISOString();
  }
  const t = new Date(input);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(input) || Number.isNaN(t.getTime())) {
    throw new UserError(`${option}: "${input}" is not a date; use YYYY-MM-DD (e.g. 2026-11-26) or an ISO time.`);
  }
  return t.toISOString();
}

/** Returns [fromIso, toIsoExclusive] for the options given. */
export function dateRange(from?: string, to?: string): { from?: string; to?: string } {
  const r = { from: from ? parse(from, '--from', false) : undefined, to: to ? parse(to, '--to', true) : undefined };
  if (r.from && r.to && r.from >= r.to) throw new UserError(`--from (${from}) is after --to (${to}).`);
  return r;
}

/** --from and --to, as every command that reads a period takes them (read with dateRange). */
export function withPeriodOptions(cmd: Command): Command {
  return cmd
    .option('--from <date>', 'first day (YYYY-MM-DD, local time) or ISO time to include')
    .option('--to <date>', 'last day to include (or an ISO time, exclusive)');
}
