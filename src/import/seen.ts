// Remembers the line each code was first seen on, to reject a code repeated in one file.
// A million barcodes in a Map<string, number> cost ~60 MB; digit-only codes (nearly all
// barcodes) go into an open-addressing table of typed arrays instead (~17–24 MB per million).

export class SeenCodes {
  private keys: Float64Array;
  private lines: Int32Array;
  private used = 0;
  private other = new Map<string, number>();

  /** `expected`: about how many codes will come, so the table need not grow (a growth holds both tables at once). */
  constructor(expected = 0) {
    let size = 1 << 12;
    while (size * MAX_LOAD < expected) size *= 2;
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
    const mask = this.keys.length - 1;
    for (let i = hash(key) & mask; ; i = (i + 1) & mask) {
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
    const mask = this.keys.length - 1;
    for (let i = hash(key) & mask; ; i = (i + 1) & mask) {
      const k = this.keys[i];
      if (k === 0) return undefined;
      if (k === key) return this.lines[i];
    }
  }

  private grow(): void {
    const keys = this.keys;
    const lines = this.lines;
    this.keys = new Float64Array(keys.length * 2);
    this.lines = new Int32Array(keys.length * 2);
    const mask = this.keys.length - 1;
    for (let j = 0; j < keys.length; j++) {
      const key = keys[j];
      if (key === 0) continue;
      let i = hash(key) & mask;
      while (this.keys[i] !== 0) i = (i + 1) & mask;
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

function hash(key: number): number {
  const lo = key % 4294967296 | 0;
  const hi = (key / 4294967296) | 0;
  return Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b) ^ (lo >>> 15);
}
