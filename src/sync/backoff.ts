// Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff and
// Jitter"): the n-th retry waits a uniformly random time in [0, min(cap, base·2ⁿ)], so a
// thousand tills coming back after an outage spread out instead of arriving together.
// A server's Retry-After is a floor: never come back sooner than HQ asked.

export interface BackoffOptions {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 250, capMs: 60_000 };

/** Delay before retry number `attempt` (0 for the first retry). */
export function backoffDelay(attempt: number, o: BackoffOptions = DEFAULT_BACKOFF, retryAfterMs?: number, random: () => number = Math.random): number {
  const ceiling = Math.min(o.capMs, o.baseMs * 2 ** Math.min(attempt, 30));
  const jittered = Math.floor(random() * ceiling);
  return retryAfterMs !== undefined ? Math.max(jittered, Math.min(retryAfterMs, 10 * o.capMs)) : jittered;
}

/** Resolves after ms, or at once when the signal aborts (never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted || ms <= 0) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
