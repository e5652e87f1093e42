// till report: the X report (the period since the last Z, any time, changing nothing) and the Z
// report (closes that period, numbered, kept for ever), on the terminal, as JSON, or on paper.
// The figures are db/zreports.ts's (core/metrics.ts's definitions).
import { Command } from 'commander';
import { formatYuan } from '../core/money.js';
import type { ReportBody } from '../db/zreports.js';
import { UsageError } from '../errors.js';
import type { Lang } from '../print/index.js';
import { askSecret, readStdinLine } from './prompt.js';
import { globals, openTill, printJson, say, writeOut, type TillContext } from './context.js';

/** The report on stdout: JSON, or the printed layout at 80 mm as text. */
async function show(report: ReportBody, ctx: TillContext, json: boolean | undefined): Promise<void> {
  if (json) return printJson(report);
  const [{ layoutReport }, { renderText }] = await Promise.all([import('../print/report-layout.js'), import('../print/layout.js')]);
  writeOut(1, renderText(layoutReport({ report, storeName: ctx.identity.storeName, paper: 80 })));
}

/** Printed after the report is taken, as a receipt is: a printer that is off costs a message only. */
async function print(cmd: Command, ctx: TillContext, report: ReportBody, json: boolean | undefined, copy = false): Promise<void> {
  const [{ TillConfig }, { printReport }] = await Promise.all([import('../config.js'), import('../print/index.js')]);
  const wanted = globals(cmd).lang ?? process.env.TILL_LANG;
  const lang: Lang | undefined = wanted === 'en' || wanted === 'zh-CN' ? wanted : undefined;
  const r = await printReport({ home: ctx.home, config: new TillConfig(ctx.home), lang, report, storeName: ctx.identity.storeName, copy });
  if (!r.ok) say(r.message);
  else if (r.preview !== undefined) writeOut(json ? 2 : 1, r.preview);
}

const x = new Command('x')
  .description('the X report: sales, returns, tenders, cash since the last Z, as they stand (changes nothing)')
  .option('--json', 'print the report as JSON (amounts in fen: netFen, grossFen, …)')
  .option('--print', 'print it on the receipt printer')
  .action(async (o: { json?: boolean; print?: boolean }, cmd: Command) => {
    const { xReport } = await import('../db/zreports.js');
    const ctx = openTill(cmd);
    try {
      const report = xReport(ctx.db, new Date());
      if (o.print) await print(cmd, ctx, report, o.json);
      else await show(report, ctx, o.json);
    } finally {
      ctx.db.close();
    }
  });

function zNumber(v: string): number {
  if (!/^\d{1,9}$/.test(v) || Number(v) < 1) throw new UsageError(`"${v}" is not a Z report number (1, 2, 3, …); \`till report z --list\` lists them.`);
  return Number(v);
}

const zShow = new Command('show')
  .description('a Z report as it was taken')
  .argument('<no>', 'the Z report number', zNumber)
  .option('--json', 'print the report as JSON')
  .option('--print', 'print it again on the receipt printer (marked COPY)')
  .action(async (no: number, _o: unknown, cmd: Command) => {
    // `z` has --json and --print too: commander hands them to it wherever they are typed.
    const o = cmd.optsWithGlobals() as { json?: boolean; print?: boolean };
    const { getZReport } = await import('../db/zreports.js');
    const ctx = openTill(cmd);
    try {
      const report = getZReport(ctx.db, no);
      if (o.print) await print(cmd, ctx, report, o.json, true);
      else await show(report, ctx, o.json);
    } finally {
      ctx.db.close();
    }
  });

const z = new Command('z')
  .description('the Z report: closes the period since the last Z (numbered, never changed); --list lists them')
  .option('--json', 'print the report (or the list) as JSON')
  .option('--print', 'print it on the receipt printer')
  .option('--list', 'list the Z reports taken, newest first, instead of taking one')
  .option('--by <id>', 'the supervisor or admin taking the Z (their PIN is asked)')
  .option('--pin-stdin', 'read their PIN as one line from stdin (else it is asked on the terminal)')
  .addCommand(zShow)
  .action(async (o: { json?: boolean; print?: boolean; list?: boolean; by?: string; pinStdin?: boolean }, cmd: Command) => {
    if (o.list && o.print) throw new UsageError('--list lists the Z reports; print one with `till report z show <no> --print`.');
    if (!o.list && !o.by) throw new UsageError('A Z is taken by a supervisor or admin: give --by <id> (and the PIN on the terminal, or one line on stdin with --pin-stdin).');
    const { authorizeZ, listZReports, takeZReport } = await import('../db/zreports.js');
    const ctx = openTill(cmd);
    try {
      if (o.list) {
        const rows = listZReports(ctx.db);
        if (o.json) return printJson(rows);
        if (rows.length === 0) return say('No Z report has been taken on this till yet; `till report z` takes one.');
        const { renderTable } = await import('../core/table.js');
        const right = { align: 'right' as const };
        const days = (r: (typeof rows)[number]) => (r.businessDayFrom === r.businessDayTo ? (r.businessDayFrom ?? '') : `${r.businessDayFrom}~${r.businessDayTo}`);
        const table = rows.map((r) => [String(r.no), r.takenAt, days(r), String(r.salesCount), formatYuan(r.netFen), formatYuan(r.grandTotalFen)]);
        return writeOut(1, renderTable([{ header: 'Z', ...right }, { header: 'TAKEN' }, { header: 'DAYS' }, { header: 'SALES', ...right }, { header: 'NET', ...right }, { header: 'GRAND TOTAL', ...right }], table) + '\n');
      }
      const pin = o.pinStdin ? await readStdinLine() : await askSecret(`PIN of ${o.by}: `, '--pin-stdin (and the PIN as one line on stdin)');
      if (!pin) throw new UsageError('No PIN on stdin: give the PIN of --by as one line.');
      const by = authorizeZ(ctx.db, o.by!, pin);
      const report = takeZReport(ctx.db, new Date(), { takenBy: by.id });
      say(`Z report ${report.no} taken: ${report.salesCount} sale(s), net ${formatYuan(report.netFen)}.`);
      if (o.print) await print(cmd, ctx, report, o.json);
      if (o.json) printJson(report);
      else if (!o.print) await show(report, ctx, false);
    } finally {
      ctx.db.close();
    }
  });

export const reportCommand = new Command('report').description('X and Z reports: the till’s figures since the last Z, and closing them').addCommand(x).addCommand(z);
