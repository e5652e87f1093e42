// The checkout screen's types: what the shell is given (deps, settings), the screen state as a
// discriminated union (one variant per mode, each holding only its own state), and the view the
// Ink components draw.
import type { CartAction, CartState, CartSummary, Refusal } from '../core/cart.js';
import type { Lang, Translate } from '../core/i18n.js';
import type { Product, Sale, TenderMethod } from '../core/types.js';
import type { DB } from '../db/open.js';
import type { TillIdentity } from '../db/settings.js';
import type { SuspendedSale } from '../db/suspended.js';
import type { User } from '../db/users.js';
import type { Mode } from './keymap.js';
import type { RefundPlan } from '../core/refund.js';
import type { ReportBody } from '../db/zreports.js';
import type { ReturnableSale, ReturnRecord } from '../db/returns-read.js';

/** The seam the sync engineer plugs into: started with the screen, polled for the status bar. */
export interface Background {
  start(): void;
  stop(): void;
  /** `conflicts`, `quarantined`: sales HQ holds other content for, or holds in quarantine (sync/background.ts). */
  status(): { online: boolean | null; pending: number; conflicts?: number; quarantined?: number };
}

export type PrintResult = { ok: true; preview?: string; /** printed, with something to tell (paper low) */ warning?: string } | { ok: false; message: string; /** print/transport.ts FailureReason */ reason?: string };

/** What a printer answered to a status request (DLE EOT); anything but 'ready' is shown as such. */
// What the printer says of itself (print/status.ts decides it from the DLE EOT answers).
import type { PrinterState } from '../print/status.js';
export type { PrinterState };

