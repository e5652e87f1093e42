// The sale: scans and typed codes add lines, F-keys change the chosen line or the whole sale.
// Every change goes through the cart reducer (apply); a refusal becomes a message or a
// supervisor prompt.
import {
  EMPTY_CART,
  isWeighed,
  itemCount,
  lineTotalFen,
  cartSummary,
  reduceCart,
  serializeCart,
  type CartAction,
  type CartResult,
  type CartState,
  type NewLine,
  type Refusal,
} from '../../core/cart.js';
import type { MessageKey } from '../../core/i18n.js';
import type { Product } from '../../core/types.js';
import { formatYuan } from '../../core/money.js';
import { itemsText } from '../format.js';
import { voidOf } from '../../checkout/voids.js';
import type { Approval } from '../../db/approvals.js';
import type { VoidKind } from '../../db/voids.js';
import { openPayment } from './payment.js';
import { openResumeList } from './held-list.js';
import { reprint } from '../receipts.js';
import { runSearch, scheduleSearch } from './search.js';
import { LOGIN_START } from './login.js';
import { SALE, openDialog, type Ctx, type ModeHandler } from './context.js';
import { openCashMove, openClose } from './shift.js';
import { openReturn } from './returns.js';
import { openXReport } from './reports.js';

export const QTY_PREFIX = /^(\d{1,4})\*(.*)$/s;

export function submitSale(c: Ctx, text: string): void {
  const trimmed = text.trim();
  if (trimmed === '') {
    if (c.pendingQty !== null) return c.say('msg.scanForQty', { qty: c.pendingQty });
    return openPayment(c);
  }
  const m = QTY_PREFIX.exec(trimmed);
  if (m) {
    const qty = Number(m[1]);
    if (m[2].trim() === '') {
      if (qty < 1 || qty > 999) return c.say('msg.badQty', {}, 'error');
      c.pendingQty = qty;
      return c.say('msg.scanForQty', { qty });
    }
    return c.scan(m[2].trim(), qty);
  }
  c.scan(trimmed, c.pendingQty ?? 1);
}

/** One scanned or typed code. */
export function scan(c: Ctx, code: string, qty: number): void {
  c.pendingQty = null;
  const outcome = c.store.resolveScan(code);
  switch (outcome.kind) {
    case 'line':
      return addLine(c, outcome.line, qty);
    case 'payment':
      return c.say('msg.paymentCodeInSale', {}, 'error');
    case 'search':
      c.screen = { mode: 'search', search: { query: outcome.text, results: [], selected: 0, fresh: false } };
      c.setInput(outcome.text);
      return runSearch(c);
    case 'unknown': {
      // A PLU typed for a weighed product (its scale label is missing or unreadable).
      const p = /^\d{4,6}$/.test(outcome.code) ? c.store.productByCode(outcome.code) : undefined;
      if (p?.weighed && p.active) return askWeight(c, p);
      return c.say('msg.unknownCode', { code: outcome.code }, 'error');
    }
    case 'bad-check-digit':
      return c.say('msg.badCheckDigit', { code: outcome.code }, 'error');
    case 'inactive':
      return c.say('msg.inactive', { name: outcome.name }, 'error');
    case 'needs-scale': {
      const p = c.store.productByCode(outcome.code);
      return p ? askWeight(c, p) : c.say('msg.needsScale', { name: outcome.name }, 'error');
    }
  }
}

/** A weighed product without a scale label: a typed weight if weigh.manual allows it. */
export function askWeight(c: Ctx, p: Product): void {
  if ((c.settings.weighManual ?? 'never') === 'never') return c.say('msg.needsScale', { name: p.name }, 'error');
  c.clearInput();
  c.message = null;
  openDialog(c, { kind: 'weight', productId: p.id, name: p.name, priceFen: p.priceFen, barcode: null });
}

/** The typed weight, added (or first approved by a supervisor, with weigh.manual = supervisor). */
export function addWeighed(c: Ctx, d: { productId: number; name: string; priceFen: number }, grams: number): void {
  const action: CartAction = { type: 'addLine', line: { productId: d.productId, barcode: null, name: d.name, unitPriceFen: d.priceFen, qtyGrams: grams }, qty: 1 };
  if (c.settings.weighManual === 'supervisor') {
    openDialog(c, { kind: 'approve', action, reason: 'manual-weight', supervisorId: '', field: 'id', error: null, subject: d.name });
    return;
  }
  apply(c, action);
  if (c.cart.lines.length > 0) c.selected = c.cart.lines.length - 1;
}

