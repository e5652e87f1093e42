// The options several commands share (whole numbers, prices, encodings, CSV import options,
// ports and durations) are defined once in src/commands/options.ts: a bad value is a usage
// error, exit 2, in one line that says what to type, before anything is opened or written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initTillHome, removeDir, till } from '../helpers/till.js';

let home: string;
beforeAll(() => {
  home = initTillHome();
});
afterAll(() => removeDir(home));

describe('a bad option value', () => {
  it.each([
    [['products', 'list', '--limit', '0'], '--limit takes a whole number above 0, got "0".'],
    [['hq', 'sales', 'list', '--limit', 'ten'], '--limit takes a whole number above 0, got "ten".'],
    [['simulate', 'sales', '--count', '0'], '--count takes a whole number from 1 to 1000000, got "0".'],
    [['demo', '--products', '-5'], '--products takes a whole number above 0, got "-5".'],
    [['sync', '--timeout', '1.5'], '--timeout takes a whole number above 0, got "1.5".'],
    [['hq', 'serve', '--pool', '0'], '--pool takes a whole number above 0, got "0".'],
    [['hq', 'catalog', 'compact', '--older-than', 'x'], '--older-than takes a whole number above 0, got "x".'],
    [['hq', 'serve', '--port', '99999'], '--port takes a port number 0–65535, got "99999".'],
    [['hq', 'enroll-code', '--store', 'S001', '--till', 'T01', '--ttl', '5x'], '--ttl takes a duration such as 30m, 24h or 7d, got "5x".'],
    [['products', 'add', '--name', 'x', '--price', 'abc'], '--price: "abc" is not a valid price'],
    [['products', 'update', '6901234567892', '--price', '1.234'], '--price: "1.234" is not a valid price'],
    [['hq', 'products', 'add', '--name', 'x', '--price', '-1'], '--price: "-1" is not a valid price'],
    [['products', 'import', 'x.csv', '--encoding', 'latin1'], '--encoding takes auto, utf-8 or gb18030 (GBK files too), got "latin1".'],
    [['hq', 'products', 'import', 'x.csv', '--encoding', 'latin1'], '--encoding takes auto, utf-8 or gb18030 (GBK files too), got "latin1".'],
    [['products', 'import', 'x.csv', '--delimiter', 'ab'], '--delimiter takes one character'],
    [['hq', 'products', 'import', 'x.csv', '--map', '{'], '--map takes a JSON object'],
    [['products', 'export', '--encoding', 'gb18030', '--bom'], '--bom is for UTF-8 files and Excel reads GB18030 without one: drop --bom'],
    [['print', 'test', '--width', '57'], '--width: paper width is 58 or 80 (mm), got "57".'],
  ])('%j exits 2 with what to type', (args, message) => {
    const r = till(home, args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toBe('');
  });
});
