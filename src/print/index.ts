// Receipt printing after a sale has committed. The entry points never throw and never take
// longer than printer.timeoutMs: a printer that is off, out of paper or unreachable costs the
// cashier a message, never a sale. Layout, encoder and transports load on first use, so the
// admin commands and the checkout's start-up never pay for receipt layout, iconv-lite or
// node-thermal-printer.
import type { TillConfig } from '../config.js';
import type { Sale } from '../core/types.js';
import type { ReturnRecord } from '../db/returns.js';
import type { TillIdentity } from '../db/settings.js';
import type { PaperWidth, ReceiptDoc } from './layout.js';
import type { PrinterState, PrinterStatusReport } from './status.js';
import type { FailureReason, PrinterTarget, SendResult } from './transport.js';

export type { PrinterState, PrinterStatusReport } from './status.js';

export type Lang = 'zh-CN' | 'en';

/** Printer states in which a receipt prints (paper-low prints, with PrintResult.warning). */
export const PRINTABLE: readonly PrinterState[] = ['ready', 'paper-low'];

/** Where and how to print, read from `till config` unless given. */
export interface PrinterSettings {
  home: string;
  config: TillConfig;
  /** A printer URI that overrides printer.uri (the commands' --printer). */
  printer?: string;
  /** Paper width in mm, overriding printer.width. */
  paper?: PaperWidth;
  /** Language of the messages (the receipt itself is Chinese); defaults to the lang setting. */
  lang?: Lang;
  /**
   * Messages for the cashier's screen: one short line (≤ 60 columns) that says the sale is saved
   * and F12 reprints, with no address, detail or CLI command. Default: the full message.
   */
  screen?: boolean;
}

export interface PrintSaleOptions extends PrinterSettings {
  sale: Sale;
  identity: TillIdentity;
  /** Kick the cash drawer. Defaults to: the sale has a cash tender and this is not a copy. */
  openDrawer?: boolean;
  /** A reprint: carries the "重印 / COPY" mark and never opens the drawer by itself. */
  copy?: boolean;
  /** A training sale (练习): marked "练习 — 非销售凭证 / TRAINING — NOT A RECEIPT"; the drawer stays shut. */
  training?: boolean;
}

export type PrintResult =
  | { ok: true; preview?: string; /** printed, but something to tell the cashier (paper running low) */ warning?: string }
  | { ok: false; message: string; reason?: FailureReason; /** part of it may have printed */ partial?: boolean };

const layout = () => import('./layout.js');
const escpos = () => import('./escpos.js');
const transport = () => import('./transport.js');
const status = () => import('./status.js');

const MESSAGES: Record<Lang, Record<FailureReason | 'timeoutUnsent' | 'drawer' | 'reprint' | 'bug' | 'busy' | 'paperLow', string>> = {
  'zh-CN': {
    unreachable: '打印机 {uri} 连接不上（{detail}）。',
    timeout: '打印机 {uri} 在 {ms} 毫秒内没有回应（{detail}），小票可能稍后打出，补打前请先查看。',
    timeoutUnsent: '打印机 {uri} 在 {ms} 毫秒内没有接收小票（{detail}）。',
    dropped: '打印时与打印机 {uri} 的连接断开（{detail}），小票可能不完整。',
    'paper-out': '打印机 {uri} 缺纸，请装纸。',
    'cover-open': '打印机 {uri} 的纸仓盖没有关好。',
    offline: '打印机 {uri} 报告错误或已脱机（{detail}）。',
    'not-a-printer': '{uri} 上回应的不是小票打印机（{detail}），请检查 printer.uri。',
    io: '无法写入打印机 {uri}（{detail}）。',
    drawer: '钱箱没有打开。',
    reprint: '交易已保存；打印机恢复后可用 `till print reprint {no}` 补打。',
    bug: '小票没有打印（{detail}）。',
    busy: '上一张小票还在打印',
    paperLow: '打印机 {uri} 的纸快用完了，请准备换纸。',
  },
  en: {
    unreachable: 'Printer {uri} is not reachable ({detail}).',
    timeout: 'Printer {uri} did not answer within {ms} ms ({detail}); the receipt may still come out, so check before reprinting.',
    timeoutUnsent: 'Printer {uri} did not take the receipt within {ms} ms ({detail}).',
    dropped: 'The connection to printer {uri} dropped mid-receipt ({detail}); the receipt may be cut short.',
    'paper-out': 'Printer {uri} is out of paper; load a new roll.',
    'cover-open': 'The cover of printer {uri} is open.',
    offline: 'Printer {uri} reports an error or is offline ({detail}).',
    'not-a-printer': 'What answers at {uri} is not a receipt printer ({detail}); check printer.uri.',
    io: 'Cannot write to printer {uri} ({detail}).',
    drawer: 'The cash drawer did not open.',
    reprint: 'The sale is saved; reprint it with `till print reprint {no}` when the printer is back.',
    bug: 'The receipt was not printed ({detail}).',
    busy: 'the printer was still busy with the previous receipt',
    paperLow: 'Printer {uri} is running out of paper; have a new roll ready.',
  },
};

