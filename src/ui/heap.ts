// Memory tuning for the checkout process (no Ink here: called before the screen loads).
import { setFlagsFromString } from 'node:v8';

/**
 * Ink redraws the whole screen on every frame (~0.4 MB of short-lived objects at 80×24). At that
 * rate V8 grows its young generation to the 64-bit default of 2 × 16 MB and lets the old one
 * run well ahead of what is live — together half of the till's memory, held all day. The young
 * generation's size can only be set when node starts, but V8 reads these two factors whenever it
 * would grow a space: the young generation stays at its starting size (a sub-millisecond
 * scavenge every couple of frames) and the old one grows 20% past what is live after each
 * collection. `till checkout` calls it first thing, before start-up grows the young generation.
 * Measured in bench/checkout.bench.ts (the 10,000-scan shift).
 */
export function keepHeapSmall(): void {
  try {
    setFlagsFromString('--semi-space-growth-factor=1');
    setFlagsFromString('--heap-growing-percent=20');
  } catch {
    // An engine without these flags keeps its defaults.
  }
}
