// Returns and post-voids at the checkout (Ctrl+R): scan the receipt's barcode or type its number,
// pick the lines (or the whole sale; F2: post-void), see the refund, a supervisor approves with
// number and PIN (never the cashier themself), then the return is committed and its slip printed.
// The rules are checkout/returns.ts's (shared with `till sales return|void`); this asks and shows.
import { formatYuan } from '../../core/money.js';
import { OtherStoreError, TillError } from '../../errors.js';
import type { PrintResult, ReturnDialog } from '../checkout-types.js';
import type { Command } from '../keymap.js';
import { closeDialog, openDialog, type Ctx } from './context.js';

export const RETURN_DIALOGS = new Set<string>(['return-find', 'return-pick', 'return-preview']);

export function isReturnDialog(d: { kind: string } | null): d is ReturnDialog {
  return d !== null && RETURN_DIALOGS.has(d.kind);
}

/** Ctrl+R: between sales, outside training. */
export function openReturn(c: Ctx): void {
  if (c.cart.lines.length > 0) return c.say('msg.finishFirst', {}, 'error');
  if (c.training) return c.say('msg.trainingNoReturn', {}, 'error');
  c.clearInput();
  c.message = null;
  openDialog(c, { kind: 'return-find' });
}

function setDialog(c: Ctx, d: ReturnDialog): void {
  if (c.screen.mode === 'dialog') c.screen = { ...c.screen, dialog: d };
}

function errorText(err: unknown): string {
  return (err as Error)?.message ?? String(err);
}

/**
 * What the cashier picked: "1 3:2" (line 1 whole, 2 of line 3); empty: everything not yet
 * returned. Null when it cannot be read.
 */
export function parsePick(text: string): Array<{ lineNo: number; qty?: number }> | null | undefined {
  const parts = text.split(/[\s,，]+/).filter((p) => p !== '');
  if (parts.length === 0) return undefined;
  const picks: Array<{ lineNo: number; qty?: number }> = [];
  for (const p of parts) {
    const m = /^(\d{1,4})(?:[:：x×*](\d{1,4}))?$/.exec(p);
    if (!m) return null;
    picks.push(m[2] === undefined ? { lineNo: Number(m[1]) } : { lineNo: Number(m[1]), qty: Number(m[2]) });
  }
  return picks;
}

export function submitReturnDialog(c: Ctx, d: ReturnDialog, text: string): void {
  const typed = text.trim();
  c.clearInput();
  switch (d.kind) {
    case 'return-find': {
      if (!typed) return c.say('msg.returnScan', {}, 'error');
      try {
        const sale = c.store.findReturnable(typed);
        if (sale.training) return c.say('msg.returnTraining', { receipt: sale.receiptNo }, 'error');
        if (sale.lines.every((l) => l.leftQty <= 0)) return c.say('msg.returnNothingLeft', { receipt: sale.receiptNo }, 'error');
        c.message = null;
        return setDialog(c, { kind: 'return-pick', sale, postVoid: false });
      } catch (err) {
        if (err instanceof OtherStoreError) return c.say('msg.returnOtherStore', { receipt: err.receiptNo, store: err.storeCode }, 'error');
        return c.say('msg.returnRefused', { error: errorText(err) }, 'error');
      }
    }
    case 'return-pick': {
      if (d.postVoid) {
        // A post-void undoes a sale of this shift; an older sale comes back as a return.
        const shift = c.store.currentShift();
        if (!shift || c.store.saleTime(d.sale.receiptNo) < shift.openedAt) return c.say('msg.postVoidOtherShift', { receipt: d.sale.receiptNo }, 'error');
      }
      const lines = d.postVoid ? undefined : parsePick(typed);
      if (lines === null) return c.say('msg.badPick', { input: typed }, 'error');
      const request = { receiptNo: d.sale.receiptNo, lines, kind: d.postVoid ? ('post-void' as const) : ('return' as const), cashierId: c.user!.id };
      try {
        const plan = c.store.previewReturn(request, c.now());
        c.message = null;
        return setDialog(c, { kind: 'return-preview', request, sale: d.sale, plan, field: 'id', supervisorId: '', error: null });
      } catch (err) {
        return c.say('msg.returnRefused', { error: errorText(err) }, 'error');
      }
    }
    case 'return-preview': {
      if (d.field === 'id') {
        if (!typed) return;
        if (typed === c.user!.id) return setDialog(c, { ...d, error: c.t('msg.selfApproval') });
        return setDialog(c, { ...d, field: 'pin', supervisorId: typed, error: null });
      }
      try {
        const ret = c.store.commitReturn({ ...d.request, cashierId: c.user!.id }, { supervisorId: d.supervisorId, pin: text }, c.now());
        closeDialog(c);
        c.say(ret.kind === 'post-void' ? 'msg.postVoidDone' : 'msg.returnDone', { no: ret.returnNo, receipt: ret.saleReceiptNo, amount: formatYuan(ret.refundFen) }, 'ok');
        const print = c.settings.printReturn;
        if (print && c.status.printer !== 'off') void printSlip(c, print(ret));
        return;
      } catch (err) {
        const code = err instanceof TillError ? err.code : '';
        // A wrong PIN or an approver who may not approve: asked again, the return still waiting.
        if (code === 'E_APPROVAL' || code === 'E_SELF_APPROVAL' || code === 'E_PERMISSION' || code === 'E_NOT_FOUND') {
          c.bell();
          return setDialog(c, { ...d, field: 'id', supervisorId: '', error: c.t('msg.returnNotApproved', { id: d.supervisorId }) });
        }
        closeDialog(c);
        return c.say('msg.returnRefused', { error: errorText(err) }, 'error');
      }
    }
  }
}

async function printSlip(c: Ctx, printing: Promise<PrintResult>): Promise<void> {
  let r: PrintResult;
  try {
    r = await printing;
  } catch (err) {
    r = { ok: false, message: errorText(err) };
  }
  if (c.disposed) return;
  if (!r.ok) c.say('msg.printFailed', { error: r.message }, 'error');
  c.emit();
}

export function returnDialogCommand(c: Ctx, d: ReturnDialog, cmd: Command): void {
  // F2 while picking: a post-void (the whole sale, a supervisor's) instead of a return, and back.
  if (cmd === 'switchField' && d.kind === 'return-pick') setDialog(c, { ...d, postVoid: !d.postVoid });
  if (cmd === 'nextField' && d.kind === 'return-preview') submitReturnDialog(c, d, c.input());
}

export function cancelReturnDialog(c: Ctx): void {
  c.clearInput();
  closeDialog(c);
  c.say('msg.returnCancelled');
}
