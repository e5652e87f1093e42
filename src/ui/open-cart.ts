// The sale being rung up, kept in open_cart so that a crash or a power cut does not lose it:
// the next sign-in restores it. Saved a moment after a change rather than on every scan (a burst
// of scans is one write); a completed sale removes it in its own commit.
import { EMPTY_CART, cartSummary, itemCount, parseCart, serializeCart, type CartState } from '../core/cart.js';
import { formatYuan } from '../core/money.js';
import { itemsText } from './format.js';
import type { Ctx } from './modes/context.js';

/** How long after a change the open cart is saved. */
export const CART_SAVE_DELAY_MS = 300;

export class OpenCartSaver {
  private saved: CartState = EMPTY_CART;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly c: Ctx) {}

  /** After each change: schedules a save if the cart differs from what open_cart holds. */
  changed(): void {
    const c = this.c;
    // A training sale is not kept: it must never come back as a real one.
    if (c.cart !== this.saved && c.user && !c.training && !this.timer && !c.disposed) {
      this.timer = setTimeout(() => this.save(), CART_SAVE_DELAY_MS);
      this.timer.unref?.();
    }
  }

  /** The cart now in open_cart (restored, or just written). */
  markSaved(cart: CartState): void {
    this.saved = cart;
  }

  /** Writes a pending save now (leaving the screen). */
  flush(): void {
    if (this.timer) this.save();
  }

  save(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const c = this.c;
    const cart = c.cart;
    try {
      if (cart.lines.length === 0 && cart.tenders.length === 0) c.store.clearOpenCart();
      else if (c.user) c.store.saveOpenCart(c.user.id, serializeCart(cart), c.now());
      this.saved = cart;
    } catch {
      // The next change tries again; the sale itself is unaffected.
    }
  }
}

/** After sign-in: the sale that was open when the till stopped, if any, back in the cart. */
export function restoreOpenCart(c: Ctx): boolean {
  const saved = c.store.readOpenCart();
  if (!saved) return false;
  let cart: CartState;
  try {
    cart = parseCart(saved.cart);
  } catch {
    c.store.clearOpenCart();
    c.say('msg.openCartDamaged', {}, 'error');
    return true;
  }
  if (c.user && saved.cashierId !== c.user.id) {
    // Another cashier's sale: theirs to finish. This cashier may void it, resume it with a
    // supervisor, or sign out and leave it; nothing is saved over it meanwhile.
    c.saver.markSaved(c.cart);
    c.screen = { mode: 'dialog', dialog: { kind: 'foreign-cart', cashierId: saved.cashierId, cart }, under: { mode: 'sale' } };
    c.say('msg.foreignCart', { cashier: saved.cashierId }, 'error');
    return true;
  }
  c.cart = cart;
  c.saver.markSaved(cart);
  c.selected = Math.max(0, cart.lines.length - 1);
  const totals = cartSummary(cart);
  const params = { items: itemsText(c.t, itemCount(cart)), total: formatYuan(totals.totalFen), paid: formatYuan(totals.paidFen) };
  c.say(totals.paidFen > 0 ? 'msg.openCartRestoredPaid' : 'msg.openCartRestored', params, 'ok');
  return true;
}