// The cashier's screen: what went wrong in a few words, then once that the sale is saved and how
// to reprint. Every message fits 60 columns (test/print/transport.test.ts checks it); "drawer
// shut" is added only when nothing reached the printer, which a timeout after sending is not.
const SCREEN: Record<Lang, Record<FailureReason | 'timeoutUnsent' | 'bug', string> & { drawer: string; saved: string; paperLow: string }> = {
  'zh-CN': {
    unreachable: '打印机连接不上',
    timeout: '打印机无回应，小票可能稍后打出',
    timeoutUnsent: '打印机没有接收小票',
    dropped: '打印中断，小票不完整',
    'paper-out': '打印机缺纸',
    'cover-open': '打印机纸仓盖未关',
    offline: '打印机脱机或故障',
    'not-a-printer': '打印机地址上不是打印机',
    io: '打印机无法写入',
    bug: '小票没有打印',
    drawer: '，钱箱未开',
    saved: '。交易已保存，按 F12 补打。',
    paperLow: '打印纸快用完了，请准备换纸。',
  },
  en: {
    unreachable: 'Printer unreachable',
    timeout: 'No reply; may print late',
    timeoutUnsent: 'Receipt not sent',
    dropped: 'Receipt cut short',
    'paper-out': 'Printer out of paper',
    'cover-open': 'Printer cover open',
    offline: 'Printer offline',
    'not-a-printer': 'Not a printer there',
    io: 'Printer write failed',
    bug: 'Receipt not printed',
    drawer: ', drawer shut',
    saved: '. Sale saved; F12 reprints.',
    paperLow: 'Paper running low; have a new roll ready.',
  },
};

/** The one-line screen message for a failed print (see PrinterSettings.screen). */
export function screenMessage(reason: FailureReason | 'timeoutUnsent' | 'bug', lang: Lang, drawerShut = false): string {
  const m = SCREEN[lang];
  return m[reason] + (drawerShut ? m.drawer : '') + m.saved;
}

function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in values ? String(values[k]) : m));
}

function langOf(s: PrinterSettings): Lang {
  if (s.lang) return s.lang;
  try {
    return s.config.get('lang') === 'en' ? 'en' : 'zh-CN';
  } catch {
    return 'zh-CN';
  }
}

interface Resolved {
  uri: string;
  paper: PaperWidth;
  timeoutMs: number;
  lang: Lang;
}

function resolveSettings(s: PrinterSettings): Resolved {
  return {
    uri: s.printer ?? s.config.get('printer.uri'),
    paper: s.paper ?? (s.config.get('printer.width') === 58 ? 58 : 80),
    timeoutMs: s.config.get('printer.timeoutMs'),
    lang: langOf(s),
  };
}

// One job at a time per printer in this process: a second receipt waits for the first (its
// deadline still counts from its own call), so two jobs never interleave on one device.
const queues = new Map<string, Promise<unknown>>();

