// Completing a sale and its receipt: the commit first, then printing in the background (a
// printer never delays or undoes a sale), and F12 reprints the last one.
import { EMPTY_CART } from '../core/cart.js';
import { formatYuan } from '../core/money.js';
import type { Sale } from '../core/types.js';
import type { Cashier } from '../checkout/service.js';
import { NotFoundError } from '../errors.js';
import type { CheckoutSettings, PrintResult } from './checkout-types.js';
import { SALE, type Ctx } from './modes/context.js';

/** Commits the paid cart, then prints. A failed commit keeps the cart and says why. */
export function complete(c: Ctx): void {
  const cashier: Cashier = { id: c.user!.id, name: c.user!.name };
  let sale: Sale;
  try {
    sale = c.store.commit(c.cart, cashier, c.now());
  } catch (err) {
    return c.say('msg.commitFailed', { error: (err as Error).message }, 'error');
  }
  const drawer = c.cart.tenders.some((t) => t.method === 'cash');
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
  if (print && c.status.printer !== 'off') void printSale(c, print, sale, drawer);
}

async function printSale(c: Ctx, print: NonNullable<CheckoutSettings['print']>, sale: Sale, drawer: boolean, copy = false): Promise<void> {
  const before = c.status.printer;
  c.status = { ...c.status, printer: before === 'preview' ? 'preview' : 'busy' };
  let r: PrintResult;
  try {
    r = await print(sale, drawer, copy);
  } catch (err) {
    r = { ok: false, message: (err as Error)?.message ?? String(err) };
  }
  if (c.disposed) return;
  c.status = { ...c.status, printer: r.ok ? (before === 'preview' ? 'preview' : 'ready') : 'error' };
  if (c.lastSale?.sale.id === sale.id) c.lastSale = { ...c.lastSale, printed: r, preview: r.ok ? r.preview : undefined };
  if (!r.ok) c.say('msg.printFailed', { error: r.message }, 'error');
  else if (copy) c.say('msg.reprinted', { receipt: sale.receiptNo }, 'ok');
  c.emit();
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
