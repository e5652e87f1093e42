// The checkout's behaviour, without React: it reads raw terminal input, keeps the scan buffer,
// routes keys through the key map, drives the cart reducer and commits sales. The Ink screens
// only draw `view()`. Keeping this outside React means a burst of a thousand scans is handled
// synchronously, in order, in one input event (and one frame), and tests and benchmarks can
// drive it directly.
import { paymentCodeKind } from '../core/barcode.js';
import {
  EMPTY_CART,
  cartSummary,
  isPaid,
  isWeighed,
  itemCount,
  lineTotalFen,
  parseCart,
  reduceCart,
  serializeCart,
  type CartAction,
  type CartState,
  type CartSummary,
  type Discount,
  type NewLine,
  type Refusal,
} from '../core/cart.js';
import { createTranslator, type Lang, type MessageKey, type Params, type Translate } from '../core/i18n.js';
import { MoneyParseError, formatYuan, parsePercent, parseYuan } from '../core/money.js';
import { EMPTY_BUFFER, clearBuffer, feedInput, setBufferText, type ScanBufferState } from '../core/scan-buffer.js';
import type { Product, Role, Sale, TenderMethod } from '../core/types.js';
import { commitCart, lineFor, resolveScan, type Cashier } from '../checkout/service.js';
import type { DB } from '../db/open.js';
import { recordApproval } from '../db/approvals.js';
import { clearOpenCart, readOpenCart, saveOpenCart } from '../db/open-cart.js';
import { pendingCount } from '../db/outbox.js';
import { listProducts } from '../db/products.js';
import { findSale } from '../db/sales.js';
import { countSuspended, listSuspended, suspendSale, takeSuspended, type SuspendedSale } from '../db/suspended.js';
import type { TillIdentity } from '../db/settings.js';
import { verifyLogin, type User } from '../db/users.js';
import { NotFoundError } from '../errors.js';
import { commandFor, keyName, type Command, type Mode } from './keymap.js';

/** How long after a change the open cart is saved (db/open-cart.ts). */
const CART_SAVE_DELAY_MS = 300;

/** The seam the sync engineer plugs into: started with the screen, polled for the status bar. */
export interface Background {
  start(): void;
  stop(): void;
  status(): { online: boolean | null; pending: number };
}

export type PrintResult = { ok: true; preview?: string } | { ok: false; message: string };

/** The till's settings the screen needs (from `till config`), and the side services built on them. */
export interface CheckoutSettings {
  /** Discounts above this percent need a supervisor (config discount.limitPercent). */
  discountLimitPercent: number;
  /** config printer.uri: 'none' shows no printer, 'preview' shows receipts on screen. */
  printerUri: string;
  /** config hq.url: empty means this till has no HQ. */
  hqUrl: string;
  /** Prints a committed sale (`copy`: a reprint, marked 重印). Must not throw; never awaited by the sale itself. */
  print?: (sale: Sale, openDrawer: boolean, copy?: boolean) => Promise<PrintResult>;
  background?: Background;
}

export interface CheckoutDeps extends Partial<CheckoutSettings> {
  db: DB;
  identity: TillIdentity;
  lang: Lang;
  /**
   * Settings given later (`configure`): the screen is drawn first and the config store loads
   * behind it. Input that arrives before is kept and handled, in order, once configured.
   */
  deferSettings?: boolean;
  /** Rings the terminal bell (unknown code). */
  bell?: () => void;
  /** Leaves the checkout (unmounts the screen). */
  exit?: () => void;
  now?: () => Date;
  /** How long typing pauses before a product search runs (ms). */
  searchDelayMs?: number;
  /** How often the status bar refreshes the sync figures (ms); 0 turns polling off. */
  statusEveryMs?: number;
}

export type Tone = 'info' | 'ok' | 'error';
export interface Message {
  text: string;
  tone: Tone;
}

export type PaymentStage = 'amount' | 'reference' | 'code' | 'confirm';
export interface PaymentState {
  method: TenderMethod;
  stage: PaymentStage;
  /** Amount of the tender being taken (card/QR), fen. */
  amountFen: number | null;
  /** Customer's payment code (QR). */
  code: string | null;
}

export type Dialog =
  | { kind: 'qty'; index: number }
  | { kind: 'discount'; scope: 'line' | 'order'; index: number }
  | { kind: 'approve'; action: CartAction; reason: Refusal['reason']; supervisorId: string; field: 'id' | 'pin'; error: string | null }
  | { kind: 'confirm'; purpose: 'quit' | 'void' };

export interface SearchState {
  query: string;
  results: Product[];
  selected: number;
  /** The results belong to this query (false while typing has moved on). */
  fresh: boolean;
}

export interface LastSale {
  sale: Sale;
  preview?: string;
  printed?: PrintResult;
}

export interface StatusInfo {
  /** HQ reachable (true/false), unknown (null); `hq` false when this till has no HQ at all. */
  hq: boolean;
  online: boolean | null;
  pending: number;
  printer: 'off' | 'preview' | 'ready' | 'busy' | 'error';
  suspended: number;
}

