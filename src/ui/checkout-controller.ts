// The checkout's shell, without React: it reads raw terminal input, keeps the scan buffer, and
// hands each finished line, edit or key to the module of the current mode (src/ui/modes/). The
// Ink screens only draw `view()`. Keeping this outside React means a burst of a thousand scans
// is handled synchronously, in order, in one input event (and one frame), and tests and
// benchmarks can drive it directly.
import { EMPTY_CART, cartSummary, itemCount, type CartPolicy, type CartState } from '../core/cart.js';
import { createTranslator, type MessageKey, type Params, type Translate } from '../core/i18n.js';
import { EMPTY_BUFFER, clearBuffer, feedInput, setBufferText, type ScanBufferState } from '../core/scan-buffer.js';
import { BURST_MIN_CHARS, scannedCode } from '../checkout/scan-detect.js';
import { sqliteStore, type CheckoutStore } from '../checkout/store.js';
import type { User } from '../db/users.js';
import type { CheckoutDeps, CheckoutSettings, CheckoutView, LastSale, Message, Screen, StatusInfo, Tone } from './checkout-types.js';
import { commandFor, keyName, type Command, type Mode } from './keymap.js';
import { SALE, baseScreen, type Ctx, type ModeHandler } from './modes/context.js';
import { dialogMode } from './modes/dialog.js';
import { heldListMode } from './modes/held-list.js';
import { LOGIN_START, loginMode } from './modes/login.js';
import { paymentMode } from './modes/payment.js';
import { saleMode, scan, submitSale } from './modes/sale.js';
import { searchMode } from './modes/search.js';
import { OpenCartSaver } from './open-cart.js';
import { pollStatus, refreshStatus } from './status.js';
import { pollPrinter, pollPrinterEvery } from './receipts.js';

export type * from './checkout-types.js';
export { parseDiscount } from '../checkout/approval-text.js';

/** Dialogs where a supervisor types their number and PIN: a fast burst there is typing, not a scan. */
const SECRET_DIALOGS = new Set<string>(['approve', 'report', 'return-preview']);

const MODES: Record<Exclude<Mode, 'help'>, ModeHandler> = {
  login: loginMode,
  sale: saleMode,
  search: searchMode,
  payment: paymentMode,
  dialog: dialogMode,
  list: heldListMode,
};

export class CheckoutController implements Ctx {
  readonly t: Translate;
  readonly store: CheckoutStore;
  readonly saver: OpenCartSaver;
  user: User | null = null;
  /** Training mode (练习): switched only at sign-in, never in the middle of a sale. */
  training: boolean;
  cart: CartState = EMPTY_CART;
  selected = 0;
  pendingQty: number | null = null;
  message: Message | null = null;
  lastSale: LastSale | null = null;
  status: StatusInfo;
  screen: Screen = LOGIN_START;
  searchTimer: NodeJS.Timeout | null = null;
  disposed = false;
  private buf: ScanBufferState = EMPTY_BUFFER;
  private snapshot: CheckoutView | null = null;
  private listeners = new Set<() => void>();
  private stopPolling: () => void = () => {};
  private started = false;
  private loaded: CheckoutSettings | null = null;
  /** Input that arrived before the settings (replayed in order by `configure`). */
  private held: string[] = [];

  constructor(readonly deps: CheckoutDeps) {
    this.t = createTranslator(deps.lang);
    this.training = deps.training === true;
    this.store = sqliteStore(deps.db);
    this.saver = new OpenCartSaver(this);
    this.status = { hq: false, online: null, pending: 0, conflicts: 0, quarantined: 0, printer: 'off', suspended: 0 };
    if (!deps.deferSettings) {
      this.applySettings({
        discountLimitPercent: deps.discountLimitPercent ?? 10,
        printerUri: deps.printerUri ?? 'preview',
        hqUrl: deps.hqUrl ?? '',
        print: deps.print,
        printerState: deps.printerState,
        maxChangeFen: deps.maxChangeFen,
        weighManual: deps.weighManual,
        background: deps.background,
        blindClose: deps.blindClose,
        printReturn: deps.printReturn,
        printReport: deps.printReport,
      });
    }
  }

  get settings(): CheckoutSettings {
    return this.loaded!;
  }

  private applySettings(s: CheckoutSettings): void {
    this.loaded = s;
    // A real printer is "unknown" until it answers a status request (receipts.ts pollPrinter).
    const printer = s.printerUri === 'none' ? 'off' : s.printerUri === 'preview' ? 'preview' : 'unknown';
    this.status = { ...this.status, hq: s.hqUrl !== '' || s.background !== undefined, printer };
  }

