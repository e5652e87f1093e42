// The store's day at the checkout: a shift opened with the counted float right after sign-in,
// cash paid in or out with a reason, and the drawer counted (by denomination or as a total) to
// close the shift. The rules themselves are db/shifts.ts's (one place for the CLI and the screen);
// this module asks, shows and says why something was refused.
import { DENOMINATIONS_FEN } from '../../core/cash.js';
import { MoneyParseError, formatYuan, parseYuan } from '../../core/money.js';
import { can } from '../../core/permissions.js';
import type { MessageKey } from '../../core/i18n.js';
import { TillError } from '../../errors.js';
import type { ShiftDialog } from '../checkout-types.js';
import { restoreOpenCart } from '../open-cart.js';
import type { Command } from '../keymap.js';
import { LOGIN_START } from './login.js';
import { SALE, closeDialog, openDialog, type Ctx } from './context.js';

/** Refusals of db/shifts.ts by code, in the cashier's words (the English text is for the CLI). */
const REFUSALS: Record<string, MessageKey> = {
  E_NO_SHIFT: 'msg.noShift',
  E_OTHER_SHIFT: 'msg.otherShiftSale',
  E_HELD_SALES: 'msg.closeHeld',
  E_SALE_IN_PROGRESS: 'msg.closeSaleOpen',
  E_DRAWER_SHORT: 'msg.drawerShort',
  E_PERMISSION: 'msg.notAllowed',
};

/** The message for a refused store's-day action (or a failed commit): by its code when known. */
export function shiftRefusal(c: Ctx, err: unknown, fallback: MessageKey): void {
  const code = err instanceof TillError ? err.code : undefined;
  const key = code ? REFUSALS[code] : undefined;
  if (key) return c.say(key, { n: c.store.countSuspended(), amount: formatYuan(c.store.expectedCash() ?? 0) }, 'error');
  c.say(fallback, { error: (err as Error)?.message ?? String(err) }, 'error');
}

/**
 * Right after a good PIN. Training needs no shift. Otherwise the cashier's own open shift is
 * used; with none open, the counted float is asked for; another cashier's open shift is theirs
 * (close it first, or a supervisor closes it) — except that a sale they left open is first
 * offered to be voided or resumed (open-cart.ts), as before shifts.
 */
export function afterSignIn(c: Ctx): void {
  const user = c.user!;
  if (c.training) {
    // A real sale left open stays real: it is not finished as a training sale.
    if (c.store.readOpenCart()) return signOut(c, 'msg.trainingOpenCart', 'error');
    return c.say('msg.welcomeTraining', { name: user.name });
  }
  const shift = c.store.currentShift();
  if (shift && shift.cashierId !== user.id && restoreOpenCart(c)) return;
  if (shiftGate(c)) return;
  if (!restoreOpenCart(c)) c.say('msg.welcome', { name: user.name });
}

/**
 * Asks for what selling needs, when it is missing: the float (no shift open), or says whose shift
 * the drawer is in. True when a dialog was opened. Also after another cashier's left-open sale
 * was voided (modes/dialog.ts), so that the next sale is not refused only at payment.
 */
export function shiftGate(c: Ctx): boolean {
  if (c.training || !c.user) return false;
  const shift = c.store.currentShift();
  if (!shift) {
    c.clearInput();
    openDialog(c, { kind: 'float' });
    c.say('msg.floatAsk', { name: c.user.name });
    return true;
  }
  if (shift.cashierId === c.user.id) return false;
  openDialog(c, { kind: 'other-shift', cashierId: shift.cashierId, shiftId: shift.id });
  c.say('msg.otherShift', { cashier: shift.cashierId }, 'error');
  return true;
}

/** Back to the sign-in screen, with a message. */
export function signOut(c: Ctx, key: MessageKey, tone: 'info' | 'ok' | 'error' = 'info', params = {}): void {
  c.user = null;
  c.screen = LOGIN_START;
  c.lastSale = null;
  c.clearInput();
  c.say(key, params, tone);
}

function amountOf(c: Ctx, typed: string, allowZero: boolean): number | null {
  try {
    return parseYuan(typed, { allowZero });
  } catch (e) {
    if (e instanceof MoneyParseError) {
      c.say('msg.badAmount', { input: typed }, 'error');
      return null;
    }
    throw e;
  }
}

/** Ctrl+P: cash into or out of the drawer, with a reason (core/permissions.ts 'pay-in-out'). */
export function openCashMove(c: Ctx): void {
  if (c.cart.lines.length > 0) return c.say('msg.finishFirst', {}, 'error');
  if (c.training) return c.say('msg.trainingNoCash', {}, 'error');
  if (!can(c.user!.role, 'pay-in-out')) return c.say('msg.notAllowed', {}, 'error');
  if (c.store.currentShift()?.cashierId !== c.user!.id) return c.say('msg.noShift', {}, 'error');
  c.clearInput();
  c.message = null;
  openDialog(c, { kind: 'cash-move', move: 'pay-out', field: 'amount', amountFen: null });
}

/** Ctrl+E: count the drawer and close the shift (another cashier's takes 'close-other-shift'). */
export function openClose(c: Ctx): void {
  if (c.cart.lines.length > 0) return c.say('msg.finishFirst', {}, 'error');
  if (c.training) return c.say('msg.trainingNoCash', {}, 'error');
  const shift = c.store.currentShift();
  if (!shift) return c.say('msg.noShiftToClose', {}, 'error');
  if (shift.cashierId !== c.user!.id && !can(c.user!.role, 'close-other-shift')) return c.say('msg.notYourShift', { cashier: shift.cashierId }, 'error');
  const held = c.store.countSuspended();
  if (held > 0) return c.say('msg.closeHeld', { n: held }, 'error');
  c.clearInput();
  c.message = null;
  // Blind close: the expected amount is not even read before the count is in.
  const expectedFen = c.settings.blindClose ? null : c.store.expectedCash();
  openDialog(c, { kind: 'close-count', by: 'denomination', index: 0, counts: [], expectedFen });
}

