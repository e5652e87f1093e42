// A barcode repeated anywhere in a large file is refused with the line it first appeared on.
import { describe, expect, it } from 'vitest';
import { SeenCodes } from '../../src/import/seen.js';
import { demoBarcode } from '../../src/demo/catalog.js';

describe('SeenCodes', () => {
  it('finds a repeat after 200,000 other codes, with or without a size estimate', () => {
    for (const expected of [0, 200_000]) {
      const seen = new SeenCodes(expected);
      let repeats = 0;
      for (let i = 0; i < 200_000; i++) if (seen.firstSeen(demoBarcode(i), i + 2) !== undefined) repeats++;
      expect(repeats).toBe(0);
      expect(seen.firstSeen(demoBarcode(12_345), 999_999)).toBe(12_347);
      expect(seen.firstSeen(demoBarcode(199_999), 999_999)).toBe(200_001);
      expect(seen.get(demoBarcode(200_000))).toBeUndefined();
    }
  });

  it('keeps codes that differ only by leading zeros, or are not digits, apart', () => {
    const seen = new SeenCodes();
    expect(seen.firstSeen('123', 2)).toBeUndefined();
    expect(seen.firstSeen('0123', 3)).toBeUndefined();
    expect(seen.firstSeen('00123', 4)).toBeUndefined();
    expect(seen.firstSeen('A-123', 5)).toBeUndefined();
    expect(seen.firstSeen('123456789012345678', 6)).toBeUndefined();
    expect([seen.get('123'), seen.get('0123'), seen.get('00123'), seen.get('A-123'), seen.get('123456789012345678')]).toEqual([2, 3, 4, 5, 6]);
  });
});