  /** Settings loaded after the first frame: starts sync and handles the input held meanwhile. */
  configure(s: CheckoutSettings, warning?: string): void {
    if (this.disposed || this.loaded) return;
    this.applySettings(s);
    if (warning) this.message = { text: warning, tone: 'error' };
    if (this.started) {
      this.startBackground();
      void pollPrinter(this);
    }
    const held = this.held;
    this.held = [];
    for (const chunk of held) this.handleInput(chunk);
    this.emit();
  }

  // ---- lifecycle and subscription (useSyncExternalStore) --------------------------------

  /** Starts background work (sync) and the status poll. Scans never wait for either. */
  start(): void {
    this.started = true;
    if (this.loaded) this.startBackground();
    this.refreshStatus();
    const stopStatus = pollStatus(this, this.deps.statusEveryMs ?? 2000);
    const stopPrinter = pollPrinterEvery(this, this.deps.printerEveryMs ?? 30_000);
    this.stopPolling = () => {
      stopStatus();
      stopPrinter();
    };
    this.emit();
  }

  private startBackground(): void {
    try {
      this.loaded?.background?.start();
    } catch (err) {
      this.say('msg.syncFailed', { error: (err as Error).message }, 'error');
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.saver.flush();
    if (this.searchTimer) clearTimeout(this.searchTimer);
    this.stopPolling();
    try {
      this.loaded?.background?.stop();
    } catch {
      // Leaving the checkout must not fail because sync could not stop cleanly.
    }
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  view = (): CheckoutView => {
    if (!this.snapshot) this.snapshot = this.buildView();
    return this.snapshot;
  };

  emit(): void {
    this.snapshot = null;
    this.saver.changed();
    for (const l of this.listeners) l();
  }

  private buildView(): CheckoutView {
    const s = this.screen;
    const base = baseScreen(s);
    const dialog = s.mode === 'dialog' ? s.dialog : s.mode === 'help' && s.under.mode === 'dialog' ? s.under.dialog : null;
    return {
      mode: this.mode(),
      user: this.user,
      login: base.mode === 'login' ? base.login : LOGIN_START.login,
      input: this.buf.text,
      cart: this.cart,
      totals: cartSummary(this.cart),
      items: itemCount(this.cart),
      selected: this.selected,
      pendingQty: this.pendingQty,
      message: this.message,
      search: base.mode === 'search' ? base.search : null,
      payment: base.mode === 'payment' ? base.payment : null,
      dialog,
      list: base.mode === 'list' ? base.list : null,
      help: s.mode === 'help' ? { from: s.under.mode, scroll: s.scroll } : null,
      lastSale: this.lastSale,
      status: this.status,
      t: this.t,
      identity: this.deps.identity,
      discountLimitPercent: this.loaded?.discountLimitPercent ?? 0,
      training: this.training,
    };
  }

  mode(): Mode {
    return this.screen.mode;
  }

  // ---- input ------------------------------------------------------------------------------

  /** One raw input event from Ink (any mix of typed text, scanned codes with "\r", or one key). */
  handleInput = (chunk: string): void => {
    if (!this.loaded) {
      this.held.push(chunk);
      return;
    }
    let next = 0;
    // Where this chunk's characters start in the line being typed: what came with the Enter in
    // one chunk is a scanner burst (checkout/scan-detect.ts).
    let lineStart = this.buf.text.length;
    while (next < chunk.length) {
      const r = feedInput(this.buf, chunk, next);
      this.buf = r.state;
      next = r.next;
      for (const e of r.events) {
        // An unexpected failure (a database error, a bug) costs one key or scan and a message,
        // never the screen: the cashier can carry on, and a sale is committed whole or not at all.
        try {
          if (e.type === 'edit') this.onEdit(e.text);
          else if (e.type === 'submit') {
            const burst = e.text.slice(Math.min(lineStart, e.text.length));
            lineStart = 0;
            this.onSubmit(e.text, burst);
          }
          else {
            const key = keyName(e.seq);
            const command = key && commandFor(this.mode(), key);
            if (command) this.onCommand(command);
          }
        } catch (err) {
          this.say('msg.unexpected', { error: (err as Error)?.message ?? String(err) }, 'error');
        }
      }
    }
    this.emit();
  };

  private onEdit(text: string): void {
    const s = this.screen;
    if (s.mode !== 'help') MODES[s.mode].edit?.(this, text);
  }

  private onSubmit(text: string, burst: string): void {
    const s = this.screen;
    // At sign-in and in payment (which tells codes from amounts itself) a line is what it is.
    // The return dialog waits for a scan: the receipt's barcode is its answer.
    const scanWanted = s.mode === 'dialog' && s.dialog.kind === 'return-find';
    // A supervisor's number and PIN may come in one read with their Enter (a PIN pad, a fast
    // typist): there only a code no person types (a GTIN with its check digit, a payment code)
    // counts as a scan, and what was typed is never shown back (it may be the PIN).
    const secret = s.mode === 'dialog' && SECRET_DIALOGS.has(s.dialog.kind);
    const code = scanWanted
      ? null
      : s.mode === 'dialog' || s.mode === 'help'
        ? scannedCode(text, burst, secret ? Number.POSITIVE_INFINITY : BURST_MIN_CHARS.dialog)
        : s.mode === 'search'
          ? scannedCode(text, burst, BURST_MIN_CHARS.search)
          : null;
    if (code) {
      // A scan is a scan in every mode: it closes the help, is refused by a dialog (with the
      // bell, the dialog still waiting for its answer), and is not glued to a search's text.
      switch (s.mode) {
        case 'help':
          this.screen = s.under;
          return this.onSubmit(text, burst);
        case 'dialog': {
          if (secret) {
            this.setInput('');
            return this.say('msg.scanInPin', {}, 'error');
          }
          const typed = text.slice(0, Math.max(0, text.lastIndexOf(code)));
          this.setInput(/\d\*$/.test(typed) ? '' : typed);
          return this.say('msg.scanInDialog', { code }, 'error');
        }
        case 'search':
          this.screen = SALE;
          return submitSale(this, text.trim() === code ? text : code);
        default:
          break;
      }
    }
    if (s.mode === 'help') this.screen = s.under;
    else MODES[s.mode].submit(this, text);
  }

  private onCommand(c: Command): void {
    const s = this.screen;
    switch (c) {
      case 'help':
        this.screen = s.mode === 'help' ? s.under : { mode: 'help', scroll: 0, under: s };
        return;
      case 'quit':
        return this.quit();
      case 'up':
      case 'down':
      case 'pageUp':
      case 'pageDown':
      case 'first':
      case 'last':
        return this.move(c);
      case 'cancel':
        if (s.mode === 'help') this.screen = s.under;
        else MODES[s.mode].cancel(this);
        return;
      default:
        if (s.mode !== 'help') MODES[s.mode].command?.(this, c);
    }
  }

  private move(c: Command): void {
    const step = (n: number, count: number, page: number) => {
      if (count === 0) return 0;
      switch (c) {
        case 'up':
          return Math.max(0, n - 1);
        case 'down':
          return Math.min(count - 1, n + 1);
        case 'pageUp':
          return Math.max(0, n - page);
        case 'pageDown':
          return Math.min(count - 1, n + page);
        case 'first':
          return 0;
        default:
          return count - 1;
      }
    };
    const s = this.screen;
    if (s.mode === 'sale') this.selected = step(this.selected, this.cart.lines.length, 10);
    else if (s.mode === 'search') this.screen = { mode: 'search', search: { ...s.search, selected: step(s.search.selected, s.search.results.length, 10) } };
    else if (s.mode === 'list') this.screen = { mode: 'list', list: { ...s.list, selected: step(s.list.selected, s.list.items.length, 10) } };
    else if (s.mode === 'help') this.screen = { ...s, scroll: Math.max(0, s.scroll + (c === 'up' ? -1 : c === 'down' ? 1 : c === 'pageUp' ? -10 : 10)) };
  }

  // ---- leaving ----------------------------------------------------------------------------

  private quit(): void {
    const s = this.screen;
    if (s.mode === 'dialog' && s.dialog.kind === 'confirm' && s.dialog.purpose === 'quit') return;
    if (this.cart.lines.length === 0 || !this.user) return this.leave();
    if (this.cart.tenders.length > 0) return this.say('msg.cannotQuitPaid', {}, 'error');
    this.clearInput();
    this.screen = { mode: 'dialog', dialog: { kind: 'confirm', purpose: 'quit' }, under: baseScreen(s) };
  }

  leave(): void {
    this.dispose();
    this.deps.exit?.();
  }

  // ---- services for the modes -------------------------------------------------------------

  input(): string {
    return this.buf.text;
  }

  setInput(text: string): void {
    this.buf = setBufferText(this.buf, text);
  }

  clearInput(): void {
    this.buf = clearBuffer(this.buf);
  }

  say(key: MessageKey, params?: Params, tone: Tone = 'info'): void {
    this.message = { text: this.t(key, params), tone };
    if (tone === 'error') this.bell();
  }

  bell(): void {
    this.deps.bell?.();
  }

  now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  policy(): CartPolicy {
    return { discountLimitBp: Math.round((this.loaded?.discountLimitPercent ?? 0) * 100) };
  }

  refreshStatus(): boolean {
    return refreshStatus(this);
  }

  scan(code: string, qty: number): void {
    scan(this, code, qty);
  }
}

