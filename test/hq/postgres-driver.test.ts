// The PostgreSQL driver sends BEGIN together with a transaction's first statement, as plain
// SQL, only when every value is something that cannot break out of a literal.
import { describe, expect, it } from 'vitest';
import { inlineLiterals } from '../../src/hq/storage/postgres.js';

describe('inlineLiterals', () => {
  it('inlines numbers and simple tokens (a hex hash, an ISO time) in placeholder order', () => {
    expect(inlineLiterals('SELECT hwm FROM t WHERE a = $1 AND b = $2 AND c = $10', [42, 'ab12ef', 3, 4, 5, 6, 7, 8, 9, '2026-01-01T08:00:00.000Z'])).toBe(
      "SELECT hwm FROM t WHERE a = 42 AND b = 'ab12ef' AND c = '2026-01-01T08:00:00.000Z'",
    );
  });

  it('refuses anything that could end or escape a literal, or is not a plain value', () => {
    for (const bad of ["x' OR '1'='1", 'a\\b', 'two words', '可乐', null, 1.5, Number.MAX_SAFE_INTEGER + 1, true, { a: 1 }]) {
      expect(inlineLiterals('SELECT $1', [bad])).toBeNull();
    }
  });
});
