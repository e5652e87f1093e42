// till sales approvals: the checkout's journal of supervisor approvals, as an admin reads it.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordApproval } from '../../src/db/approvals.js';
import { openDatabase } from '../../src/db/open.js';
import { initTillHome, removeDir, till } from '../helpers/till.js';

let home: string;
beforeAll(() => {
  home = initTillHome();
  const db = openDatabase(join(home, 'till.db'));
  recordApproval(db, { cashierId: '1001', supervisorId: '9001', reason: 'discount-over-limit', action: 'setOrderDiscount', detail: 'order discount 20%; total ¥31.50 → ¥25.20, paid ¥0.00' }, new Date('2026-11-25T10:00:00Z'));
  recordApproval(db, { cashierId: '1002', supervisorId: '9001', reason: 'after-payment', action: 'clear', detail: 'sale cancelled: 2 items; total ¥8.00 → ¥0.00, paid ¥5.00' }, new Date('2026-11-26T10:00:00Z'));
  db.close();
});
afterAll(() => removeDir(home));

describe('till sales approvals', () => {
  it('lists who approved what, oldest first, as a table or JSON, within --from/--to', () => {
    const table = till(home, ['sales', 'approvals']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/TIME\s+CASHIER\s+SUPERVISOR\s+REASON\s+WHAT/);
    expect(table.stdout.indexOf('order discount 20%')).toBeLessThan(table.stdout.indexOf('sale cancelled: 2 items'));
    expect(table.stdout).toMatch(/2 approvals\n$/);
    const json = JSON.parse(till(home, ['sales', 'approvals', '--from', '2026-11-26T00:00:00Z', '--json']).stdout);
    expect(json).toEqual([expect.objectContaining({ cashierId: '1002', supervisorId: '9001', reason: 'after-payment', action: 'clear' })]);
    const none = till(home, ['sales', 'approvals', '--to', '2026-11-01']);
    expect(none.code).toBe(0);
    expect(none.stderr).toMatch(/No approvals in that period/);
  });
});

describe('till sales list and show', () => {
  it('print a sale\'s time as YYYY-MM-DD HH:MM:SS in local time, the way --from/--to are typed', () => {
    const h = initTillHome();
    try {
      expect(till(h, ['products', 'add', '--name', '可口可乐500ml', '--price', '3.5', '--barcode', '6901234567892']).code).toBe(0);
      expect(till(h, ['simulate', 'sales', '--count', '1']).code).toBe(0);
      const [sale] = JSON.parse(till(h, ['sales', 'list', '--json']).stdout) as Array<{ createdAt: string; receiptNo: string }>;
      const at = new Date(sale.createdAt);
      const p = (n: number) => String(n).padStart(2, '0');
      const local = `${at.getFullYear()}-${p(at.getMonth() + 1)}-${p(at.getDate())} ${p(at.getHours())}:${p(at.getMinutes())}:${p(at.getSeconds())}`;
      const list = till(h, ['sales', 'list']);
      expect(list.code, list.stderr).toBe(0);
      expect(list.stdout).toContain(`${sale.receiptNo}  ${local}`);
      expect(list.stdout).not.toMatch(/[AP]M\b|\d+\/\d+\/\d{4}/);
      expect(till(h, ['sales', 'show', 'last']).stdout).toContain(`Time      ${local}\n`);
    } finally {
      removeDir(h);
    }
  });
});
