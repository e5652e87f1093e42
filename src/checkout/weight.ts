// A weight typed at the checkout for a weighed product without a scale label (config
// weigh.manual): grams ("350", "350g") or kilograms ("0.35kg", "1.2 kg"), read without floats.

/** The heaviest weight one line may carry (99.999 kg). */
export const MAX_GRAMS = 99_999;

/** Grams from what the cashier typed, or null when it is no weight. */
export function parseWeight(input: string): number | null {
  const s = input.trim().toLowerCase();
  const g = /^(\d{1,5})\s*(g|克)?$/.exec(s);
  let grams: number | null = null;
  if (g) grams = Number(g[1]);
  const kg = /^(\d{1,2})?(?:\.(\d{1,3}))?\s*(kg|公斤|千克)$/.exec(s);
  if (kg && (kg[1] !== undefined || kg[2] !== undefined)) grams = Number(kg[1] ?? 0) * 1000 + Number((kg[2] ?? '').padEnd(3, '0'));
  if (grams === null || grams < 1 || grams > MAX_GRAMS) return null;
  return grams;
}
