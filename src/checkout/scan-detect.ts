// Telling a scan from typing. A USB scanner types a whole code and its Enter within a few
// milliseconds, so the terminal hands them over in one chunk; a person's keys arrive one by one.
// A line is scanned when the part of it that came with its Enter in one chunk is a few
// characters long (a burst), or when it ends in a code no person types by hand: a GTIN of 12 or
// 13 digits with a right check digit, or a payment code. Used so that a scan is a scan in every
// mode: never an answer to a dialog, never glued to a search's text (issue 11, findings 1 and 7).
import { hasValidCheckDigit, paymentCodeKind } from '../core/barcode.js';

/**
 * Characters that must arrive together with their Enter to count as a scanner burst. A fast
 * typist's last few keys can reach the terminal in one read with their Enter, so where a false
 * "scan" would cost typed text (a search) the bar is higher than where it costs one retyped
 * answer (a dialog, which must never take a scan as its answer).
 */
export const BURST_MIN_CHARS = { dialog: 4, search: 8 } as const;

/**
 * The scanned code at the end of `line`, or null when the line was typed. `burst` is the part
 * of the line that arrived in the same chunk as its Enter.
 */
export function scannedCode(line: string, burst: string, minBurst: number = BURST_MIN_CHARS.dialog): string | null {
  const b = burst.trim();
  if (b.length >= minBurst && !/\s/.test(b)) return b.replace(/^\d{1,4}\*/, '');
  // A scan split over several chunks: a code a person does not type, at the end of the line.
  const m = /(\d{12,24})$/.exec(line.trim());
  if (!m) return null;
  const digits = m[1];
  for (const n of [24, 23, 22, 21, 20, 19, 18, 17, 16]) {
    if (digits.length >= n && paymentCodeKind(digits.slice(-n))) return digits.slice(-n);
  }
  for (const n of [13, 12]) {
    if (digits.length >= n && hasValidCheckDigit(digits.slice(-n))) return digits.slice(-n);
  }
  return null;
}