export function addLine(c: Ctx, line: NewLine, qty: number): void {
  const before = c.cart.lines;
  // The same scale label twice in one sale is most often one item scanned twice.
  const twice = line.barcode !== null && (line.qtyGrams != null || line.fixedPriceFen !== undefined) && before.some((l) => l.barcode === line.barcode);
  if (!apply(c, { type: 'addLine', line, qty })) return;
  // A new line is last; a repeat scan changed exactly one line (found without pricing the cart).
  const lines = c.cart.lines;
  let idx = lines.length - 1;
  if (lines.length === before.length) idx = lines.findIndex((l, i) => l !== before[i]);
  c.selected = Math.max(0, idx);
  c.lastSale = null;
  const l = lines[c.selected];
  const what = l.qtyGrams !== null ? `${(l.qtyGrams / 1000).toFixed(3)}kg` : `×${l.qty}`;
  c.message = { text: c.t('msg.added', { name: l.name, what, price: formatYuan(lineTotalFen(l)) }), tone: 'ok' };
  if (twice) c.say('msg.labelTwice', { name: l.name }, 'error');
}

function refusalKey(r: Refusal): MessageKey {
  return `refusal.${r.code}` as MessageKey;
}

/** Dispatches to the cart reducer (`r`: its result, when the caller has it); a refusal becomes a message or a supervisor prompt. */
export function apply(c: Ctx, action: CartAction, r: CartResult = reduceCart(c.cart, action, c.policy()), approval?: Omit<Approval, 'id' | 'at'>): boolean {
  if (r.ok) {
    const removed = action.type === 'removeLine' ? c.cart.lines[action.index]?.name : undefined;
    // Journaled before it takes effect: a void or an approval that cannot be recorded is not applied.
    // Training (练习) journals nothing: its voids never reach X/Z or HQ.
    if (c.training) c.saver.markSaved(r.state);
    else if (action.type === 'removeLine' || action.type === 'clear') journalVoid(c, action.type === 'clear' ? 'sale-cancelled' : 'line-removed', r.state, approval, action.type === 'removeLine' ? action.index : undefined);
    else if (approval) c.store.recordApproval(approval, c.now());
    const prev = c.cart;
    const before = prev.lines;
    c.cart = r.state;
    // The line a scan or a typed weight added (or the one it added to) is the selected one, so
    // Del, F2 and F4 act on it, whichever way the line came (a supervisor's approval included).
    if (action.type === 'addLine') {
      const lines = c.cart.lines;
      const changed = lines.length > before.length ? lines.length - 1 : lines.findIndex((l, i) => l !== before[i]);
      if (changed >= 0) c.selected = changed;
    }
    afterApplied(c, action, removed, prev);
    return true;
  }
  if (r.refusal.code === 'needs-approval') {
    c.clearInput();
    openDialog(c, { kind: 'approve', action, reason: r.refusal.reason, supervisorId: '', field: 'id', error: null });
    c.message = null;
    return false;
  }
  c.say(refusalKey(r.refusal), { amount: formatYuan(r.refusal.fen ?? 0) }, 'error');
  return false;
}

/** Records a void of the current cart (the cart after it: `after`) with the open cart, in one transaction. */
function journalVoid(c: Ctx, kind: VoidKind, after: CartState, approval: Omit<Approval, 'id' | 'at'> | undefined, lineIndex?: number): void {
  const cashierId = c.user!.id;
  const v = voidOf(kind, c.cart, { cashierId, approverId: approval?.supervisorId ?? null }, c.now(), lineIndex);
  const empty = after.lines.length === 0 && after.tenders.length === 0;
  c.store.recordVoid(v, { cashierId, cart: empty ? null : serializeCart(after) }, approval);
  c.saver.markSaved(after);
}

/** "Leave and drop this sale": it is gone, and the voids journal says so. */
export function dropSale(c: Ctx): void {
  if (c.cart.lines.length === 0) return;
  journalVoid(c, 'sale-dropped', EMPTY_CART, undefined);
  c.cart = EMPTY_CART;
  c.selected = 0;
}

