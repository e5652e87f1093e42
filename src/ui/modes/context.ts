// What every mode module of the checkout works on: the state shared by all modes (the signed-in
// cashier, the cart, the message line…), the current screen, and the shell's few services. The
// shell (checkout-controller.ts) is the one implementation; modes are plain functions over it.
import type { CartPolicy, CartState } from '../../core/cart.js';
import type { MessageKey, Params, Translate } from '../../core/i18n.js';
import type { CheckoutStore } from '../../checkout/store.js';
import type { User } from '../../db/users.js';
import type { CheckoutDeps, CheckoutSettings, Dialog, LastSale, Message, Screen, StatusInfo, Tone } from '../checkout-types.js';
import type { Command } from '../keymap.js';
import type { OpenCartSaver } from '../open-cart.js';

export interface Ctx {
  readonly t: Translate;
  readonly store: CheckoutStore;
  readonly deps: CheckoutDeps;
  /** Present whenever input is handled (input before the settings waits for them). */
  readonly settings: CheckoutSettings;
  readonly disposed: boolean;
  user: User | null;
  /** Training mode (练习): sales are training sales, no shift, the drawer stays shut. */
  training: boolean;
  cart: CartState;
  selected: number;
  pendingQty: number | null;
  message: Message | null;
  lastSale: LastSale | null;
  status: StatusInfo;
  screen: Screen;
  searchTimer: NodeJS.Timeout | null;
  readonly saver: OpenCartSaver;
  input(): string;
  setInput(text: string): void;
  clearInput(): void;
  say(key: MessageKey, params?: Params, tone?: Tone): void;
  bell(): void;
  now(): Date;
  emit(): void;
  policy(): CartPolicy;
  leave(): void;
  refreshStatus(): boolean;
  /** One scanned or typed code into the sale (modes/sale.ts scan; a method so benchmarks can time it). */
  scan(code: string, qty: number): void;
}

/** One mode's answers to Enter, to typing, to its own commands and to Esc. */
export interface ModeHandler {
  submit(c: Ctx, text: string): void;
  edit?(c: Ctx, text: string): void;
  /** The mode's own commands (the key map decides which reach it). */
  command?(c: Ctx, cmd: Command): void;
  cancel(c: Ctx): void;
}

export const SALE: Screen = { mode: 'sale' };

/** The screen under any dialog or help: login, sale, search, payment or the held list. */
export function baseScreen(s: Screen): Exclude<Screen, { mode: 'dialog' | 'help' }> {
  return s.mode === 'dialog' || s.mode === 'help' ? baseScreen(s.under) : s;
}

export function openDialog(c: Ctx, dialog: Dialog): void {
  const under = c.screen.mode === 'dialog' ? c.screen.under : c.screen;
  c.screen = { mode: 'dialog', dialog, under };
}

/** Back to the screen the dialog was opened over. */
export function closeDialog(c: Ctx): void {
  if (c.screen.mode === 'dialog') c.screen = c.screen.under;
}

export function currentDialog(c: Ctx): Dialog | null {
  return c.screen.mode === 'dialog' ? c.screen.dialog : null;
}
