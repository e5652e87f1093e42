// Calendar days as people type them (YYYY-MM-DD), and the business day an instant belongs to.
// One parser for every --from/--to at the till and at HQ (CLI options and HTTP query
// parameters): a day either exists in the proleptic Gregorian calendar or is refused, never
// rolled over into another one the way `new Date(2026, 1, 31)` rolls into March.

/** A calendar day: year 1–9999, month 1–12, day 1–28..31. */
export interface Day {
  y: number;
  m: number;
  d: number;
}

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

export function daysInMonth(y: number, m: number): number {
  return m === 2 ? (isLeapYear(y) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;
}

/** The day `text` names (exactly YYYY-MM-DD), or null when it is malformed or no real day. */
export function parseDay(text: string): Day | null {
  const m = DAY_RE.exec(text);
  if (!m) return null;
  const day = { y: Number(m[1]), m: Number(m[2]), d: Number(m[3]) };
  if (day.y < 1 || day.m < 1 || day.m > 12 || day.d < 1 || day.d > daysInMonth(day.y, day.m)) return null;
  return day;
}

export function formatDay(day: Day): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(day.y, 4)}-${p(day.m)}-${p(day.d)}`;
}

/** An instant as this machine's local time, the way every `--from/--to` is typed: 2026-12-04 20:01:56. */
export function formatLocalTime(instant: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${formatDay({ y: instant.getFullYear(), m: instant.getMonth() + 1, d: instant.getDate() })} ${p(instant.getHours())}:${p(instant.getMinutes())}:${p(instant.getSeconds())}`;
}

/** The day after (31 Dec → 1 Jan of the next year). */
export function nextDay(day: Day): Day {
  if (day.d < daysInMonth(day.y, day.m)) return { ...day, d: day.d + 1 };
  if (day.m < 12) return { y: day.y, m: day.m + 1, d: 1 };
  return { y: day.y + 1, m: 1, d: 1 };
}

/** A store's day: its time zone (IANA) and the local time of day at which a new business day starts. */
export interface BusinessDayRule {
  timeZone: string;
  /** Minutes after local midnight (04:00 → 240); sales before it belong to the day before. */
  cutoffMinutes: number;
}

export const DEFAULT_BUSINESS_DAY: BusinessDayRule = { timeZone: 'Asia/Shanghai', cutoffMinutes: 4 * 60 };

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    // Throws RangeError for a zone the runtime does not know: a config error worth seeing.
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The local calendar day and minute of day of `instant` in `timeZone`. */
export function localDayAndMinute(instant: Date, timeZone: string): { day: Day; minute: number } {
  const parts: Record<string, string> = {};
  for (const p of formatterFor(timeZone).formatToParts(instant)) parts[p.type] = p.value;
  return { day: { y: Number(parts.year), m: Number(parts.month), d: Number(parts.day) }, minute: Number(parts.hour) * 60 + Number(parts.minute) };
}

/** The business day (YYYY-MM-DD) in which `instant` happened at a store with `rule`. */
export function businessDayOf(instant: Date, rule: BusinessDayRule = DEFAULT_BUSINESS_DAY): string {
  // The local day of the instant `cutoffMinutes` earlier is the business day (near a DST change
  // that moves the cutoff by the shift, which no store's 04:00 cutoff meets in practice).
  const { day } = localDayAndMinute(new Date(instant.getTime() - rule.cutoffMinutes * 60_000), rule.timeZone);
  return formatDay(day);
}
