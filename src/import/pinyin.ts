// Pinyin initials for bulk imports, equal to `pinyinInitials` (src/core/pinyin.ts) but without
// one pinyin-pro call per name (~15 µs each: 15 s per million products).
//
// Why the pieces are safe to compute apart:
// - ASCII never joins a Chinese word, so a name splits at ASCII into runs that pinyin-pro
//   reads independently; ASCII letters and digits come out as themselves, lower-cased.
// - A run seen before (brands, product words: "可口可乐", "红烧牛肉面") comes from a cache.
// - A new run made only of characters whose every reading starts with the same letter
//   ("可" k, "号" h) is spelled from a per-character table; a run with a polyphone ("乐" l/y,
//   "行" x/h) goes to pinyin-pro, whose word segmentation picks the reading.
// test/import/pinyin.test.ts checks the result against `pinyinInitials`. One known difference:
// pinyin-pro breaks near-ties in its max-probability segmentation with floating-point noise
// that depends on the whole string, so a nonsense run of polyphones may read differently
// with or without unrelated Latin text after it ("重重重一一" → zccyy, "重重重一一L" →
// cczyy). No real product name seen so far does this; both spellings are readings pinyin-pro
// gives the run.
import { polyphonic } from 'pinyin-pro';
import { pinyinInitials } from '../core/pinyin.js';

/** Marks a character with readings that start with different letters. */
const POLY = '\u0000';
const RUN_CACHE_LIMIT = 100_000;

export class InitialsCache {
  private runs = new Map<string, string>();
  private chars = new Map<string, string>();

  initials(name: string): string {
    let out = '';
    let runStart = -1;
    for (let i = 0; i < name.length; i++) {
      const c = name.charCodeAt(i);
      if (c < 128) {
        if (runStart >= 0) {
          out += this.run(name.slice(runStart, i));
          runStart = -1;
        }
        if (c >= 97 && c <= 122) out += name[i];
        else if ((c >= 48 && c <= 57)) out += name[i];
        else if (c >= 65 && c <= 90) out += String.fromCharCode(c + 32);
      } else if (runStart < 0) runStart = i;
    }
    if (runStart >= 0) out += this.run(name.slice(runStart));
    return out;
  }

  private run(run: string): string {
    let hit = this.runs.get(run);
    if (hit !== undefined) return hit;
    hit = this.spell(run) ?? pinyinInitials(run);
    if (this.runs.size >= RUN_CACHE_LIMIT) this.runs.clear();
    this.runs.set(run, hit);
    return hit;
  }

  /** Initials from the per-character table, or undefined when the run holds a polyphone. */
  private spell(run: string): string | undefined {
    let out = '';
    for (const ch of run) {
      let v = this.chars.get(ch);
      if (v === undefined) {
        v = this.classify(ch);
        this.chars.set(ch, v);
      }
      if (v === POLY) return undefined;
      out += v;
    }
    return out;
  }

  private classify(ch: string): string {
    const readings = polyphonic(ch, { pattern: 'first', toneType: 'none', type: 'array' })[0] ?? [];
    const initials = new Set(readings.map((r) => r.toLowerCase().replace(/[^a-z0-9]/g, '')));
    return initials.size === 1 ? [...initials][0] : POLY;
  }
}
