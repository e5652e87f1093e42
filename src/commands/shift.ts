// till shift: a cashier's turn at the drawer: open with a counted float, pay cash in or out with
// a reason, close with the count (a total or by denomination), and the status in between.
// The rules are db/shifts.ts's; expected cash is core/cash.ts's one definition.
import { Command } from 'commander';
import { CountParseError, parseDenominationCount } from '../core/cash.js';
import { MoneyParseError, formatYuan, parseYuan } from '../core/money.js';
import { UsageError } from '../errors.js';
import { homeOf, openTill, printJson, say, writeOut } from './context.js';

/** An amount of cash typed in yuan; a bad value is a usage error (exit 2). */
function cashOption(option: string, allowZero: boolean) {
  return (input: string): number => {
    try {
      return parseYuan(input, { allowZero });
    } catch (e) {
      if (e instanceof MoneyParseError) throw new UsageError(`${option}: ${e.message}.`);
      throw e;
    }
  };
}

async function blindClose(cmd: Command): Promise<boolean> {
  const { TillConfig } = await import('../config.js');
  return new TillConfig(homeOf(cmd)).get('shift.blindClose');
}

const open = new Command('open')
  .description('open a shift for a cashier with the counted float in the drawer')
  .requiredOption('--cashier <id>', 'the cashier whose shift it is')
  .requiredOption('--float <yuan>', 'cash counted into the drawer to start with (0 or more)', cashOption('--float', true))
  .option('--json', 'print the shift as JSON')
  .action(async (o: { cashier: string; float: number; json?: boolean }, cmd: Command) => {
    const { openShift } = await import('../db/shifts.js');
    const { db } = openTill(cmd);
    try {
      const shift = openShift(db, { cashierId: o.cashier, floatFen: o.float });
      if (o.json) printJson({ ...shift, floatFen: o.float });
      else say(`Shift ${shift.id} open for cashier ${shift.cashierId} with a float of ${formatYuan(o.float)} (business day ${shift.businessDate}).`);
    } finally {
      db.close();
    }
  });

function movement(kind: 'pay-in' | 'pay-out', description: string): Command {
  return new Command(kind)
    .description(description)
    .requiredOption('--amount <yuan>', 'amount in yuan', cashOption('--amount', false))
    .requiredOption('--reason <text>', 'why, e.g. "milk delivery" (kept in the ledger)')
    .option('--by <id>', "who moves the cash (default: the shift's cashier)")
    .option('--json', 'print the movement as JSON')
    .action(async (o: { amount: number; reason: string; by?: string; json?: boolean }, cmd: Command) => {
      const { payInOut } = await import('../db/shifts.js');
      const { db } = openTill(cmd);
      try {
        const r = payInOut(db, { kind, amountFen: o.amount, reason: o.reason, byId: o.by });
        const blind = await blindClose(cmd);
        if (o.json) printJson({ ...r.movement, ...(blind ? {} : { expectedCashFen: r.expectedCashFen }) });
        else say(`${kind === 'pay-in' ? 'Paid in' : 'Paid out'} ${formatYuan(o.amount)} (${r.movement.reason}) in shift ${r.shift.id}.` + (blind ? '' : ` The drawer should now hold ${formatYuan(r.expectedCashFen)}.`));
      } finally {
        db.close();
      }
    });
}

/** What the cashier sees before typing the count: the expected cash only when the close is not blind. */
export function beforeCountText(shift: { id: number; cashierId: string }, expectedCashFen: number, blind: boolean): string {
  const head = `Closing shift ${shift.id} of cashier ${shift.cashierId}.`;
  return blind ? `${head} Count the drawer (blind close: the expected amount is shown after the count).` : `${head} The drawer should hold ${formatYuan(expectedCashFen)}.`;
}

/** A count as typed: a total in yuan ("1234.5") or by denomination ("100=3,50=1,0.5=4"). */
function parseCount(text: string, option: string): { countedFen: number; countDetail?: Array<{ denominationFen: number; count: number }> } {
  if (!text.includes('=')) return { countedFen: cashOption(option, true)(text) };
  try {
    const { totalFen, counts } = parseDenominationCount(text);
    return { countedFen: totalFen, countDetail: counts };
  } catch (e) {
    if (e instanceof CountParseError) throw new UsageError(`${option}: ${e.message}.`);
    throw e;
  }
}

async function askCount(question: string): Promise<string> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}