function serialised<T>(key: string, job: () => Promise<T>): Promise<T> {
  const prev = queues.get(key) ?? Promise.resolve();
  const run = prev.then(job, job);
  const tail = run.catch(() => undefined);
  queues.set(key, tail);
  void tail.then(() => {
    if (queues.get(key) === tail) queues.delete(key);
  });
  return run;
}

function failureMessage(r: Extract<SendResult, { ok: false }>, ctx: { uri: string; ms: number; lang: Lang; receiptNo?: string; drawer?: boolean; screen?: boolean }): string {
  const m = MESSAGES[ctx.lang];
  const key = r.reason === 'timeout' && !r.partial ? 'timeoutUnsent' : r.reason;
  if (ctx.screen) return screenMessage(key, ctx.lang, !!ctx.drawer && !r.partial);
  const parts = [fill(m[key], { uri: ctx.uri, ms: ctx.ms, detail: r.detail })];
  if (ctx.drawer && !r.partial) parts.push(m.drawer);
  if (ctx.receiptNo) parts.push(fill(m.reprint, { no: ctx.receiptNo }));
  return parts.join(ctx.lang === 'en' ? ' ' : '');
}

/**
 * Lays out, encodes and sends one document within printer.timeoutMs of the call.
 * `build` turns the layout module into the document (kept lazy with it).
 */
async function printDoc(
  s: PrinterSettings,
  build: (l: typeof import('./layout.js'), r: Resolved) => ReceiptDoc | null,
  opts: { openDrawer?: boolean; raw?: (e: typeof import('./escpos.js')) => Buffer; receiptNo?: string } = {},
): Promise<PrintResult> {
  const started = Date.now();
  let r: Resolved | undefined;
  try {
    r = resolveSettings(s);
    const settings = r;
    const deadline = started + settings.timeoutMs;
    if (settings.uri === 'none') return { ok: true };
    const t = await transport();
    const target: PrinterTarget = t.parsePrinterUri(settings.uri, s.home);
    const l = await layout();
    const doc = build(l, settings);
    if (target.kind === 'preview') return { ok: true, preview: doc ? l.renderText(doc) : '' };
    const e = await escpos();
    const bytes = opts.raw ? opts.raw(e) : e.encodeReceipt(doc!, { openDrawer: opts.openDrawer });
    const sent = await serialised(target.uri, async (): Promise<SendResult> => {
      // Waiting for the job before this one used up the time: give up before touching the printer.
      if (Date.now() >= deadline) return { ok: false, reason: 'timeout', detail: MESSAGES[settings.lang].busy, partial: false };
      return t.sendToPrinter(target, bytes, deadline);
    });
    if (sent.ok) {
      if (!sent.paperLow) return { ok: true };
      return { ok: true, warning: s.screen ? SCREEN[settings.lang].paperLow : fill(MESSAGES[settings.lang].paperLow, { uri: target.uri }) };
    }
    return {
      ok: false,
      reason: sent.reason,
      partial: sent.partial,
      message: failureMessage(sent, { uri: target.uri, ms: settings.timeoutMs, lang: settings.lang, receiptNo: opts.receiptNo, drawer: opts.openDrawer, screen: s.screen }),
    };
  } catch (err) {
    const lang = r?.lang ?? 'zh-CN';
    const m = MESSAGES[lang];
    const detail = (err as Error)?.message ?? String(err);
    if (s.screen) return { ok: false, reason: 'io', message: screenMessage('bug', lang) };
    return { ok: false, reason: 'io', message: fill(m.bug, { detail }) + (opts.receiptNo ? fill(m.reprint, { no: opts.receiptNo }) : '') };
  }
}

/**
 * Prints the receipt of a committed sale. With printer.uri `preview` the receipt comes back as
 * text in `preview`; with `none` nothing is printed. Never throws; resolves within
 * printer.timeoutMs.
 */
