// X and Z at the checkout (Ctrl+X): the X report shown (F2 prints it); F4 takes the Z, which only a
// supervisor or admin may (core/permissions.ts 'z-report', checked by db/zreports.ts authorizeZ).
import { formatYuan } from '../../core/money.js';
import { TillError } from '../../errors.js';
import type { Dialog, PrintResult } from '../checkout-types.js';
import type { Command } from '../keymap.js';
import { closeDialog, openDialog, type Ctx } from './context.js';

type ReportDialog = Extract<Dialog, { kind: 'report' }>;

/** Ctrl+X: between sales; training has no report of its own (its sales are counted apart in X). */
export function openXReport(c: Ctx): void {
  if (c.cart.lines.length > 0) return c.say('msg.finishFirst', {}, 'error');
  c.clearInput();
  c.message = null;
  openDialog(c, { kind: 'report', report: c.store.xReport(c.now()), field: null, supervisorId: '', error: null, drawerFen: c.store.expectedCash() });
}

function setDialog(c: Ctx, d: ReportDialog): void {
  if (c.screen.mode === 'dialog') c.screen = { ...c.screen, dialog: d };
}

export function submitReportDialog(c: Ctx, d: ReportDialog, text: string): void {
  const typed = text.trim();
  c.clearInput();
  if (d.field === null) return closeDialog(c);
  if (d.field === 'id') {
    if (!typed) return;
    return setDialog(c, { ...d, field: 'pin', supervisorId: typed, error: null });
  }
  try {
    const z = c.store.takeZ(d.supervisorId, text, c.now());
    setDialog(c, { ...d, report: z, field: null, supervisorId: '', error: null });
    c.say('msg.zTaken', { no: z.no, net: formatYuan(z.netFen) }, 'ok');
    print(c, z);
  } catch (err) {
    const code = err instanceof TillError ? err.code : '';
    c.bell();
    if (code === 'E_NOTHING_TO_CLOSE') return setDialog(c, { ...d, field: null, error: c.t('msg.zNothing') });
    setDialog(c, { ...d, field: 'id', supervisorId: '', error: c.t(code === 'E_PERMISSION' ? 'msg.zNotAllowed' : 'msg.zNotApproved', { id: d.supervisorId }) });
  }
}

function print(c: Ctx, report: ReportDialog['report']): void {
  const p = c.settings.printReport;
  if (!p || c.status.printer === 'off') return;
  void (async () => {
    let r: PrintResult;
    try {
      r = await p(report);
    } catch (err) {
      r = { ok: false, message: (err as Error)?.message ?? String(err) };
    }
    if (c.disposed) return;
    if (r.ok) c.say('msg.reportPrinted', {}, 'ok');
    else c.say('msg.printFailed', { error: r.message }, 'error');
    c.emit();
  })();
}

export function reportDialogCommand(c: Ctx, d: ReportDialog, cmd: Command): void {
  if (cmd === 'switchField' && d.field === null) return print(c, d.report);
  if (cmd === 'takeZ' && d.report.kind === 'X') {
    c.clearInput();
    return setDialog(c, { ...d, field: 'id', supervisorId: '', error: null });
  }
  if (cmd === 'nextField' && d.field !== null) submitReportDialog(c, d, c.input());
}
