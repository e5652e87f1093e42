// Product search: letters typed in the sale search the catalog by name or pinyin initials after
// a short pause; arrows choose, Enter adds.
import { lineFor } from '../../checkout/service.js';
import { addLine, askWeight, QTY_PREFIX } from './sale.js';
import { SALE, type Ctx, type ModeHandler } from './context.js';

export const SEARCH_LIMIT = 50;

export function scheduleSearch(c: Ctx): void {
  if (c.searchTimer) clearTimeout(c.searchTimer);
  c.searchTimer = setTimeout(() => {
    c.searchTimer = null;
    if (c.disposed || c.screen.mode !== 'search' || c.screen.search.fresh) return;
    try {
      runSearch(c);
    } catch (err) {
      c.say('msg.unexpected', { error: (err as Error)?.message ?? String(err) }, 'error');
    }
    c.emit();
  }, c.deps.searchDelayMs ?? 120);
  c.searchTimer.unref?.();
}

export function runSearch(c: Ctx): void {
  if (c.screen.mode !== 'search') return;
  const query = c.screen.search.query.trim();
  const { items: results, capped } = query ? c.store.search(query, SEARCH_LIMIT) : { items: [], capped: false };
  c.screen = { mode: 'search', search: { query: c.screen.search.query, results, selected: 0, fresh: true, capped } };
  if (results.length === 0) c.say('msg.noResults', { query }, 'error');
  else c.message = null;
}

function submit(c: Ctx, text: string): void {
  const m = QTY_PREFIX.exec(text.trim());
  const qty = m ? Number(m[1]) : (c.pendingQty ?? 1);
  const query = (m ? m[2] : text).trim();
  // A scanned internal code with letters lands here too: the catalog knows it exactly.
  const direct = c.store.resolveScan(query);
  if (direct.kind === 'line') {
    c.screen = SALE;
    return c.scan(query, qty);
  }
  const s = c.screen.mode === 'search' ? c.screen.search : null;
  if (!s || !s.fresh || s.query.trim() !== query) {
    // Enter before the results showed: show them, add nothing the cashier has not seen.
    c.screen = { mode: 'search', search: { query, results: [], selected: 0, fresh: false } };
    c.setInput(text);
    return runSearch(c);
  }
  const p = s.results[s.selected];
  if (!p) {
    c.setInput(text);
    return c.say('msg.noResults', { query }, 'error');
  }
  if (p.weighed) {
    if ((c.settings.weighManual ?? 'never') === 'never') {
      c.setInput(text);
      return c.say('msg.needsScale', { name: p.name }, 'error');
    }
    c.screen = SALE;
    return askWeight(c, p);
  }
  c.screen = SALE;
  c.pendingQty = null;
  addLine(c, lineFor(p, p.barcodes[0] ?? null), qty);
}

export const searchMode: ModeHandler = {
  submit,
  edit(c, text) {
    if (c.screen.mode !== 'search') return;
    const query = QTY_PREFIX.exec(text)?.[2] ?? text;
    if (query.trim() === '') c.screen = SALE;
    else {
      c.screen = { mode: 'search', search: { ...c.screen.search, query, fresh: false } };
      scheduleSearch(c);
    }
  },
  command(c, cmd) {
    if (cmd === 'clearInput') {
      c.clearInput();
      c.screen = SALE;
    }
  },
  cancel(c) {
    c.screen = SALE;
    c.clearInput();
  },
};
