// When cash tendered needs a second look: a typo of 99999 for a ¥16.30 sale must not complete
// at once with ¥99,982.70 of change (issue 11, finding 5).

const HUNDRED_YUAN = 10000;

/**
 * The most change a cash tender gives without asking. Configured (tender.maxChange), or by
 * default: ¥100, or the due amount rounded up to ¥100 when that is more (a ¥350 sale paid with
 * ¥500 is ordinary).
 */
export function changeBoundFen(dueFen: number, configuredFen?: number): number {
  if (configuredFen !== undefined) return configuredFen;
  return Math.max(HUNDRED_YUAN, Math.ceil(dueFen / HUNDRED_YUAN) * HUNDRED_YUAN);
}

/** True when tendering `tenderedFen` in cash against `dueFen` must be confirmed first. */
export function changeNeedsConfirm(tenderedFen: number, dueFen: number, configuredFen?: number): boolean {
  return tenderedFen - dueFen > changeBoundFen(dueFen, configuredFen);
}
