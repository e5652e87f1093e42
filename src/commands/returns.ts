// till sales return|void|returns: take goods back against a receipt (some lines or all of it),
// void a finished sale of today (a post-void: a full return), and list the returns. A supervisor
// or admin approves each with their PIN, read on a terminal or as one line with --pin-stdin.
import { Command, InvalidArgumentError, Option } from 'commander';
import { formatLocalTime } from '../core/dates.js';
import { formatFen } from '../core/money.js';
import type { RefundMode } from '../core/refund.js';
import type { ReturnRecord } from '../db/returns.js';
import { UsageError } from '../errors.js';
import type { Lang } from '../print/index.js';
import { globals, homeOf, openTill, printJson, say, writeOut } from './context.js';
import { dateRange, intOption, withPeriodOptions } from './options.js';
import { askSecret, readStdinLine } from './prompt.js';

const METHOD: Record<string, string> = { cash: 'cash', card: 'card', wechat: 'WeChat', alipay: 'Alipay' };



async function supervisorPin(id: string, fromStdin: boolean | undefined): Promise<string> {
  const pin = fromStdin ? await readStdinLine() : await askSecret(`PIN of supervisor ${id}: `, '--pin-stdin (and the PIN as one line on stdin)');
  if (!pin) throw new UsageError('No PIN on stdin: give the supervisor PIN as one line.');
  return pin;
}

function describe(r: ReturnRecord): string {
  const out = [
    `${r.kind === 'post-void' ? 'Post-void' : 'Return'} ${r.returnNo} of ${r.saleReceiptNo}`,
    `Time      ${formatLocalTime(new Date(r.createdAt))}`,
    `Cashier   ${r.cashierId} · approved by ${r.supervisorId}${r.reason ? ` · reason: ${r.reason}` : ''}`,
    '',
  ];
  for (const l of r.lines) {
    const qty = l.qtyGrams !== null ? `${(l.qtyGrams / 1000).toFixed(3)} kg` : `×${l.qty}`;
    out.push(`  ${l.lineNo}. ${l.name}  ${qty}  refund ${formatFen(l.refundFen)}`);
  }
  out.push('', `Refund    ${formatFen(r.refundFen)}`);
  for (const t of r.tenders) out.push(`  to ${METHOD[t.method] ?? t.method}${t.paymentIdx === null ? ' (instead of the original tender)' : ''}  ${formatFen(t.amountFen)}`);
  return out.join('\n') + '\n';
}

interface ReturnOpts {
  line?: Array<{ lineNo: number; qty?: number }>;
  reason?: string;
  refund: RefundMode;
  supervisor: string;
  cashier?: string;
  pinStdin?: boolean;
  json?: boolean;
  print?: boolean;
}

async function run(cmd: Command, receiptNo: string, opts: ReturnOpts, kind: 'return' | 'post-void'): Promise<void> {
  const { commitReturn } = await import('../checkout/returns.js');
  const pin = await supervisorPin(opts.supervisor, opts.pinStdin);
  const { db, identity } = openTill(cmd);
  let ret: ReturnRecord;
  try {
    ret = commitReturn(db, { receiptNo, lines: opts.line, reason: opts.reason, refund: opts.refund, cashierId: opts.cashier, kind }, { supervisorId: opts.supervisor, pin });
  } finally {
    db.close();
  }
  if (opts.json) printJson(ret);
  else writeOut(1, describe(ret));
  // Printed after the commit, as a sale's receipt is: a printer that is off costs a message only.
  if (opts.print) {
    const [{ TillConfig }, { printReturnReceipt }] = await Promise.all([import('../config.js'), import('../print/index.js')]);
    const home = homeOf(cmd);
    const wanted = globals(cmd).lang ?? process.env.TILL_LANG;
    const lang: Lang | undefined = wanted === 'en' || wanted === 'zh-CN' ? wanted : undefined;
    const r = await printReturnReceipt({ home, config: new TillConfig(home), lang, ret, identity });
    if (!r.ok) say(r.message);
    else if (r.preview !== undefined) writeOut(opts.json ? 2 : 1, r.preview);
  }
}

