// Completing a sale and its receipt: the commit first, then printing in the background (a
// printer never delays or undoes a sale), and F12 reprints the last one.
import { EMPTY_CART } from '../core/cart.js';
import { formatYuan } from '../core/money.js';
import type { Sale } from '../core/types.js';
import type { Cashier } from '../checkout/service.js';
import { NotFoundError } from '../errors.js';
import type { MessageKey } from '../core/i18n.js';
import type { CheckoutSettings, PrinterState, PrintResult } from './checkout-types.js';
import { SALE, type Ctx } from './modes/context.js';
import { shiftRefusal } from './modes/shift.js';

/** Commits the paid cart, then prints. A failed commit keeps the cart and says why. */
export function complete(c: Ctx): void {
  const cashier: Cashier = { id: c.user!.id, name: c.user!.name, training: c.training };
  let sale: Sale;
  try {
    sale = c.store.commit(c.cart, cashier, c.now());
  } catch (err) {
    return shiftRefusal(c, err, 'msg.commitFailed');
  }
  // Training (练习): the drawer stays shut.
  const drawer = !c.training && c.cart.tenders.some((t) => t.method === 'cash');
  c.cart = { ...EMPTY_CART, nextKey: 1 };
  c.screen = SALE;
  c.selected = 0;
  c.pendingQty = null;
  c.lastSale = { sale };
  c.say(sale.changeFen > 0 ? 'msg.doneChange' : 'msg.done', { receipt: sale.receiptNo, change: formatYuan(sale.changeFen), total: formatYuan(sale.totalFen) }, 'ok');
  try {
    c.refreshStatus();
  } catch {
    // The sale is committed; the status bar catches up on its next tick.
  }
  const print = c.settings.print;
  if (print && c.status.printer !== 'off') void printSale(c, print, sale, drawer, false, c.training);
}

async function printSale(c: Ctx, print: NonNullable<CheckoutSettings['print']>, sale: Sale, drawer: boolean, copy = false, training = false): Promise<void> {
  const before = c.status.printer;
  c.status = { ...c.status, printer: before === 'preview' ? 'preview' : 'busy' };
  let r: PrintResult;
  try {
    r = await print(sale, drawer, copy, training);
  } catch (err) {
    r = { ok: false, message: (err as Error)?.message ?? String(err) };
  }
  if (c.disposed) return;
  // A receipt the printer took is a sign of life; the status poll below says more when it can.
  c.status = { ...c.status, printer: before === 'preview' ? 'preview' : r.ok ? (r.warning ? 'paper-low' : 'ready') : 'error' };
  if (c.lastSale?.sale.id === sale.id) c.lastSale = { ...c.lastSale, printed: r, preview: r.ok ? r.preview : undefined };
  if (!r.ok) c.say('msg.printFailed', { error: failureText(c, r) }, 'error');
  else if (r.warning) c.say('msg.printWarning', { warning: firstSentence(r.warning) }, 'error');
  else if (copy) c.say('msg.reprinted', { receipt: sale.receiptNo }, 'ok');
  c.emit();
  // What the printer says now (paper out after this receipt, back online after a failure).
  if (before !== 'preview') await pollPrinter(c);
}

/** The failure reasons printing reports (print/transport.ts FailureReason) that have a short text of their own. */
const PRINT_FAILURES = ['unreachable', 'timeout', 'dropped', 'paper-out', 'cover-open', 'offline', 'io'] as const;

/** The cashier's words for a failed print: short, without the CLI advice meant for an admin. */
function failureText(c: Ctx, r: Extract<PrintResult, { ok: false }>): string {
  if (r.reason && (PRINT_FAILURES as readonly string[]).includes(r.reason)) return c.t(`print.fail.${r.reason}` as MessageKey);
  return firstSentence(r.message);
}

function firstSentence(text: string): string {
  return text.split(/(?<=[。！])|(?<=[.!])\s/)[0].replace(/[。.!！]$/, '');
}

/**
 * Asks the printer how it is (settings.printerState) and shows the answer; never on the scan
 * path, and not while a receipt is printing. Without a status function the bar keeps what
 * printing itself showed.
 */
export async function pollPrinter(c: Ctx): Promise<void> {
  const ask = c.settings?.printerState;
  const now = c.status.printer;
  if (!ask || now === 'off' || now === 'preview' || now === 'busy') return;
  let state: PrinterState;
  try {
    state = await ask();
  } catch {
    state = 'unknown';
  }
  if (c.disposed || c.status.printer === 'busy' || c.status.printer === state) return;
  c.status = { ...c.status, printer: state };
  c.emit();
}

export function pollPrinterEvery(c: Ctx, everyMs: number): () => void {
  void pollPrinter(c);
  if (everyMs <= 0) return () => {};
  const timer = setInterval(() => void pollPrinter(c), everyMs);
  timer.unref?.();
  return () => clearInterval(timer);
}

/**
 * F12: the till's last sale again, marked 重印 / COPY and without opening the drawer (a jammed
 * printer, a customer who wants the receipt after all). Between sales only.
 */
export function reprint(c: Ctx): void {
  if (c.cart.lines.length > 0) return c.say('msg.finishFirst', {}, 'error');
  const print = c.settings.print;
  if (!print || c.status.printer === 'off') return c.say('msg.printerOff', {}, 'error');
  let sale: Sale;
  try {
    sale = c.lastSale?.sale ?? c.store.lastSale();
  } catch (err) {
    if (err instanceof NotFoundError) return c.say('msg.noSalesYet', {}, 'error');
    throw err;
  }
  c.clearInput();
  c.lastSale = { sale };
  c.say('msg.reprinting', { receipt: sale.receiptNo });
  void printSale(c, print, sale, false, true);
}
