// `till sales voids`: the voids journal read back by period, as a table or JSON.
import { afterAll, describe, expect, test } from 'vitest';
import { voidOf } from '../../src/checkout/voids.js';
import { EMPTY_CART, reduceCart } from '../../src/core/cart.js';
import { openDatabase } from '../../src/db/open.js';
import { recordVoid } from '../../src/db/voids.js';
import { dbPath } from '../../src/home.js';
import { initTillHome, removeDir, till } from '../helpers/till.js';

const home = initTillHome();
afterAll(() => removeDir(home));

describe('till sales voids', () => {
  test('nothing voided: says so; then one void per day, filtered by --from/--to', () => {
    const empty = till(home, ['sales', 'voids']);
    expect(empty.code).toBe(0);
    expect(empty.stderr).toContain('No voids in that period.');
    const r = reduceCart(EMPTY_CART, { type: 'addLine', line: { productId: null, barcode: '6901234567892', name: '可口可乐500ml', unitPriceFen: 350 }, qty: 2 }, { discountLimitBp: 1000 });
    if (!r.ok) throw new Error('cart');
    const db = openDatabase(dbPath(home));
    db.transaction(() => {
      recordVoid(db, voidOf('sale-cancelled', r.state, { cashierId: '1001', approverId: null }, new Date('2026-12-01T10:00:00+08:00')));
      recordVoid(db, voidOf('line-removed', r.state, { cashierId: '1001', approverId: '9001' }, new Date('2026-12-02T10:00:00+08:00'), 0));
    })();
    db.close();
    const all = JSON.parse(till(home, ['sales', 'voids', '--json']).stdout);
    expect(all.map((v: { kind: string; amountFen: number; businessDate: string }) => [v.kind, v.amountFen, v.businessDate])).toEqual([
      ['sale-cancelled', 700, '2026-12-01'],
      ['line-removed', 700, '2026-12-02'],
    ]);
    const one = JSON.parse(till(home, ['sales', 'voids', '--from', '2026-12-02', '--to', '2026-12-02', '--json'], { env: { TZ: 'Asia/Shanghai' } }).stdout);
    expect(one.map((v: { kind: string }) => v.kind)).toEqual(['line-removed']);
    const table = till(home, ['sales', 'voids']);
    expect(table.stdout).toContain('line-removed');
    expect(table.stdout).toContain('2 voids, 14.00');
  });
});
