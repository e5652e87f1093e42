// Columns a string takes on a terminal or a receipt (a CJK character takes two).
//
// string-width is exact — it segments graphemes and knows emoji sequences — but loading it costs
// ~70 ms (an Intl.Segmenter and Unicode-property regexes are built when it loads) and its first
// non-ASCII string ~45 ms more: together a quarter of the checkout's start. Most text a till
// shows is made of characters that are each a grapheme of their own and never part of an emoji
// sequence: ASCII, Latin, Greek, Cyrillic, CJK, kana, Hangul syllables, fullwidth forms, box
// drawing. Such text is measured here one character at a time with get-east-asian-width, the
// table string-width itself uses, so the answer is the same (test/core/text-width.test.ts
// compares both over every such character). Anything else — emoji, joiners, variation selectors,
// combining marks, control characters, astral planes — goes to string-width, loaded on first need.
//
// The bundle (scripts/build.mjs) hands this module to every `import 'string-width'`, Ink's too.
import { createRequire } from 'node:module';
import { eastAsianWidth } from 'get-east-asian-width';
import stripAnsi from 'strip-ansi';

export interface WidthOptions {
  /** Count East Asian "ambiguous" characters as one column (string-width's default) or two. */
  ambiguousIsNarrow?: boolean;
  countAnsiEscapeCodes?: boolean;
}

/** Characters measured here: every one is a grapheme of its own, and none starts an emoji sequence. */
const SIMPLE =
  /^[\x20-\x7e\xa0-\xac\xae-\u02ff\u0370-\u0377\u037a-\u037f\u0384-\u038a\u038c\u038e-\u03a1\u03a3-\u0482\u048a-\u052f\u2010-\u2027\u2030-\u205e\u20a0-\u20c0\u2100-\u2189\u2190-\u23ff\u2440-\u244a\u2460-\u27bf\u27c0-\u2b73\u2e80-\u2e99\u2e9b-\u2ef3\u2f00-\u2fd5\u3000-\u3029\u3030-\u303f\u3041-\u3096\u309b-\u30ff\u3105-\u312f\u3131-\u3163\u3165-\u318e\u3190-\u31e3\u31f0-\u321e\u3220-\u4dbf\u4e00-\u9fff\ua000-\ua48c\uac00-\ud7a3\uf900-\ufa6d\ufe10-\ufe19\ufe30-\ufe52\ufe54-\ufe66\ufe68-\ufe6b\uff01-\uff9d\uffa1-\uffbe\uffe0-\uffe6\uffe8-\uffee]*$/;
const ASCII = /^[\x20-\x7e]*$/;

type StringWidth = (s: string, o?: WidthOptions) => number;
let exact: StringWidth | undefined;
function exactWidth(s: string, o: WidthOptions): number {
  exact ??= (createRequire(import.meta.url)('string-width') as { default: StringWidth }).default;
  return exact(s, o);
}

export function textWidth(input: string, options: WidthOptions = {}): number {
  if (typeof input !== 'string' || input.length === 0) return 0;
  if (ASCII.test(input)) return input.length;
  if (options.countAnsiEscapeCodes) return exactWidth(input, options);
  const s = input.includes('\x1b') || input.includes('\x9b') ? stripAnsi(input) : input;
  if (!SIMPLE.test(s)) return exactWidth(s, options);
  const ea = { ambiguousAsWide: options.ambiguousIsNarrow === false };
  let w = 0;
  for (let i = 0; i < s.length; i++) w += s.charCodeAt(i) < 0x7f ? 1 : eastAsianWidth(s.charCodeAt(i), ea);
  return w;
}

export default textWidth;
