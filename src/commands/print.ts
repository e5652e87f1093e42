// till print test|reprint|drawer and till printer status: the receipt printer from the shell.
// The printing modules (receipt layout, iconv-lite, node-thermal-printer) and conf load inside the
// actions, never when the program starts.
import { Command, Option } from 'commander';
import { existsSync } from 'node:fs';
import { openDatabase } from '../db/open.js';
import { getIdentity } from '../db/settings.js';
import { TillError, UsageError, UserError } from '../errors.js';
import { dbPath } from '../home.js';
import type { Lang, PrinterSettings, PrintResult } from '../print/index.js';
import { globals, homeOf, printJson, say, writeOut } from './context.js';
import { withTill } from './options.js';

const printing = () => import('../print/index.js');

const printerOption = (verb = 'print to') =>
  new Option('--printer <uri>', `${verb} this printer instead of printer.uri: tcp://host:9100, /dev/usb/lp0, file:<path>, preview or none`);
const widthOption = () =>
  new Option('--width <mm>', 'paper width instead of printer.width: 58 or 80').argParser((v) => {
    if (v !== '58' && v !== '80') throw new UsageError(`--width: paper width is 58 or 80 (mm), got "${v}".`);
    return Number(v) as 58 | 80;
  });

interface PrinterOpts {
  printer?: string;
  width?: 58 | 80;
}

async function settings(cmd: Command, opts: PrinterOpts): Promise<PrinterSettings & { uri: string }> {
  const home = homeOf(cmd);
  const [{ TillConfig }, p] = await Promise.all([import('../config.js'), printing()]);
  if (opts.printer !== undefined) {
    // A bad --printer is a bad option value: usage (exit 2).
    await p.checkPrinterUri(opts.printer).catch((e: unknown) => {
      throw e instanceof TillError ? new UsageError(e.message) : e;
    });
  }
  const config = new TillConfig(home);
  const wanted = globals(cmd).lang ?? process.env.TILL_LANG;
  const lang: Lang | undefined = wanted === 'en' || wanted === 'zh-CN' ? wanted : undefined;
  return { home, config, printer: opts.printer, paper: opts.width, lang, uri: opts.printer ?? config.get('printer.uri') };
}

/** Shows a preview on stdout, or turns a failed print into the command's error. */
function finish(r: PrintResult, done: string): void {
  if (!r.ok) throw new UserError(r.message, 'E_PRINTER');
  if (r.preview !== undefined) writeOut(1, r.preview);
  else say(done);
  if (r.warning) say(r.warning);
}

const test = new Command('test')
  .description('print a test page: a column ruler, Chinese alignment and a barcode')
  .addOption(printerOption())
  .addOption(widthOption())
  .action(async (opts: PrinterOpts, cmd: Command) => {
    const s = await settings(cmd, opts);
    // A printer can be tried before `till init`: then the page has no store name.
    let storeName = 'Till';
    const file = dbPath(s.home);
    if (existsSync(file)) {
      const db = openDatabase(file);
      try {
        storeName = getIdentity(db)?.storeName ?? storeName;
      } finally {
        db.close();
      }
    }
    if (s.uri === 'none') return say('printer.uri is none: nothing is printed. Use --printer <uri> or `till config set printer.uri <uri>`.');
    const { printTestPage } = await printing();
    finish(await printTestPage({ ...s, storeName }), `Test page sent to ${s.uri}.`);
  });

const reprint = new Command('reprint')
  .description('print a sale\'s receipt (or a return\'s slip) again, marked "重印 / COPY"')
  .argument('<receipt-no|last>', 'the receipt number (S001-T01-20250301-0007), a return number (S001-T01-20250301-R0001), a sale id, or "last"')
  .addOption(printerOption())
  .addOption(widthOption())
  .action(async (ref: string, opts: PrinterOpts, cmd: Command) => {
    const s = await settings(cmd, opts);
    const [{ findSale }, { findReturnOrNull }] = await Promise.all([import('../db/sales.js'), import('../db/returns.js')]);
    const { sale, ret, identity } = await withTill(cmd, ({ db, identity }) => {
      const ret = findReturnOrNull(db, ref);
      return { ret, sale: ret ? undefined : findSale(db, ref), identity };
    });
    if (s.uri === 'none') throw new UserError('printer.uri is none, so nothing can be printed. Use --printer <uri> or `till config set printer.uri <uri>`.', 'E_PRINTER');
    if (ret) {
      const { printReturnReceipt } = await printing();
      return finish(await printReturnReceipt({ ...s, ret, identity, copy: true, openDrawer: false }), `Reprinted ${ret.returnNo} (退货 / RETURN, 重印 / COPY) on ${s.uri}.`);
    }
    if (!sale) return;
    const { printSaleReceipt } = await printing();
    finish(await printSaleReceipt({ ...s, sale, identity, copy: true, openDrawer: false, training: sale.training }), `Reprinted ${sale.receiptNo} (重印 / COPY) on ${s.uri}.`);
  });

const drawer = new Command('drawer')
  .description('open the cash drawer connected to the receipt printer')
  .addOption(printerOption('use'))
  .action(async (opts: PrinterOpts, cmd: Command) => {
    const s = await settings(cmd, opts);
    if (s.uri === 'preview' || s.uri === 'none') {
      throw new UserError(`printer.uri is ${s.uri}, so there is no printer for a cash drawer to hang off. Use --printer <uri> or \`till config set printer.uri <uri>\`.`, 'E_PRINTER');
    }
    const { openCashDrawer } = await printing();
    finish(await openCashDrawer(s), `Cash drawer opened (${s.uri}).`);
  });

export const printCommand = new Command('print')
  .description('receipt printer: test page, reprint a receipt, open the cash drawer')
  .addCommand(test)
  .addCommand(reprint)
  .addCommand(drawer);

const status = new Command('status')
  .description('the receipt printer\'s state: ready, paper-low, paper-out, cover-open, offline, unreachable, not-a-printer or unknown (exit 1 unless ready or paper-low)')
  .addOption(printerOption('ask'))
  .option('--json', 'print JSON')
  .action(async (opts: PrinterOpts & { json?: boolean }, cmd: Command) => {
    const s = await settings(cmd, opts);
    const { printerStatus, PRINTABLE } = await printing();
    const r = await printerStatus(s);
    const ready = PRINTABLE.includes(r.state);
    if (opts.json) printJson({ ...r, ready });
    else {
      const rows: Array<[string, string]> = [
        ['Printer', r.uri],
        ['State', r.state],
        ['Ready', ready ? 'yes' : 'no'],
        ['Detail', r.detail],
      ];
      if (r.reportsStatus) {
        rows.push(['Online', r.online ? 'yes' : 'no'], ['Paper', r.paper ?? '?'], ['Cover', r.coverOpen ? 'open' : 'closed']);
        if (r.error) rows.push(['Error', 'yes']);
      }
      writeOut(1, rows.map(([k, v]) => `${k.padEnd(9)} ${v}`).join('\n') + '\n');
    }
    if (!ready) process.exitCode = 1;
  });

export const printerCommand = new Command('printer').description('the receipt printer: status').addCommand(status);
