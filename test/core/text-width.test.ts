// The fast column count must agree with string-width wherever it answers by itself, and hand
// everything else (emoji, combining marks, control characters) to string-width.
import { describe, expect, it } from 'vitest';
import stringWidth from 'string-width';
import { textWidth } from '../../src/core/text-width.js';

// Every BMP character the fast path measures itself (it answers alone for a one-character string
// only when that character is in its set; the others are compared too, through the fallback).
const bmp = Array.from({ length: 0x10000 }, (_, cp) => cp).filter((cp) => cp < 0xd800 || cp > 0xdfff);

describe('textWidth', () => {
  it('agrees with string-width on every BMP character, alone and after a letter or a CJK character', () => {
    const diffs: string[] = [];
    for (const cp of bmp) {
      const ch = String.fromCharCode(cp);
      for (const s of [ch, `a${ch}`, `字${ch}`, `${ch}b`]) {
        for (const ambiguousIsNarrow of [true, false]) {
          const want = stringWidth(s, { ambiguousIsNarrow });
          const got = textWidth(s, { ambiguousIsNarrow });
          if (got !== want) diffs.push(`U+${cp.toString(16).padStart(4, '0')} in ${JSON.stringify(s)} (ambiguousIsNarrow ${ambiguousIsNarrow}): ${got}, string-width says ${want}`);
        }
      }
      if (diffs.length > 20) break;
    }
    expect(diffs).toEqual([]);
  });

  it('measures what a till shows: CJK names, prices, box drawing, styled text', () => {
    expect(textWidth('可口可乐 500ml')).toBe(14);
    expect(textWidth('￥3.50')).toBe(6);
    expect(textWidth('│ 总部未配置 │')).toBe(14);
    expect(textWidth('\x1b[1m小计\x1b[22m ¥12.00')).toBe(11);
    expect(textWidth('')).toBe(0);
  });

  it('gives emoji, joiners, combining marks and control characters to string-width', () => {
    for (const s of ['👍🏽 好', '👨‍👩‍👧', '1️⃣', 'é', '❤️', 'a\tb', 'ᄀ각', '\u{20000}字']) expect(textWidth(s)).toBe(stringWidth(s));
  });
});
