// till simulate sales: random baskets rung up through the checkout's cart and commit code.
import { afterAll, describe, expect, test } from 'vitest';
import { simulateSales } from '../../src/checkout/simulate.js';
import { listSales } from '../../src/db/sales.js';
import { pendingCount } from '../../src/db/outbox.js';
import { removeDir, tempDir, till } from '../helpers/till.js';
import { storeDb } from './helpers.js';

const homes: string[] = [];
afterAll(() => homes.forEach(removeDir));

describe('simulate sales', () => {
  test('every simulated sale is a valid completed sale with its outbox row', () => {
    const db = storeDb();
    const summary = simulateSales(db, { count: 40, seed: 5, cashier: { id: '1001', name: '张三' }, policy: { discountLimitBp: 1000 } });
    const sales = listSales(db);
    expect(sales).toHaveLength(40);
    // 40 sales in the event stream, after the shift simulate opened for its cashier.
    expect(pendingCount(db)).toBe(41);
    expect((db.prepare("SELECT kind, count(*) AS n FROM outbox GROUP BY kind ORDER BY kind").all() as unknown[])).toEqual([
      { kind: 'sale', n: 40 },
      { kind: 'shift-open', n: 1 },
    ]);
    expect(summary.totalFen).toBe(sales.reduce((s, x) => s + x.totalFen, 0));
    for (const s of sales) {
      expect(s.status).toBe('completed');
      expect(s.lines.length).toBeGreaterThan(0);
      expect(s.totalFen).toBe(s.lines.reduce((a, l) => a + l.lineTotalFen, 0) - s.orderDiscountFen);
      expect(s.payments.reduce((a, p) => a + p.amountFen, 0)).toBe(s.totalFen);
    }
    // Weighed lines (scale labels), several payment methods, quantities above 1 all occur.
    expect(sales.some((s) => s.lines.some((l) => l.qtyGrams !== null))).toBe(true);
    expect(new Set(sales.flatMap((s) => s.payments.map((p) => p.method))).size).toBeGreaterThanOrEqual(3);
    expect(sales.some((s) => s.lines.some((l) => l.qty > 1))).toBe(true);
    // QR payments carry the customer's code, routed as a payment code.
    for (const p of sales.flatMap((s) => s.payments)) if (p.method === 'wechat' || p.method === 'alipay') expect(p.reference).toMatch(/^\d{18}$/);
  });

  test('the same seed on the same catalog rings the same baskets (CLI)', () => {
    const run = () => {
      const home = tempDir();
      homes.push(home);
      expect(till(home, ['demo', '--products', '300']).code).toBe(0);
      const r = till(home, ['simulate', 'sales', '--count', '25', '--seed', '11', '--json']);
      expect(r.code, r.stderr).toBe(0);
      const listed = till(home, ['sales', 'list', '--json']);
      expect(listed.code).toBe(0);
      return { summary: JSON.parse(r.stdout), sales: JSON.parse(listed.stdout) as Array<{ totalFen: number; lines: Array<{ name: string; qty: number }> }> };
    };
    const a = run();
    const b = run();
    expect(a.sales).toHaveLength(25);
    expect(a.summary.sales).toBe(25);
    expect(a.sales.map((s) => [s.totalFen, s.lines.map((l) => `${l.name}×${l.qty}`)])).toEqual(b.sales.map((s) => [s.totalFen, s.lines.map((l) => `${l.name}×${l.qty}`)]));
  });

  test('bad options get a clear one-line error and nothing is written', () => {
    const home = tempDir();
    homes.push(home);
    expect(till(home, ['demo', '--products', '50']).code).toBe(0);
    const r = till(home, ['simulate', 'sales', '--count', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--count takes a whole number from 1 to 1000000, got "0".');
    const c = till(home, ['simulate', 'sales', '--count', '2', '--cashier', '4242']);
    expect(c.code).toBe(1);
    expect(c.stderr).toContain('No user 4242');
    expect(JSON.parse(till(home, ['sales', 'list', '--json']).stdout)).toEqual([]);
  });
});