const approvalOptions = (c: Command) =>
  c
    .requiredOption('--supervisor <id>', 'the supervisor or admin who approves it (never the cashier of the return)')
    .option('--pin-stdin', "read the supervisor's PIN as one line from stdin (else it is asked on the terminal)")
    .option('--cashier <id>', 'the cashier taking it back (default: the cashier who rang up the sale)')
    .option('--json', 'print the return as JSON')
    .option('--print', 'print the return slip (退货 / RETURN) on the receipt printer');

// --line and --qty pair up in the order given: each --qty belongs to the --line before it.
let picked: Array<{ lineNo: number; qty?: number }> = [];
const returnCmd = approvalOptions(
  new Command('return')
    .description('take goods back against a receipt: the whole sale, or some lines (--line n [--qty q], repeated); a weighed line only whole')
    .argument('<receipt-no>', 'the sale\'s receipt number (S001-T01-20261126-0001), or "last"')
    .option('--line <n>', 'a line of the receipt to return (see `till sales show`); repeat for more lines', (v) => {
      picked.push({ lineNo: intOption('--line', 1)(v) });
      return picked;
    })
    .option('--qty <q>', 'how many of the --line before it (default: all of that line not yet returned)', (v) => {
      const last = picked[picked.length - 1];
      if (!last) throw new InvalidArgumentError('--qty follows the --line it is for: --line 2 --qty 1.');
      if (last.qty !== undefined) throw new InvalidArgumentError(`line ${last.lineNo} has two --qty; give one.`);
      last.qty = intOption('--qty', 1)(v);
      return v;
    })
    .option('--reason <text>', 'why the customer brought it back')
    .addOption(new Option('--refund <how>', 'original: back to the tenders that paid (cash last); cash: all in cash').choices(['original', 'cash']).default('original')),
).action(async (receiptNo: string, opts: ReturnOpts, cmd: Command) => {
  try {
    await run(cmd, receiptNo, opts, 'return');
  } finally {
    picked = [];
  }
});

const voidCmd = approvalOptions(
  new Command('void')
    .description('post-void: void a finished sale of today, refunded in full to the tenders that paid')
    .argument('<receipt-no>', 'the sale\'s receipt number, or "last"')
    .option('--reason <text>', 'why the sale is voided'),
).action(async (receiptNo: string, opts: ReturnOpts, cmd: Command) => run(cmd, receiptNo, { ...opts, refund: 'original' }, 'post-void'));

const listCmd = withPeriodOptions(new Command('returns').description('list returns and post-voids, oldest first'))
  .option('--json', 'print JSON: one object per return with its lines and refund tenders')
  .action(async (opts: { from?: string; to?: string; json?: boolean }, cmd: Command) => {
    const range = dateRange(opts.from, opts.to);
    const { listReturns } = await import('../db/returns.js');
    const { db } = openTill(cmd);
    try {
      const rows = listReturns(db, range);
      if (opts.json) return printJson(rows);
      if (rows.length === 0) return void writeOut(2, 'No returns in that period.\n');
      const { renderTable } = await import('../core/table.js');
      const table = renderTable(
        [{ header: 'RETURN' }, { header: 'KIND' }, { header: 'RECEIPT' }, { header: 'TIME' }, { header: 'CASHIER' }, { header: 'SUPERVISOR' }, { header: 'REFUND', align: 'right' }, { header: 'TO' }],
        rows.map((r) => [
          r.returnNo,
          r.kind,
          r.saleReceiptNo,
          formatLocalTime(new Date(r.createdAt)),
          r.cashierId,
          r.supervisorId,
          formatFen(r.refundFen),
          r.tenders.map((t) => METHOD[t.method] ?? t.method).join('+'),
        ]),
      );
      const total = rows.reduce((s, r) => s + r.refundFen, 0);
      writeOut(1, `${table}\n${rows.length} returns, refunded ${formatFen(total)}\n`);
    } finally {
      db.close();
    }
  });

export const returnCommands = [returnCmd, voidCmd, listCmd];
