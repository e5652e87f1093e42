// Questions over the current screen: a line's quantity, a discount, a supervisor's approval, and
// the confirmations (leave the till, cancel the sale). Esc always returns to the screen below.
import { EMPTY_CART, reduceCart, type CartAction, type Discount } from '../../core/cart.js';
import type { Dialog } from '../checkout-types.js';
import { describeApproval, parseDiscount } from '../../checkout/approval-text.js';
import { can, type Action } from '../../core/permissions.js';
import { LOGIN_START, loginFailure, unlockApproved } from './login.js';
import { parseWeight } from '../../checkout/weight.js';
import { addWeighed, apply, dropSale, suspend } from './sale.js';
import { tenderCash } from './payment.js';
import { baseScreen, closeDialog, currentDialog, type Ctx, type ModeHandler } from './context.js';
import { cancelShiftDialog, isShiftDialog, shiftDialogCommand, shiftGate, submitShiftDialog } from './shift.js';
import { cancelReturnDialog, isReturnDialog, returnDialogCommand, submitReturnDialog } from './returns.js';
import { reportDialogCommand, submitReportDialog } from './reports.js';

/** The permission (core/permissions.ts) each approval asks of the supervisor who gives it. */
const APPROVAL_ACTION: Record<NonNullable<Extract<Dialog, { kind: 'approve' }>['reason']>, Action> = {
  'discount-over-limit': 'discount-over-limit',
  'after-payment': 'remove-line-after-payment',
  'resume-foreign': 'resume-other-sale',
  'manual-weight': 'manual-weight',
  unlock: 'user-unlock',
};

function submit(c: Ctx, text: string): void {
  const d = currentDialog(c);
  if (!d) return;
  if (isShiftDialog(d)) return submitShiftDialog(c, d, text);
  if (isReturnDialog(d)) return submitReturnDialog(c, d, text);
  if (d.kind === 'report') return submitReportDialog(c, d, text);
  const typed = text.trim();
  switch (d.kind) {
    case 'qty': {
      if (!/^\d{1,4}$/.test(typed)) return c.say('msg.badQty', {}, 'error');
      closeDialog(c);
      apply(c, { type: 'setQty', index: d.index, qty: Number(typed) });
      return;
    }
    case 'discount': {
      let discount: Discount | null;
      try {
        discount = parseDiscount(typed);
      } catch {
        return c.say('msg.badDiscount', { input: typed }, 'error');
      }
      closeDialog(c);
      apply(c, d.scope === 'line' ? { type: 'setLineDiscount', index: d.index, discount } : { type: 'setOrderDiscount', discount });
      return;
    }
    case 'approve': {
      c.clearInput();
      const set = (next: typeof d) => {
        if (c.screen.mode === 'dialog') c.screen = { ...c.screen, dialog: next };
      };
      if (d.field === 'id') {
        if (!typed) return;
        return set({ ...d, supervisorId: typed, field: 'pin', error: null });
      }
      const r = c.store.verifyLogin(d.supervisorId, text, c.now());
      if (!r.ok) {
        const [key, params] = loginFailure(c, r, d.supervisorId);
        // Only a wrong PIN is typed again; any other refusal asks for a supervisor number anew.
        const reset = r.reason !== 'wrong-pin';
        set({ ...d, field: reset ? 'id' : 'pin', supervisorId: reset ? '' : d.supervisorId, error: c.t(key, params) });
        c.bell();
        return;
      }
      if (!can(r.user.role, APPROVAL_ACTION[d.reason ?? 'discount-over-limit'])) {
        set({ ...d, field: 'id', supervisorId: '', error: c.t('msg.notSupervisor', { id: r.user.id }) });
        c.bell();
        return;
      }
      if (r.user.id === (d.reason === 'unlock' ? d.subject : c.user?.id)) {
        // A supervisor never approves their own action.
        set({ ...d, field: 'id', supervisorId: '', error: c.t('msg.selfApproval') });
        c.bell();
        return;
      }
      // Back to the screen under every dialog (an approval may sit over the unfinished-sale question).
      c.screen = baseScreen(c.screen);
      if (d.reason === 'unlock' || !d.action) return unlockApproved(c, d.subject ?? '', r.user.id);
      const approved = { ...d.action, approvedBy: r.user.id } as CartAction;
      const after = reduceCart(c.cart, approved, c.policy());
      const approval = after.ok ? { cashierId: c.user!.id, supervisorId: r.user.id, reason: d.reason ?? '', action: approved.type, detail: describeApproval(approved, c.cart, after.state) } : undefined;
      apply(c, approved, after, approval);
      return;
    }
    case 'weight': {
      const grams = parseWeight(typed);
      if (grams === null) return c.say('msg.badWeight', { input: typed }, 'error');
      c.clearInput();
      closeDialog(c);
      return addWeighed(c, d, grams);
    }
    case 'foreign-cart':
    case 'confirm':
      // Enter never confirms: a scanner sends one after every code.
      c.clearInput();
      return c.say('msg.confirmWithY');
    default:
      return;
  }
}