function afterApplied(c: Ctx, action: CartAction, removed: string | undefined, prev: CartState): void {
  c.selected = Math.min(c.selected, Math.max(0, c.cart.lines.length - 1));
  switch (action.type) {
    case 'removeLine':
      c.say('msg.lineRemoved', { name: removed ?? '' });
      break;
    case 'clear':
      if (c.screen.mode === 'payment') c.screen = SALE;
      c.selected = 0;
      // Money already taken goes back to the customer: say how much and how it was paid.
      if (cartSummary(prev).paidFen > 0) {
        const methods = [...new Set(prev.tenders.map((t) => c.t(`method.${t.method}` as MessageKey)))].join(' + ');
        c.say('msg.voidedGiveBack', { amount: formatYuan(cartSummary(prev).paidFen), methods }, 'error');
      } else c.say('msg.voided');
      break;
    case 'removeLastTender':
      c.say('msg.tenderRemoved');
      break;
    case 'setLineDiscount':
    case 'setOrderDiscount':
      c.say('msg.discountSet');
      break;
    default:
      break;
  }
}

function openLineDialog(c: Ctx, kind: 'qty' | 'discount'): void {
  const l = c.cart.lines[c.selected];
  if (!l) return c.say('msg.cartEmpty', {}, 'error');
  if (kind === 'qty' && isWeighed(l)) return c.say('msg.qtyWeighed', {}, 'error');
  c.clearInput();
  c.message = null;
  openDialog(c, kind === 'qty' ? { kind: 'qty', index: c.selected } : { kind: 'discount', scope: 'line', index: c.selected });
}

export function suspend(c: Ctx): boolean {
  if (c.cart.lines.length === 0) {
    c.say('msg.cartEmpty', {}, 'error');
    return false;
  }
  if (c.cart.tenders.length > 0) {
    c.say('msg.cannotSuspendPaid', {}, 'error');
    return false;
  }
  const totals = cartSummary(c.cart);
  const label = c.t(c.cart.lines.length > 1 ? 'label.suspended' : 'label.suspendedOne', { first: c.cart.lines[0].name, items: itemsText(c.t, itemCount(c.cart)), total: formatYuan(totals.totalFen) });
  const s = c.store.suspend({ cashierId: c.user!.id, label, cart: serializeCart(c.cart) }, c.now());
  c.cart = { ...EMPTY_CART, nextKey: 1 };
  c.selected = 0;
  c.pendingQty = null;
  c.clearInput();
  c.say('msg.suspended', { id: s.id }, 'ok');
  c.refreshStatus();
  return true;
}

export const saleMode: ModeHandler = {
  submit: submitSale,
  edit(c, text) {
    const query = QTY_PREFIX.exec(text)?.[2] ?? text;
    // Letters (or Chinese typed through an input method) mean a search; digits stay a code.
    if (/[^\d*.\s-]/.test(query)) {
      c.screen = { mode: 'search', search: { query, results: [], selected: 0, fresh: false } };
      scheduleSearch(c);
    }
  },
  command(c, cmd) {
    switch (cmd) {
      case 'pay':
        return openPayment(c);
      case 'qty':
        return openLineDialog(c, 'qty');
      case 'remove':
        if (!c.cart.lines[c.selected]) return c.say('msg.cartEmpty', {}, 'error');
        apply(c, { type: 'removeLine', index: c.selected });
        return;
      case 'lineDiscount':
        return openLineDialog(c, 'discount');
      case 'orderDiscount':
        if (c.cart.lines.length === 0) return c.say('msg.cartEmpty', {}, 'error');
        c.clearInput();
        openDialog(c, { kind: 'discount', scope: 'order', index: -1 });
        return;
      case 'suspend':
      case 'resume':
        // A held sale is real: training neither holds one (it would come back real) nor finishes one.
        if (c.training) return c.say('msg.trainingNoHold', {}, 'error');
        if (cmd === 'resume') return openResumeList(c);
        suspend(c);
        return;
      case 'voidSale':
        if (c.cart.lines.length === 0) return c.say('msg.cartEmpty', {}, 'error');
        c.clearInput();
        openDialog(c, { kind: 'confirm', purpose: 'void' });
        return;
      case 'reprint':
        return reprint(c);
      case 'cashMove':
        return openCashMove(c);
      case 'closeShift':
        return openClose(c);
      case 'returnSale':
        return openReturn(c);
      case 'xReport':
        return openXReport(c);
      case 'logout':
        if (c.cart.lines.length > 0) return c.say('msg.finishFirst', {}, 'error');
        c.user = null;
        c.screen = LOGIN_START;
        c.lastSale = null;
        c.clearInput();
        c.say('msg.loggedOut');
        return;
      case 'clearInput':
        c.clearInput();
        return;
      default:
        return;
    }
  },
  cancel(c) {
    c.clearInput();
    c.pendingQty = null;
    c.message = null;
  },
};
