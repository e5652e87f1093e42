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
 *
 * TurboFan without inlining: the optimizing compiler runs on V8's worker threads, and each of
 * them allocates its compile's working memory (graph, register allocation: several MB for Ink's
 * ANSI line builders) from its own glibc malloc arena. The arenas keep that memory after the
 * compile — once the sign-in's scrypt (a 16 MB buffer) has raised glibc's trim threshold to
 * 32 MB, for the life of the process. Measured on the 10,000-scan shift: the worker arenas held
 * 13–16 MiB with inlining and 6.5–8 MiB without; a frame costs about the same (within 5–8 %,
 * the hot functions are still optimized). Turning TurboFan off altogether (--no-opt) saves
 * another ~6 MiB but doubles the frame time, so it stays on.
 * Measured in bench/checkout.bench.ts (the 10,000-scan shift).
 */
export function keepHeapSmall(): void {
  for (const flag of ['--semi-space-growth-factor=1', '--heap-growing-percent=20', '--no-turbo-inlining']) {
    try {
      setFlagsFromString(flag);
    } catch {
      // An engine without this flag keeps its default.
    }
  }
}
