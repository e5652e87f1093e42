// The status bar's figures: sync state and sales waiting (from the background sync, or the
// outbox), held sales. Polled on a timer, never on the scan path.
import type { Ctx } from './modes/context.js';

/** Re-reads sync and suspended figures; true if anything changed. */
export function refreshStatus(c: Ctx): boolean {
  let online: boolean | null = null;
  let pending = 0;
  let conflicts = 0;
  let quarantined = 0;
  try {
    const bg = c.settings?.background;
    if (bg) {
      const b = bg.status();
      ({ online, pending } = b);
      conflicts = b.conflicts ?? 0;
      quarantined = b.quarantined ?? 0;
    } else pending = c.store.pendingCount();
  } catch {
    online = false;
  }
  const suspended = c.store.countSuspended();
  const s = c.status;
  if (s.online === online && s.pending === pending && s.conflicts === conflicts && s.quarantined === quarantined && s.suspended === suspended) return false;
  c.status = { ...s, online, pending, conflicts, quarantined, suspended };
  return true;
}

/** Polls `refreshStatus` every `everyMs`; returns the stop function. */
export function pollStatus(c: Ctx, everyMs: number): () => void {
  if (everyMs <= 0) return () => {};
  const timer = setInterval(() => {
    try {
      if (refreshStatus(c)) c.emit();
    } catch {
      // The status bar keeps its last figures; the next tick tries again.
    }
  }, everyMs);
  timer.unref?.();
  return () => clearInterval(timer);
}
