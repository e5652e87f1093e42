// Payment (F10 or Enter on an empty line): cash by default, F-keys for card, WeChat, Alipay and
// quick cash amounts; a scanned payment code pays the rest after a confirmation.
import { paymentCodeKind } from '../../core/barcode.js';
import { cartSummary, isPaid } from '../../core/cart.js';
import type { MessageKey } from '../../core/i18n.js';
import { MoneyParseError, formatYuan, parseYuan } from '../../core/money.js';
import type { TenderMethod } from '../../core/types.js';
import { complete } from '../receipts.js';
import { apply, submitSale } from './sale.js';
import { changeNeedsConfirm } from '../../checkout/tender.js';
import { SALE, openDialog, type Ctx, type ModeHandler } from './context.js';

/** Typed text in the payment amount field this long with no "." is a scanned code, not money. */
const CODE_MIN_DIGITS = 8;

const CASH = { mode: 'payment', payment: { method: 'cash', stage: 'amount', amountFen: null, code: null } } as const;

const due = (c: Ctx) => cartSummary(c.cart).dueFen;

export function openPayment(c: Ctx): void {
  if (c.cart.lines.length === 0) return c.say('msg.scanFirst', {}, 'error');
  c.clearInput();
  c.screen = CASH;
  c.message = null;
  if (due(c) === 0) c.say('msg.nothingDue');
}

function submit(c: Ctx, text: string): void {
  if (c.screen.mode !== 'payment') return;
  const p = c.screen.payment;
  const typed = text.trim();
  switch (p.stage) {
    case 'amount': {
      // A scanner in the amount field: a code, never money.
      if (/^\d+$/.test(typed) && typed.length >= CODE_MIN_DIGITS) return scanInPayment(c, typed);
      const dueFen = due(c);
      if (dueFen === 0) return complete(c);
      let amount: number;
      if (typed === '') amount = dueFen;
      else {
        try {
          amount = parseYuan(typed, { allowZero: false });
        } catch (e) {
          if (e instanceof MoneyParseError) return c.say('msg.badAmount', { input: typed }, 'error');
          throw e;
        }
      }
      if (p.method === 'cash') return tenderCash(c, amount);
      if (amount > dueFen) return c.say('msg.overDue', { method: c.t(`method.${p.method}` as MessageKey), amount: formatYuan(dueFen) }, 'error');
      c.screen = { mode: 'payment', payment: { ...p, stage: p.method === 'card' ? 'reference' : 'code', amountFen: amount } };
      c.message = null;
      return;
    }
    case 'reference':
      return tender(c, { method: 'card', tenderedFen: p.amountFen!, reference: typed || null });
    case 'code': {
      const kind = paymentCodeKind(typed);
      if (!kind) return c.say('msg.notPaymentCode', { code: typed }, 'error');
      c.screen = { mode: 'payment', payment: { ...p, method: kind, stage: 'confirm', code: typed } };
      c.message = null;
      return;
    }
    case 'confirm':
      // The customer's device said paid: an empty Enter. A code scanned meanwhile confirms nothing.
      if (typed !== '') return c.say('msg.scanInDialog', { code: typed }, 'error');
      return tender(c, { method: p.method, tenderedFen: p.amountFen!, reference: p.code });
  }
}

function scanInPayment(c: Ctx, code: string): void {
  const kind = paymentCodeKind(code);
  if (kind) {
    const dueFen = due(c);
    if (dueFen === 0) return complete(c);
    const amountFen = c.screen.mode === 'payment' ? (c.screen.payment.amountFen ?? dueFen) : dueFen;
    c.screen = { mode: 'payment', payment: { method: kind, stage: 'confirm', amountFen, code } };
    c.message = null;
    return;
  }
  // An item the customer still had: back to the cart with it.
  c.screen = SALE;
  submitSale(c, code);
}

/** Cash tendered; change above the bound (checkout/tender.ts) asks to confirm first (Y). */
export function tenderCash(c: Ctx, amountFen: number, confirmed = false): void {
  if (c.screen.mode !== 'payment') return;
  const dueFen = due(c);
  if (dueFen === 0) return complete(c);
  if (!confirmed && changeNeedsConfirm(amountFen, dueFen, c.settings.maxChangeFen)) {
    c.clearInput();
    c.message = null;
    return openDialog(c, { kind: 'confirm', purpose: 'change', amountFen });
  }
  tender(c, { method: 'cash', tenderedFen: amountFen, reference: null });
}

export function tender(c: Ctx, t: { method: TenderMethod; tenderedFen: number; reference: string | null }): void {
  c.clearInput();
  if (!apply(c, { type: 'addTender', tender: t })) return;
  if (isPaid(c.cart)) return complete(c);
  // What is left is most often paid in cash: back to cash, the amount field empty.
  c.screen = CASH;
  const s = cartSummary(c.cart);
  c.say('msg.partlyPaid', { paid: formatYuan(s.paidFen), due: formatYuan(s.dueFen) });
}

export const paymentMode: ModeHandler = {
  submit,
  command(c, cmd) {
    switch (cmd) {
      case 'cash':
      case 'card':
      case 'wechat':
      case 'alipay':
        c.screen = { mode: 'payment', payment: { method: cmd, stage: 'amount', amountFen: null, code: null } };
        c.clearInput();
        c.message = null;
        return;
      case 'exact':
        return tenderCash(c, due(c));
      case 'cash50':
        return tenderCash(c, 5000);
      case 'cash100':
        return tenderCash(c, 10000);
      case 'removeTender':
        apply(c, { type: 'removeLastTender' });
        return;
      case 'clearInput':
        c.clearInput();
        return;
      default:
        return;
    }
  },
  cancel(c) {
    if (c.screen.mode !== 'payment') return;
    c.clearInput();
    const p = c.screen.payment;
    c.screen = p.stage !== 'amount' ? { mode: 'payment', payment: { ...p, stage: 'amount', amountFen: null, code: null } } : SALE;
    c.message = null;
  },
};