export async function printSaleReceipt(opts: PrintSaleOptions): Promise<PrintResult> {
  let openDrawer = opts.openDrawer ?? false;
  let footer = '';
  try {
    openDrawer = opts.openDrawer ?? (!opts.copy && !opts.training && opts.sale.payments.some((p) => p.method === 'cash'));
    footer = opts.config.get('receipt.footer');
  } catch {
    // A malformed sale or config shows up as a failed print below, never as a throw.
  }
  return printDoc(
    opts,
    (l, r) => l.layoutReceipt({ sale: opts.sale, identity: opts.identity, footer, paper: r.paper, copy: opts.copy, training: opts.training }),
    { openDrawer, receiptNo: opts.sale.receiptNo },
  );
}

/**
 * Prints the slip of a committed return or post-void (退货 / RETURN). Opens the drawer when cash
 * goes back and this is not a copy. Never throws; resolves within printer.timeoutMs.
 */
export async function printReturnReceipt(opts: PrinterSettings & { ret: ReturnRecord; identity: TillIdentity; copy?: boolean; openDrawer?: boolean }): Promise<PrintResult> {
  const openDrawer = opts.openDrawer ?? (!opts.copy && opts.ret.tenders.some((t) => t.method === 'cash'));
  let slip: typeof import('./return-layout.js') | undefined;
  try {
    slip = await import('./return-layout.js');
  } catch {
    // Shows up as a failed print below.
  }
  return printDoc(
    opts,
    (_l, r) => {
      if (!slip) throw new Error('the return slip layout did not load');
      return slip.layoutReturnReceipt({ ret: opts.ret, identity: opts.identity, paper: r.paper, copy: opts.copy });
    },
    { openDrawer, receiptNo: opts.ret.returnNo },
  );
}

/** Prints an X or Z report (print/report-layout.ts); the drawer stays shut. */
export async function printReport(opts: PrinterSettings & { report: import('../db/zreports.js').ReportBody; storeName: string; copy?: boolean }): Promise<PrintResult> {
  let slip: typeof import('./report-layout.js') | undefined;
  try {
    slip = await import('./report-layout.js');
  } catch {
    // Shows up as a failed print below.
  }
  return printDoc(opts, (_l, r) => {
    if (!slip) throw new Error('the report layout did not load');
    return slip.layoutReport({ report: opts.report, storeName: opts.storeName, paper: r.paper, copy: opts.copy });
  });
}

/** Prints a test page: ruler, Chinese alignment, code. */
export async function printTestPage(opts: PrinterSettings & { storeName: string }): Promise<PrintResult> {
  return printDoc(opts, (l, r) => l.layoutTestPage(r.paper, opts.storeName));
}

/** Opens the cash drawer (it hangs off the printer). In preview mode there is nothing to open. */
export async function openCashDrawer(opts: PrinterSettings): Promise<PrintResult> {
  return printDoc(opts, () => null, { raw: (e) => e.encodeDrawerKick() });
}

/** Asks the printer for its condition within printer.timeoutMs. Throws only for a bad --printer URI. */
export async function printerStatus(opts: PrinterSettings): Promise<PrinterStatusReport> {
  const r = resolveSettings(opts);
  const [t, st] = await Promise.all([transport(), status()]);
  const target = t.parsePrinterUri(r.uri, opts.home);
  return st.queryStatus(target, Date.now() + r.timeoutMs);
}

/**
 * The printer's state for the checkout's status bar, within printer.timeoutMs. Never throws: a
 * printer.uri that is no printer address is `unreachable`. `ready` only after a real status answer
 * (or for preview, none and a file); a printer that cannot tell is `unknown`.
 */
export async function printerState(settings: PrinterSettings): Promise<PrinterState> {
  try {
    return (await printerStatus(settings)).state;
  } catch {
    return 'unreachable';
  }
}

/** Checks a printer URI typed by a person; throws a UserError saying what is accepted. */
export async function checkPrinterUri(uri: string): Promise<void> {
  (await transport()).parsePrinterUri(uri);
}