const close = new Command('close')
  .description('close the open shift with the cash counted in the drawer: a total, or by denomination (asked on a terminal when not given)')
  .option('--counted <yuan>', 'the total counted', cashOption('--counted', true))
  .option('--count <list>', 'the count by denomination: value=how many for 100, 50, 20, 10, 5, 1, 0.5, 0.1, e.g. 100=3,50=1,0.5=4')
  .option('--by <id>', "who closes (default: the shift's cashier; another cashier's shift takes a supervisor)")
  .option('--json', 'print the closed shift as JSON')
  .action(async (o: { counted?: number; count?: string; by?: string; json?: boolean }, cmd: Command) => {
    if (o.counted !== undefined && o.count !== undefined) throw new UsageError('Give the count once: --counted <yuan> or --count 100=3,50=1,…, not both.');
    const interactive = o.counted === undefined && o.count === undefined;
    if (interactive && !(process.stdin.isTTY && process.stderr.isTTY)) throw new UsageError('Give the count: --counted <yuan> or --count 100=3,50=1,… (no terminal to ask for it).');
    const { closeShift, currentShift, shiftFigures } = await import('../db/shifts.js');
    const { db } = openTill(cmd);
    try {
      let count = o.count !== undefined ? parseCount(o.count, '--count') : { countedFen: o.counted ?? 0 };
      if (interactive) {
        const open = currentShift(db);
        if (open) {
          say(beforeCountText(open, shiftFigures(db, open).expectedCashFen, await blindClose(cmd)));
          count = parseCount(await askCount('Counted cash (yuan, or 100=3,50=1,…): '), 'the count');
        }
      }
      const { shift, figures } = closeShift(db, { ...count, byId: o.by });
      const { countedFen } = count;
      const fig = { floatFen: figures.floatFen, cashTakenFen: figures.cashTakenFen, changeGivenFen: figures.changeGivenFen, cashRefundsFen: figures.cashRefundsFen, payInsFen: figures.payInsFen, payOutsFen: figures.payOutsFen };
      if (o.json) printJson({ ...shift, salesCount: figures.salesCount, ...fig, countedFen, expectedCashFen: figures.expectedCashFen, overShortFen: shift.overShortFen });
      else {
        const os = shift.overShortFen!;
        const verdict = os === 0 ? 'the drawer is right' : os > 0 ? `over by ${formatYuan(os)}` : `short by ${formatYuan(-os)}`;
        say(`Shift ${shift.id} closed: counted ${formatYuan(countedFen)}, expected ${formatYuan(figures.expectedCashFen)}, ${verdict}.`);
      }
    } finally {
      db.close();
    }
  });

const status = new Command('status')
  .description('the open shift: its cashier, sales and (unless blind close is on) the cash the drawer should hold')
  .option('--json', 'print JSON on stdout')
  .action(async (o: { json?: boolean }, cmd: Command) => {
    const { currentShift, crossedCutoff, lastClosedShift, shiftFigures } = await import('../db/shifts.js');
    const { db } = openTill(cmd);
    try {
      const shift = currentShift(db);
      if (!shift) {
        const last = lastClosedShift(db) ?? null;
        if (o.json) return printJson({ open: false, lastClosed: last });
        return say(last ? `No shift is open; shift ${last.id} of cashier ${last.cashierId} closed at ${last.closedAt}.` : 'No shift is open; `till shift open --cashier <id> --float <yuan>` opens one.');
      }
      const blind = await blindClose(cmd);
      const { expectedCashFen, ...figures } = shiftFigures(db, shift);
      const crossed = crossedCutoff(shift);
      if (o.json) return printJson({ open: true, shift, ...figures, ...(blind ? { blindClose: true } : { expectedCashFen }), crossedCutoff: crossed });
      const lines = [
        `Shift ${shift.id} of cashier ${shift.cashierId}, open since ${shift.openedAt} (business day ${shift.businessDate}).`,
        `Sales: ${figures.salesCount}. Float ${formatYuan(figures.floatFen)}, cash taken ${formatYuan(figures.cashTakenFen)}, change given ${formatYuan(figures.changeGivenFen)}, pay-ins ${formatYuan(figures.payInsFen)}, pay-outs ${formatYuan(figures.payOutsFen)}.`,
        blind ? 'Blind close is on: count the drawer without the expected amount.' : `The drawer should hold ${formatYuan(expectedCashFen)}.`,
      ];
      if (crossed) lines.push(`This shift was opened on business day ${shift.businessDate} and is still open after the cutoff: close it and open a new one.`);
      writeOut(1, lines.join('\n') + '\n');
    } finally {
      db.close();
    }
  });

const list = new Command('list')
  .description('the latest shifts, newest first, with what was counted and over/short')
  .option('--limit <n>', 'how many shifts', (v) => {
    if (!/^\d{1,6}$/.test(v) || Number(v) < 1) throw new UsageError(`--limit: "${v}" is not a whole number of 1 or more.`);
    return Number(v);
  }, 20)
  .option('--json', 'print JSON on stdout')
  .action(async (o: { limit: number; json?: boolean }, cmd: Command) => {
    const { listShifts } = await import('../db/shifts.js');
    const { db } = openTill(cmd);
    try {
      const shifts = listShifts(db, o.limit);
      if (o.json) return printJson(shifts);
      const { renderTable } = await import('../core/table.js');
      const money = (fen: number | null) => (fen === null ? '' : formatYuan(fen));
      const rows = shifts.map((s) => [String(s.id), s.cashierId, s.businessDate, s.openedAt, s.closedAt ?? 'open', money(s.countedFen), money(s.expectedCashFen), money(s.overShortFen)]);
      const right = { align: 'right' as const };
      writeOut(1, renderTable([{ header: 'SHIFT' }, { header: 'CASHIER' }, { header: 'DAY' }, { header: 'OPENED' }, { header: 'CLOSED' }, { header: 'COUNTED', ...right }, { header: 'EXPECTED', ...right }, { header: 'OVER/SHORT', ...right }], rows) + '\n');
    } finally {
      db.close();
    }
  });

export const shiftCommand = new Command('shift')
  .description("the cashier's shift and the cash drawer: open, pay-in, pay-out, close, status, list")
  .addCommand(open)
  .addCommand(movement('pay-in', 'put cash into the drawer (with a reason)'))
  .addCommand(movement('pay-out', 'take cash out of the drawer (with a reason), e.g. to pay a delivery'))
  .addCommand(close)
  .addCommand(status)
  .addCommand(list);
