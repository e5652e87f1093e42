import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { businessDayOf, formatDay, nextDay, parseDay } from '../../src/core/dates.js';

const MS_DAY = 86_400_000;

describe('calendar days typed as YYYY-MM-DD', () => {
  it('every real day from 1900 to 2100 parses, prints back the same, and its next day is the calendar next day', () => {
    let n = 0;
    for (let t = Date.UTC(1900, 0, 1); t <= Date.UTC(2100, 11, 31); t += MS_DAY) {
      const text = new Date(t).toISOString().slice(0, 10);
      const day = parseDay(text);
      expect(day, text).not.toBeNull();
      expect(formatDay(day!)).toBe(text);
      expect(formatDay(nextDay(day!))).toBe(new Date(t + MS_DAY).toISOString().slice(0, 10));
      n++;
    }
    expect(n).toBe(73_414);
  });

  it('no unreal day parses: month 0 or 13, day 0, day past the month, 29 Feb outside leap years', () => {
    for (const bad of ['2026-02-31', '2026-11-45', '2026-13-01', '2026-00-10', '2026-04-31', '2026-06-00', '1900-02-29', '2100-02-29', '2026-02-29'])
      expect(parseDay(bad), bad).toBeNull();
    for (const good of ['2000-02-29', '2024-02-29', '2026-12-31', '2026-01-31']) expect(parseDay(good), good).not.toBeNull();
  });

  it('anything that is not exactly YYYY-MM-DD is refused', () => {
    for (const bad of ['', '2026-1-05', '2026/01/05', ' 2026-01-05', '2026-01-05T00:00', '20260105', '2026-01-05\n', 'yyyy-mm-dd'])
      expect(parseDay(bad), JSON.stringify(bad)).toBeNull();
  });

  it('a day parses exactly when Date.UTC gives back the same year, month and day (random strings of the shape)', () => {
    const digits = (n: number) => fc.stringMatching(new RegExp(`^\\d{${n}}$`));
    fc.assert(
      fc.property(digits(4), digits(2), digits(2), (y, m, d) => {
        const text = `${y}-${m}-${d}`;
        const dt = new Date(Date.UTC(2000, Number(m) - 1, Number(d)));
        dt.setUTCFullYear(Number(y));
        const real = Number(y) >= 1 && dt.getUTCFullYear() === Number(y) && dt.getUTCMonth() === Number(m) - 1 && dt.getUTCDate() === Number(d);
        expect(parseDay(text) !== null).toBe(real);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('the business day of a sale', () => {
  it('in Shanghai with a 04:00 cutoff, 03:59 belongs to the day before and 04:00 to the day itself', () => {
    // 2026-12-31 03:59 in Shanghai is 2026-12-30 19:59 UTC.
    expect(businessDayOf(new Date('2026-12-30T19:59:00Z'))).toBe('2026-12-30');
    expect(businessDayOf(new Date('2026-12-30T20:00:00Z'))).toBe('2026-12-31');
    // New Year's night: 01:30 on 1 January still counts for 31 December.
    expect(businessDayOf(new Date('2026-12-31T17:30:00Z'))).toBe('2026-12-31');
  });

  it('follows the store time zone and cutoff', () => {
    expect(businessDayOf(new Date('2026-06-01T02:00:00Z'), { timeZone: 'UTC', cutoffMinutes: 0 })).toBe('2026-06-01');
    expect(businessDayOf(new Date('2026-06-01T02:00:00Z'), { timeZone: 'UTC', cutoffMinutes: 180 })).toBe('2026-05-31');
  });
});
