// Remembers the line each code was first seen on, to reject a code repeated in one file.
// A million barcodes in a Map<string, number> cost ~60 MB; digit-only codes (nearly all
// barcodes) go into an open-addressing table of typed arrays instead: 12 bytes a slot, sized
// from the expected count rather than to a power of two (1M codes: 18 MB instead of 25 MB).

export class SeenCodes {
  private keys: Float64Array;
  private lines: Int32Array;
  private used = 0;
  private other = new Map<string, number>();

  /** `expected`: about how many codes will come, so the table need not grow (a growth holds both tables at once). */
  constructor(expected = 0) {
    const size = Math.max(1 << 12, Math.ceil(expected / MAX_LOAD) + 1);
    this.keys = new Float64Array(size);
    this.lines = new Int32Array(size);
  }

  /** Records `code` at `line` and returns undefined, or returns the line it was first seen on. */
  firstSeen(code: string, line: number): number | undefined {
    const key = numericKey(code);
    if (key === 0) {
      const prev = this.other.get(code);
      if (prev === undefined) this.other.set(code, line);
      return prev;
    }
    if (this.used + 1 > this.keys.length * MAX_LOAD) this.grow();
    const size = this.keys.length;
    for (let i = slot(key, size); ; i = i + 1 === size ? 0 : i + 1) {
      const k = this.keys[i];
      if (k === 0) {
        this.keys[i] = key;
        this.lines[i] = line;
        this.used++;
        return undefined;
      }
      if (k === key) return this.lines[i];
    }
  }

  /** The line `code` was first seen on, without recording it. */
  get(code: string): number | undefined {
    const key = numericKey(code);
    if (key === 0) return this.other.get(code);
    const size = this.keys.length;
    for (let i = slot(key, size); ; i = i + 1 === size ? 0 : i + 1) {
      const k = this.keys[i];
      if (k === 0) return undefined;
      if (k === key) return this.lines[i];
    }
  }

  private grow(): void {
    const keys = this.keys;
    const lines = this.lines;
    const size = keys.length * 2;
    this.keys = new Float64Array(size);
    this.lines = new Int32Array(size);
    for (let j = 0; j < keys.length; j++) {
      const key = keys[j];
      if (key === 0) continue;
      let i = slot(key, size);
      while (this.keys[i] !== 0) i = i + 1 === size ? 0 : i + 1;
      this.keys[i] = key;
      this.lines[i] = lines[j];
    }
  }
}

/** Linear probing stays short up to here. */
const MAX_LOAD = 0.7;

/**
 * 1–14 digits → a positive number that also encodes the length ("0123" ≠ "123"); anything
 * else → 0 (kept in the Map).
 */
function numericKey(code: string): number {
  const n = code.length;
  if (n === 0 || n > 14) return 0;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const d = code.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return 0;
    v = v * 10 + d;
  }
  return v * 16 + n;
}

/** The key's first slot in a table of `size`: a 32-bit hash scaled to the size (no modulo). */
function slot(key: number, size: number): number {
  const lo = key % 4294967296 | 0;
  const hi = (key / 4294967296) | 0;
  const h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b) ^ (lo >>> 15);
  return Math.floor(((h >>> 0) * size) / 4294967296);
}