export interface CheckoutView {
  mode: Mode;
  user: User | null;
  login: { id: string; field: 'id' | 'pin' };
  input: string;
  cart: CartState;
  totals: CartSummary;
  items: number;
  selected: number;
  pendingQty: number | null;
  message: Message | null;
  search: SearchState | null;
  payment: PaymentState | null;
  dialog: Dialog | null;
  list: { items: SuspendedSale[]; selected: number } | null;
  help: { from: Mode; scroll: number } | null;
  lastSale: LastSale | null;
  status: StatusInfo;
  t: Translate;
  identity: TillIdentity;
  discountLimitPercent: number;
}

const SUPERVISOR_ROLES: Role[] = ['supervisor', 'admin'];
/** Typed text in the payment amount field this long with no "." is a scanned code, not money. */
const CODE_MIN_DIGITS = 8;
const QTY_PREFIX = /^(\d{1,4})\*(.*)$/s;
const SEARCH_LIMIT = 50;

export class CheckoutController {
  readonly t: Translate;
  private buf: ScanBufferState = EMPTY_BUFFER;
  private user: User | null = null;
  private login: { id: string; field: 'id' | 'pin' } = { id: '', field: 'id' };
  private cart: CartState = EMPTY_CART;
  private selected = 0;
  private pendingQty: number | null = null;
  private message: Message | null = null;
  private search: SearchState | null = null;
  private payment: PaymentState | null = null;
  private dialog: Dialog | null = null;
  private list: { items: SuspendedSale[]; selected: number } | null = null;
  private help: { from: Mode; scroll: number } | null = null;
  private lastSale: LastSale | null = null;
  private status: StatusInfo;
  private snapshot: CheckoutView | null = null;
  private listeners = new Set<() => void>();
  private searchTimer: NodeJS.Timeout | null = null;
  private statusTimer: NodeJS.Timeout | null = null;
  private disposed = false;
  private started = false;
  private settings: CheckoutSettings | null = null;
  /** Input that arrived before the settings (replayed in order by `configure`). */
  private held: string[] = [];
  /** The cart as open_cart holds it, and the pending save of a newer one (see saveCart). */
  private savedCart: CartState = EMPTY_CART;
  private saveTimer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: CheckoutDeps) {
    this.t = createTranslator(deps.lang);
    this.status = { hq: false, online: null, pending: 0, printer: 'off', suspended: 0 };
    if (!deps.deferSettings) {
      this.applySettings({
        discountLimitPercent: deps.discountLimitPercent ?? 10,
        printerUri: deps.printerUri ?? 'preview',
        hqUrl: deps.hqUrl ?? '',
        print: deps.print,
        background: deps.background,
      });
    }
  }

  private applySettings(s: CheckoutSettings): void {
    this.settings = s;
    const printer = s.printerUri === 'none' ? 'off' : s.printerUri === 'preview' ? 'preview' : 'ready';
    this.status = { ...this.status, hq: s.hqUrl !== '' || s.background !== undefined, printer };
  }

  /** Settings loaded after the first frame: starts sync and handles the input held meanwhile. */
  configure(s: CheckoutSettings, warning?: string): void {
    if (this.disposed || this.settings) return;
    this.applySettings(s);
    if (warning) this.message = { text: warning, tone: 'error' };
    if (this.started) this.startBackground();
    const held = this.held;
    this.held = [];
    for (const chunk of held) this.handleInput(chunk);
    this.emit();
  }

  // ---- lifecycle and subscription (useSyncExternalStore) --------------------------------

  /** Starts background work (sync) and the status poll. Scans never wait for either. */
  start(): void {
    this.started = true;
    if (this.settings) this.startBackground();
    this.refreshStatus();
    const every = this.deps.statusEveryMs ?? 2000;
    if (every > 0) {
      this.statusTimer = setInterval(() => {
        try {
          if (this.refreshStatus()) this.emit();
        } catch {
          // The status bar keeps its last figures; the next tick tries again.
        }
      }, every);
      this.statusTimer.unref?.();
    }
    this.emit();
  }

  private startBackground(): void {
    try {
      this.settings?.background?.start();
    } catch (err) {
      this.say('msg.syncFailed', { error: (err as Error).message }, 'error');
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.saveTimer) this.saveCart();
    if (this.searchTimer) clearTimeout(this.searchTimer);
    if (this.statusTimer) clearInterval(this.statusTimer);
    try {
      this.settings?.background?.stop();
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

  private emit(): void {
    this.snapshot = null;
    if (this.cart !== this.savedCart && this.user && !this.saveTimer && !this.disposed) {
      this.saveTimer = setTimeout(() => this.saveCart(), CART_SAVE_DELAY_MS);
      this.saveTimer.unref?.();
    }
    for (const l of this.listeners) l();
  }

  /**
   * Keeps the sale being rung up in open_cart, so that a crash or a power cut does not lose it:
   * the next sign-in restores it (restoreOpenCart). Saved a moment after a change rather than on
   * every scan (a burst of scans is one write); a completed sale removes it in its own commit.
   */
  private saveCart(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = null;
    const cart = this.cart;
    try {
      if (cart.lines.length === 0 && cart.tenders.length === 0) clearOpenCart(this.deps.db);
      else if (this.user) saveOpenCart(this.deps.db, this.user.id, serializeCart(cart), this.now());
      this.savedCart = cart;
    } catch {
      // The next change tries again; the sale itself is unaffected.
    }
  }

  /** After sign-in: the sale that was open when the till stopped, if any, back in the cart. */
  private restoreOpenCart(): boolean {
    const saved = readOpenCart(this.deps.db);
    if (!saved) return false;
    let cart: CartState;
    try {
      cart = parseCart(saved.cart);
    } catch {
      clearOpenCart(this.deps.db);
      this.say('msg.openCartDamaged', {}, 'error');
      return true;
    }
    this.cart = cart;
    this.savedCart = cart;
    this.selected = Math.max(0, cart.lines.length - 1);
    const totals = cartSummary(cart);
    const params = { items: itemCount(cart), total: formatYuan(totals.totalFen), paid: formatYuan(totals.paidFen) };
    this.say(totals.paidFen > 0 ? 'msg.openCartRestoredPaid' : 'msg.openCartRestored', params, 'ok');
    return true;
  }

  private buildView(): CheckoutView {
    return {
      mode: this.mode(),
      user: this.user,
      login: this.login,
      input: this.buf.text,
      cart: this.cart,
      totals: cartSummary(this.cart),
      items: itemCount(this.cart),
      selected: this.selected,
      pendingQty: this.pendingQty,
      message: this.message,
      search: this.search,
      payment: this.payment,
      dialog: this.dialog,
      list: this.list,
      help: this.help,
      lastSale: this.lastSale,
      status: this.status,
      t: this.t,
      identity: this.deps.identity,
      discountLimitPercent: this.settings?.discountLimitPercent ?? 0,
    };
  }

  mode(): Mode {
    if (this.help) return 'help';
    if (this.dialog) return 'dialog';
    if (!this.user) return 'login';
    if (this.list) return 'list';
    if (this.payment) return 'payment';
    if (this.search) return 'search';
    return 'sale';
  }

  // ---- input ------------------------------------------------------------------------------

  /** One raw input event from Ink (any mix of typed text, scanned codes with "\r", or one key). */
  handleInput = (chunk: string): void => {
    if (!this.settings) {
      this.held.push(chunk);
      return;
    }
    let next = 0;
    while (next < chunk.length) {
      const r = feedInput(this.buf, chunk, next);
      this.buf = r.state;
      next = r.next;
      for (const e of r.events) {
        // An unexpected failure (a database error, a bug) costs one key or scan and a message,
        // never the screen: the cashier can carry on, and a sale is committed whole or not at all.
        try {
          if (e.type === 'edit') this.onEdit(e.text);
          else if (e.type === 'submit') this.onSubmit(e.text);
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

  private setInput(text: string): void {
    this.buf = setBufferText(this.buf, text);
  }

  private clearInput(): void {
    this.buf = clearBuffer(this.buf);
  }

  private say(key: MessageKey, params?: Params, tone: Tone = 'info'): void {
    this.message = { text: this.t(key, params), tone };
    if (tone === 'error') this.deps.bell?.();
  }

  private onEdit(text: string): void {
    const mode = this.mode();
    if (mode === 'sale' || mode === 'search') {
      const query = QTY_PREFIX.exec(text)?.[2] ?? text;
      // Letters (or Chinese typed through an input method) mean a search; digits stay a code.
      if (mode === 'sale' && /[^\d*.\s-]/.test(query)) {
        this.search = { query, results: [], selected: 0, fresh: false };
        this.scheduleSearch();
      } else if (mode === 'search') {
        if (query.trim() === '') this.search = null;
        else {
          this.search = { ...this.search!, query, fresh: false };
          this.scheduleSearch();
        }
      }
    }
  }

  private onSubmit(text: string): void {
    switch (this.mode()) {
      case 'login':
        return this.submitLogin(text);
      case 'sale':
        return this.submitSale(text);
      case 'search':
        return this.submitSearch(text);
      case 'payment':
        return this.submitPayment(text);
      case 'dialog':
        return this.submitDialog(text);
      case 'list':
        return this.resumeSelected();
      case 'help':
        this.help = null;
        return;
    }
  }

  private onCommand(c: Command): void {
    const mode = this.mode();
    switch (c) {
      case 'help':
        this.help = this.help ? null : { from: mode, scroll: 0 };
        return;
      case 'quit':
        return this.quit();
      case 'clearInput':
        this.clearInput();
        if (mode === 'search') this.search = null;
        return;
      case 'cancel':
        return this.cancel(mode);
      case 'nextField':
        if (mode === 'login') return this.submitLogin(this.buf.text);
        if (this.dialog?.kind === 'approve') return this.submitDialog(this.buf.text);
        return;
      case 'up':
      case 'down':
      case 'pageUp':
      case 'pageDown':
      case 'first':
      case 'last':
        return this.move(mode, c);
      case 'pay':
        return this.openPayment();
      case 'qty':
        return this.openLineDialog('qty');
      case 'remove':
        return this.removeSelected();
      case 'lineDiscount':
        return this.openLineDialog('discount');
      case 'orderDiscount':
        if (this.cart.lines.length === 0) return this.say('msg.cartEmpty', {}, 'error');
        this.clearInput();
        this.dialog = { kind: 'discount', scope: 'order', index: -1 };
        return;
      case 'suspend':
        this.suspend();
        return;
      case 'resume':
        return this.openResumeList();
      case 'voidSale':
        if (this.cart.lines.length === 0) return this.say('msg.cartEmpty', {}, 'error');
        this.clearInput();
        this.dialog = { kind: 'confirm', purpose: 'void' };
        return;
      case 'reprint':
        return this.reprint();
      case 'logout':
        if (this.cart.lines.length > 0) return this.say('msg.finishFirst', {}, 'error');
        this.user = null;
        this.login = { id: '', field: 'id' };
        this.lastSale = null;
        this.clearInput();
        this.say('msg.loggedOut');
        return;
      case 'cash':
      case 'card':
      case 'wechat':
      case 'alipay':
        if (this.payment) {
          this.payment = { method: c, stage: 'amount', amountFen: null, code: null };
          this.clearInput();
          this.message = null;
        }
        return;
      case 'exact':
        return this.tenderCash(this.totals().dueFen);
      case 'cash50':
        return this.tenderCash(5000);
      case 'cash100':
        return this.tenderCash(10000);
      case 'removeTender':
        this.apply({ type: 'removeLastTender' });
        return;
      case 'confirmAlt':
        if (this.dialog?.kind === 'confirm' && this.dialog.purpose === 'quit') {
          this.dialog = null;
          if (this.suspend()) this.leave();
        }
        return;
    }
  }

  private cancel(mode: Mode): void {
    switch (mode) {
      case 'help':
        this.help = null;
        return;
      case 'dialog':
        this.dialog = null;
        this.clearInput();
        return;
      case 'list':
        this.list = null;
        return;
      case 'payment':
        this.clearInput();
        if (this.payment && this.payment.stage !== 'amount') {
          this.payment = { ...this.payment, stage: 'amount', amountFen: null, code: null };
          this.message = null;
        } else {
          this.payment = null;
          this.message = null;
        }
        return;
      case 'search':
        this.search = null;
        this.clearInput();
        return;
      case 'login':
        this.clearInput();
        this.login = { id: '', field: 'id' };
        this.message = null;
        return;
      case 'sale':
        this.clearInput();
        this.pendingQty = null;
        this.message = null;
        return;
    }
  }

  private move(mode: Mode, c: Command): void {
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
    if (mode === 'sale') this.selected = step(this.selected, this.cart.lines.length, 10);
    else if (mode === 'search' && this.search) this.search = { ...this.search, selected: step(this.search.selected, this.search.results.length, 10) };
    else if (mode === 'list' && this.list) this.list = { ...this.list, selected: step(this.list.selected, this.list.items.length, 10) };
    else if (mode === 'help' && this.help) this.help = { ...this.help, scroll: Math.max(0, this.help.scroll + (c === 'up' ? -1 : c === 'down' ? 1 : c === 'pageUp' ? -10 : 10)) };
  }

  // ---- login ------------------------------------------------------------------------------

  private submitLogin(text: string): void {
    if (this.login.field === 'id') {
      const id = text.trim();
      this.clearInput();
      if (!id) return this.say('msg.typeCashierId', {}, 'error');
      this.login = { id, field: 'pin' };
      this.message = null;
      return;
    }
    this.clearInput();
    const id = this.login.id;
    const r = verifyLogin(this.deps.db, id, text, this.now());
    if (r.ok) {
      this.user = r.user;
      this.login = { id: '', field: 'id' };
      this.cart = EMPTY_CART;
      this.selected = 0;
      if (!this.restoreOpenCart()) this.say('msg.welcome', { name: r.user.name });
      return;
    }
    this.login = { id, field: 'pin' };
    this.say(...this.loginFailure(r, id));
  }

  private loginFailure(r: Exclude<ReturnType<typeof verifyLogin>, { ok: true }>, id: string): [MessageKey, Params, Tone] {
    switch (r.reason) {
      case 'unknown':
        this.login = { id: '', field: 'id' };
        return ['msg.unknownUser', { id }, 'error'];
      case 'inactive':
        this.login = { id: '', field: 'id' };
        return ['msg.userInactive', { id }, 'error'];
      case 'locked':
        return ['msg.userLocked', { id, until: this.clock(r.lockedUntil) }, 'error'];
      case 'wrong-pin':
        return ['msg.wrongPin', { left: r.attemptsLeft ?? 0 }, 'error'];
    }
  }

  private clock(iso?: string): string {
    if (!iso) return '';
    const d = new Date(iso);
    return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  // ---- scanning and the cart --------------------------------------------------------------

  private totals(): CartSummary {
    return cartSummary(this.cart);
  }

  private get policy() {
    return { discountLimitBp: Math.round((this.settings?.discountLimitPercent ?? 0) * 100) };
  }

  private submitSale(text: string): void {
    const trimmed = text.trim();
    if (trimmed === '') {
      if (this.pendingQty !== null) return this.say('msg.scanForQty', { qty: this.pendingQty });
      return this.openPayment();
    }
    const m = QTY_PREFIX.exec(trimmed);
    if (m) {
      const qty = Number(m[1]);
      if (m[2].trim() === '') {
        if (qty < 1 || qty > 999) return this.say('msg.badQty', {}, 'error');
        this.pendingQty = qty;
        return this.say('msg.scanForQty', { qty });
      }
      return this.scan(m[2].trim(), qty);
    }
    const qty = this.pendingQty ?? 1;
    this.scan(trimmed, qty);
  }

  /** One scanned or typed code. */
  private scan(code: string, qty: number): void {
    this.pendingQty = null;
    const outcome = resolveScan(this.deps.db, code);
    switch (outcome.kind) {
      case 'line':
        return this.addLine(outcome.line, qty);
      case 'payment':
        return this.say('msg.paymentCodeInSale', {}, 'error');
      case 'search':
        this.search = { query: outcome.text, results: [], selected: 0, fresh: false };
        this.setInput(outcome.text);
        return this.runSearch();
      case 'unknown':
        return this.say('msg.unknownCode', { code: outcome.code }, 'error');
      case 'bad-check-digit':
        return this.say('msg.badCheckDigit', { code: outcome.code }, 'error');
      case 'inactive':
        return this.say('msg.inactive', { name: outcome.name }, 'error');
      case 'needs-scale':
        return this.say('msg.needsScale', { name: outcome.name }, 'error');
    }
  }

  private addLine(line: NewLine, qty: number): void {
    const before = this.cart.lines;
    if (!this.apply({ type: 'addLine', line, qty })) return;
    // A new line is last; a repeat scan changed exactly one line (found without pricing the cart).
    const lines = this.cart.lines;
    let idx = lines.length - 1;
    if (lines.length === before.length) idx = lines.findIndex((l, i) => l !== before[i]);
    this.selected = Math.max(0, idx);
    this.lastSale = null;
    const l = lines[this.selected];
    const what = l.qtyGrams !== null ? `${(l.qtyGrams / 1000).toFixed(3)}kg` : `×${l.qty}`;
    this.message = { text: this.t('msg.added', { name: l.name, what, price: formatYuan(lineTotalFen(l)) }), tone: 'ok' };
  }

  /** Dispatches to the cart reducer (`r`: its result, when the caller has it); a refusal becomes a message or a supervisor prompt. */
  private apply(action: CartAction, r = reduceCart(this.cart, action, this.policy)): boolean {
    if (r.ok) {
      this.cart = r.state;
      this.afterApplied(action);
      return true;
    }
    if (r.refusal.code === 'needs-approval') {
      this.clearInput();
      this.dialog = { kind: 'approve', action, reason: r.refusal.reason, supervisorId: '', field: 'id', error: null };
      this.message = null;
      return false;
    }
    this.say(refusalKey(r.refusal), { amount: formatYuan(r.refusal.fen ?? 0) }, 'error');
    return false;
  }

  private afterApplied(action: CartAction): void {
    this.selected = Math.min(this.selected, Math.max(0, this.cart.lines.length - 1));
    switch (action.type) {
      case 'removeLine':
        this.say('msg.lineRemoved');
        break;
      case 'clear':
        this.payment = null;
        this.selected = 0;
        this.say('msg.voided');
        break;
      case 'removeLastTender':
        this.say('msg.tenderRemoved');
        break;
      case 'setLineDiscount':
      case 'setOrderDiscount':
        this.say('msg.discountSet');
        break;
      default:
        break;
    }
  }

  private removeSelected(): void {
    if (!this.cart.lines[this.selected]) return this.say('msg.cartEmpty', {}, 'error');
    this.apply({ type: 'removeLine', index: this.selected });
  }

  private openLineDialog(kind: 'qty' | 'discount'): void {
    const l = this.cart.lines[this.selected];
    if (!l) return this.say('msg.cartEmpty', {}, 'error');
    if (kind === 'qty' && isWeighed(l)) return this.say('msg.qtyWeighed', {}, 'error');
    this.clearInput();
    this.message = null;
    this.dialog = kind === 'qty' ? { kind: 'qty', index: this.selected } : { kind: 'discount', scope: 'line', index: this.selected };
  }

  // ---- search -----------------------------------------------------------------------------

  private scheduleSearch(): void {
    if (this.searchTimer) clearTimeout(this.searchTimer);
    this.searchTimer = setTimeout(() => {
      this.searchTimer = null;
      if (this.disposed || !this.search || this.search.fresh) return;
      try {
        this.runSearch();
      } catch (err) {
        this.say('msg.unexpected', { error: (err as Error)?.message ?? String(err) }, 'error');
      }
      this.emit();
    }, this.deps.searchDelayMs ?? 120);
    this.searchTimer.unref?.();
  }

  private runSearch(): void {
    if (!this.search) return;
    const query = this.search.query.trim();
    const results = query ? listProducts(this.deps.db, { search: query, limit: SEARCH_LIMIT }) : [];
    this.search = { query: this.search.query, results, selected: 0, fresh: true };
    if (results.length === 0) this.say('msg.noResults', { query }, 'error');
    else this.message = null;
  }

  private submitSearch(text: string): void {
    const m = QTY_PREFIX.exec(text.trim());
    const qty = m ? Number(m[1]) : (this.pendingQty ?? 1);
    const query = (m ? m[2] : text).trim();
    // A scanned internal code with letters lands here too: the catalog knows it exactly.
    const direct = resolveScan(this.deps.db, query);
    if (direct.kind === 'line') {
      this.search = null;
      return this.scan(query, qty);
    }
    const s = this.search;
    if (!s || !s.fresh || s.query.trim() !== query) {
      // Enter before the results showed: show them, add nothing the cashier has not seen.
      this.search = { query, results: [], selected: 0, fresh: false };
      this.setInput(text);
      return this.runSearch();
    }
    const p = s.results[s.selected];
    if (!p) {
      this.setInput(text);
      return this.say('msg.noResults', { query }, 'error');
    }
    if (p.weighed) {
      this.setInput(text);
      return this.say('msg.needsScale', { name: p.name }, 'error');
    }
    this.search = null;
    this.pendingQty = null;
    this.addLine(lineFor(p, p.barcodes[0] ?? null), qty);
  }

  // ---- payment ----------------------------------------------------------------------------

  private openPayment(): void {
    if (this.cart.lines.length === 0) return this.say('msg.scanFirst', {}, 'error');
    this.clearInput();
    this.search = null;
    this.payment = { method: 'cash', stage: 'amount', amountFen: null, code: null };
    this.message = null;
    if (this.totals().dueFen === 0) this.say('msg.nothingDue');
  }

  private submitPayment(text: string): void {
    const p = this.payment!;
    const typed = text.trim();
    switch (p.stage) {
      case 'amount': {
        // A scanner in the amount field: a code, never money.
        if (/^\d+$/.test(typed) && typed.length >= CODE_MIN_DIGITS) return this.scanInPayment(typed);
        const due = this.totals().dueFen;
        if (due === 0) return this.complete();
        let amount: number;
        if (typed === '') amount = due;
        else {
          try {
            amount = parseYuan(typed, { allowZero: false });
          } catch (e) {
            if (e instanceof MoneyParseError) return this.say('msg.badAmount', { input: typed }, 'error');
            throw e;
          }
        }
        if (p.method === 'cash') return this.tenderCash(amount);
        if (amount > due) return this.say('msg.overDue', { method: this.t(`method.${p.method}` as MessageKey), amount: formatYuan(due) }, 'error');
        this.payment = { ...p, stage: p.method === 'card' ? 'reference' : 'code', amountFen: amount };
        this.message = null;
        return;
      }
      case 'reference':
        return this.tender({ method: 'card', tenderedFen: p.amountFen!, reference: typed || null });
      case 'code': {
        const kind = paymentCodeKind(typed);
        if (!kind) return this.say('msg.notPaymentCode', { code: typed }, 'error');
        this.payment = { ...p, method: kind, stage: 'confirm', code: typed };
        this.message = null;
        return;
      }
      case 'confirm':
        return this.tender({ method: p.method, tenderedFen: p.amountFen!, reference: p.code });
    }
  }

  private scanInPayment(code: string): void {
    const kind = paymentCodeKind(code);
    if (kind) {
      const due = this.totals().dueFen;
      if (due === 0) return this.complete();
      this.payment = { method: kind, stage: 'confirm', amountFen: this.payment?.amountFen ?? due, code };
      this.message = null;
      return;
    }
    // An item the customer still had: back to the cart with it.
    this.payment = null;
    this.submitSale(code);
  }

  private tenderCash(amountFen: number): void {
    if (!this.payment) return;
    if (this.totals().dueFen === 0) return this.complete();
    this.tender({ method: 'cash', tenderedFen: amountFen, reference: null });
  }

  private tender(t: { method: TenderMethod; tenderedFen: number; reference: string | null }): void {
    this.clearInput();
    if (!this.apply({ type: 'addTender', tender: t })) return;
    if (isPaid(this.cart)) return this.complete();
    // What is left is most often paid in cash: back to cash, the amount field empty.
    this.payment = { method: 'cash', stage: 'amount', amountFen: null, code: null };
    this.say('msg.partlyPaid', { paid: formatYuan(this.totals().paidFen), due: formatYuan(this.totals().dueFen) });
  }

  /** Commits the paid cart, then prints. A failed commit keeps the cart and says why. */
  private complete(): void {
    const cashier: Cashier = { id: this.user!.id, name: this.user!.name };
    let sale: Sale;
    try {
      sale = commitCart(this.deps.db, this.cart, cashier, this.now());
    } catch (err) {
      return this.say('msg.commitFailed', { error: (err as Error).message }, 'error');
    }
    const drawer = this.cart.tenders.some((t) => t.method === 'cash');
    this.cart = { ...EMPTY_CART, nextKey: 1 };
    this.payment = null;
    this.selected = 0;
    this.pendingQty = null;
    this.lastSale = { sale };
    this.say(sale.changeFen > 0 ? 'msg.doneChange' : 'msg.done', { receipt: sale.receiptNo, change: formatYuan(sale.changeFen), total: formatYuan(sale.totalFen) }, 'ok');
    try {
      this.refreshStatus();
    } catch {
      // The sale is committed; the status bar catches up on its next tick.
    }
    const print = this.settings?.print;
    if (print && this.status.printer !== 'off') void this.printSale(print, sale, drawer);
  }

  private async printSale(print: NonNullable<CheckoutSettings['print']>, sale: Sale, drawer: boolean, copy = false): Promise<void> {
    const before = this.status.printer;
    this.status = { ...this.status, printer: before === 'preview' ? 'preview' : 'busy' };
    let r: PrintResult;
    try {
      r = await print(sale, drawer, copy);
    } catch (err) {
      r = { ok: false, message: (err as Error)?.message ?? String(err) };
    }
    if (this.disposed) return;
    this.status = { ...this.status, printer: r.ok ? (before === 'preview' ? 'preview' : 'ready') : 'error' };
    if (this.lastSale?.sale.id === sale.id) this.lastSale = { ...this.lastSale, printed: r, preview: r.ok ? r.preview : undefined };
    if (!r.ok) this.say('msg.printFailed', { error: r.message }, 'error');
    else if (copy) this.say('msg.reprinted', { receipt: sale.receiptNo }, 'ok');
    this.emit();
  }

  /**
   * F12: the till's last sale again, marked 重印 / COPY and without opening the drawer (a jammed
   * printer, a customer who wants the receipt after all). Between sales only.
   */
  private reprint(): void {
    if (this.cart.lines.length > 0) return this.say('msg.finishFirst', {}, 'error');
    const print = this.settings?.print;
    if (!print || this.status.printer === 'off') return this.say('msg.printerOff', {}, 'error');
    let sale: Sale;
    try {
      sale = this.lastSale?.sale ?? findSale(this.deps.db, 'last');
    } catch (err) {
      if (err instanceof NotFoundError) return this.say('msg.noSalesYet', {}, 'error');
      throw err;
    }
    this.clearInput();
    this.lastSale = { sale };
    this.say('msg.reprinting', { receipt: sale.receiptNo });
    void this.printSale(print, sale, false, true);
  }

  // ---- dialogs ----------------------------------------------------------------------------

  private submitDialog(text: string): void {
    const d = this.dialog!;
    const typed = text.trim();
    switch (d.kind) {
      case 'qty': {
        if (!/^\d{1,4}$/.test(typed)) return this.say('msg.badQty', {}, 'error');
        this.dialog = null;
        this.apply({ type: 'setQty', index: d.index, qty: Number(typed) });
        return;
      }
      case 'discount': {
        let discount: Discount | null;
        try {
          discount = parseDiscount(typed);
        } catch {
          return this.say('msg.badDiscount', { input: typed }, 'error');
        }
        this.dialog = null;
        this.apply(d.scope === 'line' ? { type: 'setLineDiscount', index: d.index, discount } : { type: 'setOrderDiscount', discount });
        return;
      }
      case 'approve': {
        this.clearInput();
        if (d.field === 'id') {
          if (!typed) return;
          this.dialog = { ...d, supervisorId: typed, field: 'pin', error: null };
          return;
        }
        const r = verifyLogin(this.deps.db, d.supervisorId, text, this.now());
        if (!r.ok) {
          const [key, params] = this.loginFailure(r, d.supervisorId);
          const reset = r.reason === 'unknown' || r.reason === 'inactive';
          this.dialog = { ...d, field: reset ? 'id' : 'pin', supervisorId: reset ? '' : d.supervisorId, error: this.t(key, params) };
          this.deps.bell?.();
          return;
        }
        if (!SUPERVISOR_ROLES.includes(r.user.role)) {
          this.dialog = { ...d, field: 'id', supervisorId: '', error: this.t('msg.notSupervisor', { id: r.user.id }) };
          this.deps.bell?.();
          return;
        }
        this.dialog = null;
        const approved = { ...d.action, approvedBy: r.user.id } as CartAction;
        const after = reduceCart(this.cart, approved, this.policy);
        // Journaled before it takes effect: an approval that cannot be recorded is not applied.
        if (after.ok) recordApproval(this.deps.db, { cashierId: this.user!.id, supervisorId: r.user.id, reason: d.reason ?? '', action: approved.type, detail: describeApproval(approved, this.cart, after.state) }, this.now());
        this.apply(approved, after);
        return;
      }
      case 'confirm':
        this.dialog = null;
        if (d.purpose === 'quit') return this.leave();
        this.apply({ type: 'clear' });
        return;
    }
  }

  // ---- suspend / resume -------------------------------------------------------------------

  private suspend(): boolean {
    if (this.cart.lines.length === 0) {
      this.say('msg.cartEmpty', {}, 'error');
      return false;
    }
    if (this.cart.tenders.length > 0) {
      this.say('msg.cannotSuspendPaid', {}, 'error');
      return false;
    }
    const totals = this.totals();
    const label = this.t('label.suspended', { first: this.cart.lines[0].name, items: itemCount(this.cart), total: formatYuan(totals.totalFen) });
    const s = suspendSale(this.deps.db, { cashierId: this.user!.id, label, cart: serializeCart(this.cart) }, this.now());
    this.cart = { ...EMPTY_CART, nextKey: 1 };
    this.selected = 0;
    this.pendingQty = null;
    this.clearInput();
    this.say('msg.suspended', { id: s.id }, 'ok');
    this.refreshStatus();
    return true;
  }

  private openResumeList(): void {
    if (this.cart.lines.length > 0) return this.say('msg.finishFirst', {}, 'error');
    const items = listSuspended(this.deps.db);
    if (items.length === 0) return this.say('msg.noSuspended', {}, 'error');
    this.clearInput();
    this.message = null;
    this.list = { items, selected: 0 };
  }

  private resumeSelected(): void {
    const l = this.list!;
    const item = l.items[l.selected];
    if (!item) return;
    let cart: CartState;
    try {
      cart = parseCart(item.cart);
    } catch {
      return this.say('msg.suspendedDamaged', { id: item.id }, 'error');
    }
    const taken = takeSuspended(this.deps.db, item.id);
    this.list = null;
    if (!taken) {
      this.refreshStatus();
      return this.say('msg.suspendedGone', { id: item.id }, 'error');
    }
    if (!this.apply({ type: 'restore', cart })) return;
    this.selected = Math.max(0, this.cart.lines.length - 1);
    this.lastSale = null;
    this.say('msg.resumed', { id: item.id }, 'ok');
    this.refreshStatus();
  }

  // ---- leaving ----------------------------------------------------------------------------

  private quit(): void {
    if (this.dialog?.kind === 'confirm' && this.dialog.purpose === 'quit') return;
    if (this.cart.lines.length === 0 || !this.user) return this.leave();
    if (this.cart.tenders.length > 0) return this.say('msg.cannotQuitPaid', {}, 'error');
    this.help = null;
    this.clearInput();
    this.dialog = { kind: 'confirm', purpose: 'quit' };
  }

  private leave(): void {
    this.dispose();
    this.deps.exit?.();
  }

  // ---- status -----------------------------------------------------------------------------

  /** Re-reads sync and suspended figures; true if anything changed. */
  private refreshStatus(): boolean {
    let online: boolean | null = null;
    let pending = 0;
    try {
      const bg = this.settings?.background;
      if (bg) ({ online, pending } = bg.status());
      else pending = pendingCount(this.deps.db);
    } catch {
      online = false;
    }
    const suspended = countSuspended(this.deps.db);
    const s = this.status;
    if (s.online === online && s.pending === pending && s.suspended === suspended) return false;
    this.status = { ...s, online, pending, suspended };
    return true;
  }

}

/** "10%" → percent; "5" or "¥5.50" → an amount; "0" or empty → no discount. */
export function parseDiscount(input: string): Discount | null {
  const s = input.trim();
  if (s === '' || s === '0' || s === '0%') return null;
  if (s.endsWith('%')) return { kind: 'percent', bp: parsePercent(s) };
  return { kind: 'amount', fen: parseYuan(s, { allowZero: false }) };
}

function refusalKey(r: Refusal): MessageKey {
  return `refusal.${r.code}` as MessageKey;
}

const discountText = (d: Discount | null) => (!d ? 'none' : d.kind === 'percent' ? `${d.bp / 100}%` : formatYuan(d.fen));

/** What an approved action did, for the approvals journal (db/approvals.ts). */
function describeApproval(action: CartAction, before: CartState, after: CartState): string {
  const line = (i: number) => {
    const l = before.lines[i];
    return l ? `line ${i + 1} ${l.name}` : `line ${i + 1}`;
  };
  const was = cartSummary(before);
  const now = cartSummary(after);
  let what: string;
  switch (action.type) {
    case 'setQty':
      what = `${line(action.index)}: qty ${before.lines[action.index]?.qty} → ${action.qty}`;
      break;
    case 'removeLine':
      what = `${line(action.index)} removed`;
      break;
    case 'setLineDiscount':
      what = `${line(action.index)}: discount ${discountText(action.discount)}`;
      break;
    case 'setOrderDiscount':
      what = `order discount ${discountText(action.discount)}`;
      break;
    case 'removeLastTender': {
      const t = before.tenders[before.tenders.length - 1];
      what = t ? `payment ${t.method} ${formatYuan(t.tenderedFen)} undone` : 'payment undone';
      break;
    }
    case 'clear':
      what = `sale cancelled: ${itemCount(before)} items`;
      break;
    default:
      what = action.type;
  }
  return `${what}; total ${formatYuan(was.totalFen)} → ${formatYuan(now.totalFen)}, paid ${formatYuan(was.paidFen)}`;
}
