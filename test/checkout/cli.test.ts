// The checkout's command line: `till` alone opens the checkout only on a terminal, and without
// one says what to do instead of hanging.
import { afterAll, describe, expect, test } from 'vitest';
import { initTillHome, removeDir, till } from '../helpers/till.js';

const home = initTillHome();
afterAll(() => removeDir(home));

describe('till checkout from the command line', () => {
  test('`till` with no command and no terminal prints the help and exits 0', () => {
    const r = till(home, []);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: till');
    expect(r.stdout).toContain('checkout');
    expect(r.stdout).toContain('simulate');
  });

  test('`till checkout` without a terminal fails at once with a usage error', () => {
    const r = till(home, ['checkout']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('till: The checkout needs a terminal: run `till checkout` in a terminal window (stdin and stdout must not be pipes).');
  });

  test('an unknown command is a usage error, not the checkout', () => {
    const r = till(home, ['chekout']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Unknown command "chekout"');
  });
});