/** Another cashier's unfinished sale, voided (Y) by the cashier who signed in. */
function voidForeign(c: Ctx, d: Extract<Dialog, { kind: 'foreign-cart' }>): void {
  if (d.cart.tenders.length > 0) return c.say('msg.foreignCartPaid', {}, 'error');
  c.cart = d.cart;
  closeDialog(c);
  if (!apply(c, { type: 'clear' })) return;
  // "Sale cancelled" stays the message; the dialog says whose shift the drawer is in, if not theirs.
  const said = c.message;
  if (shiftGate(c)) c.message = said;
}

/** Y (typed alone) answers a confirmation: a key no scanner sends on its own. */
function confirm(c: Ctx): void {
  const d = currentDialog(c);
  if (d?.kind === 'foreign-cart') return voidForeign(c, d);
  if (d?.kind !== 'confirm') return;
  c.clearInput();
  closeDialog(c);
  if (d.purpose === 'change') return tenderCash(c, d.amountFen ?? 0, true);
  if (d.purpose === 'quit') {
    dropSale(c);
    return c.leave();
  }
  apply(c, { type: 'clear' });
}

export const dialogMode: ModeHandler = {
  submit,
  edit(c, text) {
    const kind = currentDialog(c)?.kind;
    if ((kind === 'confirm' || kind === 'foreign-cart') && /^[yY]$/.test(text)) confirm(c);
  },
  command(c, cmd) {
    const d = currentDialog(c);
    if (isShiftDialog(d)) return shiftDialogCommand(c, d, cmd);
    if (isReturnDialog(d)) return returnDialogCommand(c, d, cmd);
    if (d?.kind === 'report') return reportDialogCommand(c, d, cmd);
    if (cmd === 'nextField' && d?.kind === 'approve') return submit(c, c.input());
    if (cmd === 'clearInput') return c.clearInput();
    if (cmd === 'resumeForeign' && d?.kind === 'foreign-cart') {
      c.clearInput();
      c.screen = { mode: 'dialog', dialog: { kind: 'approve', action: { type: 'restore', cart: d.cart }, reason: 'resume-foreign', supervisorId: '', field: 'id', error: null, subject: d.cashierId }, under: c.screen };
      return;
    }
    if (cmd === 'confirmAlt' && d?.kind === 'confirm' && d.purpose === 'quit') {
      closeDialog(c);
      if (suspend(c)) c.leave();
    }
  },
  cancel(c) {
    const d = currentDialog(c);
    if (isShiftDialog(d)) return cancelShiftDialog(c, d);
    if (isReturnDialog(d)) return cancelReturnDialog(c);
    c.clearInput();
    if (d?.kind === 'foreign-cart') {
      // Left for the cashier who rang it up: this one signs out.
      c.user = null;
      c.cart = EMPTY_CART;
      c.screen = LOGIN_START;
      return c.say('msg.loggedOut');
    }
    closeDialog(c);
  },
};
