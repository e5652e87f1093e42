// The sign-in screen: cashier number, then PIN. A right PIN brings back the sale that was open
// when the till stopped (open-cart.ts).
import type { MessageKey, Params } from '../../core/i18n.js';
import { EMPTY_CART } from '../../core/cart.js';
import type { LoginResult } from '../../db/users.js';
import type { Tone } from '../checkout-types.js';
import { SALE, type Ctx, type ModeHandler } from './context.js';
import { afterSignIn } from './shift.js';
import { scannedCode } from '../../checkout/scan-detect.js';

export const LOGIN_START = { mode: 'login', login: { id: '', field: 'id' } } as const;

function submit(c: Ctx, text: string): void {
  if (c.screen.mode !== 'login') return;
  const login = c.screen.login;
  // A scanned product or payment code is neither a cashier number nor a PIN: refused without
  // counting as a wrong PIN (five scans would lock the cashier) and without being shown back.
  if (scannedCode(text, '', Number.POSITIVE_INFINITY)) {
    c.clearInput();
    return c.say('msg.scanAtSignIn', {}, 'error');
  }
  if (login.field === 'id') {
    const id = text.trim();
    c.clearInput();
    if (!id) return c.say('msg.typeCashierId', {}, 'error');
    c.screen = { mode: 'login', login: { id, field: 'pin' } };
    c.message = null;
    return;
  }
  c.clearInput();
  const id = login.id;
  const r = c.store.verifyLogin(id, text, c.now());
  if (r.ok) {
    c.user = r.user;
    c.screen = SALE;
    c.cart = EMPTY_CART;
    c.selected = 0;
    return afterSignIn(c);
  }
  const [key, params, tone, reset] = loginFailure(c, r, id);
  c.screen = { mode: 'login', login: reset ? { id: '', field: 'id' } : { id, field: 'pin' } };
  c.say(key, params, tone);
}

/** The message for a refused PIN, and whether the number must be typed again. */
export function loginFailure(c: Ctx, r: Exclude<LoginResult, { ok: true }>, id: string): [MessageKey, Params, Tone, boolean] {
  switch (r.reason) {
    case 'unknown':
      return ['msg.unknownUser', { id }, 'error', true];
    case 'inactive':
      return ['msg.userInactive', { id }, 'error', true];
    case 'locked':
      return ['msg.userLocked', { id, until: clock(r.lockedUntil) }, 'error', false];
    case 'wrong-pin':
      return ['msg.wrongPin', { left: r.attemptsLeft ?? 0 }, 'error', false];
  }
}

function clock(iso?: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/** F2 at sign-in: a supervisor unlocks the cashier number typed (a locked one stays in the PIN field). */
function openUnlock(c: Ctx): void {
  if (c.screen.mode !== 'login') return;
  const id = c.screen.login.field === 'pin' ? c.screen.login.id : c.input().trim();
  if (!id) return c.say('msg.typeCashierId', {}, 'error');
  c.clearInput();
  c.message = null;
  c.screen = { mode: 'dialog', dialog: { kind: 'approve', action: null, reason: 'unlock', supervisorId: '', field: 'id', error: null, subject: id }, under: { mode: 'login', login: { id, field: 'pin' } } };
}

/** The supervisor's PIN was right: the cashier may type their PIN again. */
export function unlockApproved(c: Ctx, cashierId: string, supervisorId: string): void {
  c.store.unlock(cashierId, supervisorId, c.now());
  c.screen = { mode: 'login', login: { id: cashierId, field: 'pin' } };
  c.say('msg.unlocked', { cashier: cashierId, supervisor: supervisorId }, 'ok');
}

export const loginMode: ModeHandler = {
  submit,
  command(c, cmd) {
    if (cmd === 'nextField') submit(c, c.input());
    if (cmd === 'unlock') openUnlock(c);
    if (cmd === 'training') {
      // Only here, before anyone is signed in: never in the middle of a sale.
      c.training = !c.training;
      c.say(c.training ? 'msg.trainingOn' : 'msg.trainingOff');
    }
  },
  cancel(c) {
    c.clearInput();
    c.screen = LOGIN_START;
    c.message = null;
  },
};
