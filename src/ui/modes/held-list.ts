// The held sales (挂单) list: F7 between sales lists them, Enter resumes the chosen one.
import { parseCart, type CartState } from '../../core/cart.js';
import { apply } from './sale.js';
import { SALE, type Ctx, type ModeHandler } from './context.js';

export function openResumeList(c: Ctx): void {
  if (c.cart.lines.length > 0) return c.say('msg.finishFirst', {}, 'error');
  const items = c.store.listSuspended();
  if (items.length === 0) return c.say('msg.noSuspended', {}, 'error');
  c.clearInput();
  c.message = null;
  c.screen = { mode: 'list', list: { items, selected: 0 } };
}

function resumeSelected(c: Ctx): void {
  if (c.screen.mode !== 'list') return;
  const l = c.screen.list;
  const item = l.items[l.selected];
  if (!item) return;
  let cart: CartState;
  try {
    cart = parseCart(item.cart);
  } catch {
    return c.say('msg.suspendedDamaged', { id: item.id }, 'error');
  }
  const taken = c.store.takeSuspended(item.id, c.user!.id, c.now());
  c.screen = SALE;
  if (!taken) {
    c.refreshStatus();
    return c.say('msg.suspendedGone', { id: item.id }, 'error');
  }
  if (!apply(c, { type: 'restore', cart })) return;
  c.selected = Math.max(0, c.cart.lines.length - 1);
  c.lastSale = null;
  c.say('msg.resumed', { id: item.id }, 'ok');
  c.refreshStatus();
}

export const heldListMode: ModeHandler = {
  submit(c, text) {
    // Only an empty Enter resumes: a scan (code + Enter) while the list is open is no answer.
    if (text.trim() !== '') return c.say('msg.scanInDialog', { code: text.trim() }, 'error');
    resumeSelected(c);
  },
  cancel(c) {
    c.screen = SALE;
  },
};
