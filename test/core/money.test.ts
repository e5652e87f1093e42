import { describe, expect, it } from 'vitest';
import { divRoundHalfUp, formatFen, formatYuan, parsePercent, parseYuan, percentOfFen, weighedLineFen } from '../../src/core/money.js';

describe('parseYuan: prices typed as yuan become integer fen without floats', () => {
  it.each([
    ['12', 1200],
    ['12.5', 1250],
    ['12.50', 1250],
    ['¥12.50', 1250],
    ['￥ 0.99', 99],
    [' 3.5 ', 350],
    ['0.1', 10],
    ['0.07', 7],
    ['1.10', 110],
    ['19.99', 1999],
    ['4.35', 435], // 4.35 * 100 = 434.99999999999994 in floating point
    ['8元', 800],
    ['0', 0],
  ])('%s → %i fen', (input, fen) => {
    expect(parseYuan(input)).toBe(fen);
  });

  it.each([
    ['1.234', /more than two decimals/],
    ['abc', /type an amount in yuan/],
    ['1e3', /scientific notation/],
    ['-5', /cannot be negative/],
    ['', /empty/],
    ['1,234.50', /thousands separator/],
    ['12.3.4', /type an amount/],
    ['999999999999', /too large/],
  ])('rejects %j with a reason', (input, reason) => {
    expect(() => parseYuan(input)).toThrow(reason);
  });

  it('accepts negative amounts only when asked (refunds, adjustments)', () => {
    expect(parseYuan('-2.50', { allowNegative: true })).toBe(-250);
  });
});

describe('formatting fen', () => {
  it.each([
    [0, '0.00'],
    [5, '0.05'],
    [1350, '13.50'],
    [-5, '-0.05'],
    [123456789, '1234567.89'],
  ])('%i → %s', (fen, text) => expect(formatFen(fen)).toBe(text));

  it('writes the yuan sign before the sign-less amount', () => {
    expect(formatYuan(1350)).toBe('¥13.50');
    expect(formatYuan(-250)).toBe('-¥2.50');
  });

  it('refuses a float amount instead of printing a wrong receipt', () => {
    expect(() => formatFen(12.5)).toThrow(/integer number of fen/);
  });
});

describe('one rounding rule: half-up', () => {
  it.each([
    [5, 10, 1], // 0.5 → 1
    [4, 10, 0],
    [15, 10, 2],
    [25, 10, 3],
    [-5, 10, -1], // ties away from zero
    [1, 3, 0],
    [2, 3, 1],
  ])('%i / %i → %i', (n, d, q) => expect(divRoundHalfUp(n, d)).toBe(q));

  it('prices a weighed line: 6.98/kg × 1.234 kg = 8.61', () => {
    expect(weighedLineFen(698, 1234)).toBe(861); // 861.332
    expect(weighedLineFen(1280, 500)).toBe(640);
    expect(weighedLineFen(999, 1500)).toBe(1499); // 1498.5 rounds up
  });

  it('takes a percentage in basis points: 12.5% of 9.99 = 1.25', () => {
    expect(percentOfFen(999, 1250)).toBe(125); // 124.875
    expect(parsePercent('12.5%')).toBe(1250);
    expect(parsePercent('10')).toBe(1000);
    expect(() => parsePercent('120')).toThrow(/above 100/);
    expect(() => parsePercent('ten')).toThrow(/percentage/);
  });
});
