// Questions over the current screen: a line's quantity, a discount, a supervisor's approval, and
// the confirmations (leave the till, cancel the sale). Esc always returns to the screen below.
import { reduceCart, type CartAction, type Discount } from '../../core/cart.js';
import { describeApproval, parseDiscount } from '../../checkout/approval-text.js';
import type { Role } from '../../core/types.js';
import { loginFailure } from './login.js';
import { apply, suspend } from './sale.js';
import { closeDialog, currentDialog, type Ctx, type ModeHandler } from './context.js';

const SUPERVISOR_ROLES: Role[] = ['supervisor', 'admin'];

function submit(c: Ctx, text: string): void {
  const d = currentDialog(c);
  if (!d) return;
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
        const [key, params, , reset] = loginFailure(c, r, d.supervisorId);
        set({ ...d, field: reset ? 'id' : 'pin', supervisorId: reset ? '' : d.supervisorId, error: c.t(key, params) });
        c.bell();
        return;
      }
      if (!SUPERVISOR_ROLES.includes(r.user.role)) {
        set({ ...d, field: 'id', supervisorId: '', error: c.t('msg.notSupervisor', { id: r.user.id }) });
        c.bell();
        return;
      }
      closeDialog(c);
      const approved = { ...d.action, approvedBy: r.user.id } as CartAction;
      const after = reduceCart(c.cart, approved, c.policy());
      // Journaled before it takes effect: an approval that cannot be recorded is not applied.
      if (after.ok) c.store.recordApproval({ cashierId: c.user!.id, supervisorId: r.user.id, reason: d.reason ?? '', action: approved.type, detail: describeApproval(approved, c.cart, after.state) }, c.now());
      apply(c, approved, after);
      return;
    }
    case 'confirm':
      // Enter never confirms: a scanner sends one after every code.
      c.clearInput();
      return c.say('msg.confirmWithY');
    default:
      return;
  }
}

/** Y (typed alone) answers a confirmation: a key no scanner sends on its own. */
function confirm(c: Ctx): void {
  const d = currentDialog(c);
  if (d?.kind !== 'confirm') return;
  c.clearInput();
  closeDialog(c);
  if (d.purpose === 'quit') return c.leave();
  apply(c, { type: 'clear' });
}

export const dialogMode: ModeHandler = {
  submit,
  edit(c, text) {
    if (currentDialog(c)?.kind === 'confirm' && /^[yY]$/.test(text)) confirm(c);
  },
  command(c, cmd) {
    const d = currentDialog(c);
    if (cmd === 'nextField' && d?.kind === 'approve') return submit(c, c.input());
    if (cmd === 'clearInput') return c.clearInput();
    if (cmd === 'confirmAlt' && d?.kind === 'confirm' && d.purpose === 'quit') {
      closeDialog(c);
      if (suspend(c)) c.leave();
    }
  },
  cancel(c) {
    closeDialog(c);
    c.clearInput();
  },
};