/** The till's settings the screen needs (from `till config`), and the side services built on them. */
export interface CheckoutSettings {
  /** Discounts above this percent need a supervisor (config discount.limitPercent). */
  discountLimitPercent: number;
  /** config printer.uri: 'none' shows no printer, 'preview' shows receipts on screen. */
  printerUri: string;
  /** config hq.url: empty means this till has no HQ. */
  hqUrl: string;
  /** Prints a committed sale (`copy`: a reprint, marked 重印). Must not throw; never awaited by the sale itself. */
  print?: (sale: Sale, openDrawer: boolean, copy?: boolean, /** a training sale (练习): marked, drawer shut */ training?: boolean) => Promise<PrintResult>;
  /** Asks the printer how it is (polled at start, after each print and now and then; never on the scan path). */
  printerState?: () => Promise<PrinterState>;
  /** Cash change above this (fen) asks to confirm (config tender.maxChange); unset: core/tender.ts's default rule. */
  maxChangeFen?: number;
  /** Typed weights for weighed goods (config weigh.manual). */
  weighManual?: 'allow' | 'supervisor' | 'never';
  background?: Background;
  /** Prints a committed return's slip (退货 / RETURN). Must not throw; never awaited by the return itself. */
  printReturn?: (ret: ReturnRecord) => Promise<PrintResult>;
  /** Prints an X or Z report on the receipt printer. Must not throw. */
  printReport?: (report: ReportBody) => Promise<PrintResult>;
  /** Blind close (config shift.blindClose): the expected cash is shown only after the count. */
  blindClose?: boolean;
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
  /** Signed in for training (`till checkout --training`): sales are training sales, no shift. */
  training?: boolean;
  /** How long typing pauses before a product search runs (ms). */
  searchDelayMs?: number;
  /** How often the status bar refreshes the sync figures (ms); 0 turns polling off. */
  statusEveryMs?: number;
  /** How often the printer is asked for its state (ms); 0 turns that poll off. */
  printerEveryMs?: number;
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

export type ConfirmPurpose = 'quit' | 'void' | 'change' | 'foreign-cart';

export type Dialog =
  | { kind: 'qty'; index: number }
  | { kind: 'discount'; scope: 'line' | 'order'; index: number }
  | { kind: 'approve'; action: CartAction | null; reason: Refusal['reason'] | 'resume-foreign' | 'manual-weight' | 'unlock'; supervisorId: string; field: 'id' | 'pin'; error: string | null; subject?: string }
  | { kind: 'confirm'; purpose: ConfirmPurpose; amountFen?: number; subject?: string }
  | { kind: 'weight'; productId: number; name: string; priceFen: number; barcode: string | null }
  /** At sign-in: another cashier's sale was open when the till stopped. */
  | { kind: 'foreign-cart'; cashierId: string; cart: CartState }
  /** Store's-day dialogs (modes/shift.ts): the opening float, another's shift, pay-in/out, the close. */
  | ShiftDialog
  | ReturnDialog
  /** The X report (Ctrl+X), or a Z being taken: a supervisor's number and PIN (modes/reports.ts). */
  | { kind: 'report'; report: ReportBody; field: 'id' | 'pin' | null; supervisorId: string; error: string | null; /** the open shift's drawer now (the report counts closed shifts) */ drawerFen: number | null };

/** A return or post-void at the checkout (modes/returns.ts): find the sale, pick, preview, approve. */
export type ReturnDialog =
  | { kind: 'return-find' }
  | { kind: 'return-pick'; sale: ReturnableSale; postVoid: boolean }
  | {
      kind: 'return-preview';
      request: { receiptNo: string; lines?: Array<{ lineNo: number; qty?: number }>; kind: 'return' | 'post-void' };
      sale: ReturnableSale;
      plan: RefundPlan;
      field: 'id' | 'pin';
      supervisorId: string;
      error: string | null;
    };

/** The shift dialogs: open with a counted float, cash in or out, count and close (modes/shift.ts). */
export type ShiftDialog =
  | { kind: 'float' }
  /** At sign-in: the drawer is in another cashier's open shift. */
  | { kind: 'other-shift'; cashierId: string; shiftId: number }
  | { kind: 'cash-move'; move: 'pay-in' | 'pay-out'; field: 'amount' | 'reason'; amountFen: number | null }
  /** Counting the drawer: one denomination after another (`index` into DENOMINATIONS_FEN), or a total. */
  | { kind: 'close-count'; by: 'denomination' | 'total'; index: number; counts: number[]; expectedFen: number | null }
  | { kind: 'closed'; countedFen: number; expectedFen: number; overShortFen: number };

export interface SearchState {
  query: string;
  results: Product[];
  selected: number;
  /** The results belong to this query (false while typing has moved on). */
  fresh: boolean;
  /** More products matched than were shown. */
  capped?: boolean;
}

export interface LoginState {
  id: string;
  field: 'id' | 'pin';
}

export interface HeldListState {
  items: SuspendedSale[];
  selected: number;
}

/**
 * Where the cashier is. Each mode holds only its own state; a dialog or the help sits over the
 * screen it was opened from and returns to it.
 */
export type Screen =
  | { mode: 'login'; login: LoginState }
  | { mode: 'sale' }
  | { mode: 'search'; search: SearchState }
  | { mode: 'payment'; payment: PaymentState }
  | { mode: 'list'; list: HeldListState }
  | { mode: 'dialog'; dialog: Dialog; under: Screen }
  | { mode: 'help'; scroll: number; under: Screen };

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
  /** Sales at whose seq HQ holds other content, and sales HQ holds in quarantine: shown until HQ resolves them. */
  conflicts: number;
  quarantined: number;
  printer: 'off' | 'preview' | 'ready' | 'busy' | 'error' | PrinterState;
  suspended: number;
}

export interface CheckoutView {
  mode: Mode;
  user: User | null;
  login: LoginState;
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
  list: HeldListState | null;
  help: { from: Mode; scroll: number } | null;
  lastSale: LastSale | null;
  status: StatusInfo;
  t: Translate;
  identity: TillIdentity;
  discountLimitPercent: number;
  /** Training mode (练习): marked on every screen. */
  training: boolean;
}