function setDialog(c: Ctx, d: ShiftDialog): void {
  if (c.screen.mode === 'dialog') c.screen = { ...c.screen, dialog: d };
}

export function submitShiftDialog(c: Ctx, d: ShiftDialog, text: string): void {
  const typed = text.trim();
  c.clearInput();
  switch (d.kind) {
    case 'float': {
      const fen = amountOf(c, typed, true);
      if (fen === null) return;
      try {
        c.store.openShift(c.user!.id, fen, c.now());
      } catch (err) {
        return shiftRefusal(c, err, 'msg.shiftFailed');
      }
      c.screen = SALE;
      if (!restoreOpenCart(c)) c.say('msg.shiftOpened', { float: formatYuan(fen), name: c.user!.name }, 'ok');
      return;
    }
    case 'other-shift':
      return c.say('msg.otherShift', { cashier: d.cashierId }, 'error');
    case 'cash-move': {
      if (d.field === 'amount') {
        const fen = amountOf(c, typed, false);
        if (fen === null) return;
        // A pay-out beyond what the drawer should hold is refused at once, before the reason is asked.
        const drawer = d.move === 'pay-out' ? c.store.expectedCash() : null;
        if (drawer !== null && fen > drawer) {
          c.clearInput();
          return c.settings.blindClose ? c.say('msg.drawerShortBlind', {}, 'error') : c.say('msg.drawerShort', { amount: formatYuan(drawer) }, 'error');
        }
        c.message = null;
        return setDialog(c, { ...d, field: 'reason', amountFen: fen });
      }
      if (!typed) return c.say('msg.reasonNeeded', {}, 'error');
      try {
        c.store.payInOut({ kind: d.move, amountFen: d.amountFen ?? 0, reason: typed, byId: c.user!.id }, c.now());
      } catch (err) {
        return shiftRefusal(c, err, 'msg.cashMoveFailed');
      }
      closeDialog(c);
      return c.say(d.move === 'pay-in' ? 'msg.paidIn' : 'msg.paidOut', { amount: formatYuan(d.amountFen ?? 0), reason: typed }, 'ok');
    }
    case 'close-count': {
      if (d.by === 'total') {
        const fen = amountOf(c, typed, true);
        if (fen === null) return;
        return finishClose(c, fen, undefined);
      }
      if (!/^\d{0,5}$/.test(typed)) return c.say('msg.badCount', { input: typed }, 'error');
      const counts = [...d.counts, Number(typed || '0')];
      c.message = null;
      if (counts.length < DENOMINATIONS_FEN.length) return setDialog(c, { ...d, index: counts.length, counts });
      const detail = DENOMINATIONS_FEN.map((denominationFen, i) => ({ denominationFen, count: counts[i] }));
      return finishClose(c, detail.reduce((s, x) => s + x.denominationFen * x.count, 0), detail.filter((x) => x.count > 0));
    }
    case 'closed':
      return signOut(c, 'msg.shiftClosedBye', 'ok');
  }
}

function finishClose(c: Ctx, countedFen: number, countDetail: Array<{ denominationFen: number; count: number }> | undefined): void {
  let r;
  try {
    r = c.store.closeShift({ countedFen, countDetail, byId: c.user!.id }, c.now());
  } catch (err) {
    closeDialog(c);
    return shiftRefusal(c, err, 'msg.closeFailed');
  }
  const expectedFen = r.figures.expectedCashFen;
  setDialog(c, { kind: 'closed', countedFen, expectedFen, overShortFen: countedFen - expectedFen });
  c.say('msg.shiftClosed', { id: r.shift.id }, 'ok');
}

export function shiftDialogCommand(c: Ctx, d: ShiftDialog, cmd: Command): void {
  if (cmd === 'switchField') {
    if (d.kind === 'cash-move' && d.field === 'amount') return setDialog(c, { ...d, move: d.move === 'pay-in' ? 'pay-out' : 'pay-in' });
    if (d.kind === 'close-count') return setDialog(c, { ...d, by: d.by === 'total' ? 'denomination' : 'total', index: 0, counts: [] });
  }
  // A supervisor signed in over another cashier's shift may close it (counted like any close).
  if (cmd === 'closeShift' && d.kind === 'other-shift') {
    if (!can(c.user!.role, 'close-other-shift')) return c.say('msg.notYourShift', { cashier: d.cashierId }, 'error');
    closeDialog(c);
    return openClose(c);
  }
}

export function cancelShiftDialog(c: Ctx, d: ShiftDialog): void {
  c.clearInput();
  switch (d.kind) {
    case 'float':
    case 'other-shift':
      // No shift of theirs: nothing to sell in. Back to the sign-in screen.
      return signOut(c, 'msg.loggedOut');
    case 'closed':
      return signOut(c, 'msg.shiftClosedBye', 'ok');
    case 'close-count':
      // A supervisor who came to close another's shift has none to sell in.
      if (c.store.currentShift()?.cashierId !== c.user?.id) return signOut(c, 'msg.loggedOut');
      closeDialog(c);
      c.message = null;
      return;
    default:
      closeDialog(c);
      c.message = null;
  }
}

export const SHIFT_DIALOGS = new Set<string>(['float', 'other-shift', 'cash-move', 'close-count', 'closed']);

export function isShiftDialog(d: { kind: string } | null): d is ShiftDialog {
  return d !== null && SHIFT_DIALOGS.has(d.kind);
}
