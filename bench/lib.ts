// Shared helpers for benchmarks: timing, medians, and the one line format every figure uses:
//   <name>: <value> <unit> | baseline <value> <unit> (<what>) | ratio <r> (budget ≤ <b>) OK/OVER
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BIN = `${ROOT}bin/till.js`;

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/** Wall time of one child process run, in ms. */
export function timeCommand(cmd: string, args: string[], env: Record<string, string> = {}): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: 'ignore', env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

/** Runs a and b alternately n times (so drift hits both alike) and returns both medians. */
export function interleaved(n: number, a: () => number, b: () => number): [number, number] {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < n; i++) {
    xs.push(a());
    ys.push(b());
  }
  return [median(xs), median(ys)];
}

const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3));

/**
 * Prints one figure. `budget` is the largest acceptable ratio value/baseline (or, with
 * `higherIsBetter`, the smallest acceptable ratio).
 */
export function report(o: {
  name: string;
  value: number;
  unit: string;
  baseline: number;
  baselineName: string;
  budget?: number;
  higherIsBetter?: boolean;
}): void {
  const ratio = o.value / o.baseline;
  let verdict = '';
  if (o.budget !== undefined) verdict = (o.higherIsBetter ? ratio >= o.budget : ratio <= o.budget) ? ' OK' : ' OVER BUDGET';
  const b = o.budget === undefined ? '' : ` (budget ${o.higherIsBetter ? '≥' : '≤'} ${o.budget})`;
  process.stdout.write(`${o.name}: ${fmt(o.value)} ${o.unit} | baseline ${fmt(o.baseline)} ${o.unit} (${o.baselineName}) | ratio ${ratio.toFixed(2)}${b}${verdict}\n`);
}

/** Prints a figure that has an absolute limit rather than a baseline. */
export function reportAbsolute(o: { name: string; value: number; unit: string; limit?: number; note?: string }): void {
  const verdict = o.limit === undefined ? '' : o.value <= o.limit ? ` (limit ${fmt(o.limit)}) OK` : ` (limit ${fmt(o.limit)}) OVER`;
  process.stdout.write(`${o.name}: ${fmt(o.value)} ${o.unit}${verdict}${o.note ? ` — ${o.note}` : ''}\n`);
}
