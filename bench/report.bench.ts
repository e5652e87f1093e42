// X and Z reports: a 2,000-sale day (3 lines each, change given, 20 returns, a closed shift) on a
// till holding 1,000,000 past sales already closed by a Z, beside a bare indexed SUM over the
// same day's rows. The past must cost nothing: a report reads only the events after the last Z.
// Then the return lookup by receipt number on the same till, beside a bare indexed lookup.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/db/open.js';
import { recordReturn } from '../src/db/returns.js';
import { setSetting } from '../src/db/settings.js';
import { closeShift, openShift } from '../src/db/shifts.js';
import { createUser } from '../src/db/users.js';
import { takeZReport, xReport } from '../src/db/zreports.js';
import { findReturnable } from '../src/checkout/returns.js';
import { interleaved, median, report, reportAbsolute } from './lib.js';

const PAST = 1_000_000;
const DAY = 2_000;
const home = mkdtempSync(join(tmpdir(), 'till-bench-'));
try {
  const db = openDatabase(join(home, 'till.db'), { create: true });
  setSetting(db, 'store.code', 'B1');
  setSetting(db, 'till.code', 'T1');
  createUser(db, { id: '1001', name: '张三', role: 'cashier', pin: '2580' });
  createUser(db, { id: '9001', name: '李店长', role: 'supervisor', pin: '9753' });
  const t0 = Date.now();
  const CATEGORIES = ['饮料', '零食', '乳制品', '日用品', '酒类', '生鲜', '调味品', '方便食品'];
  const sale = db.prepare(
    `INSERT INTO sales (id, receipt_no, store_code, till_code, seq, business_date, cashier_id, cashier_name, created_at, status,
       subtotal_fen, discount_fen, order_discount_fen, total_fen, paid_fen, change_fen, item_count)
     VALUES (?, ?, 'B1', 'T1', ?, ?, ?, ?, ?, 'completed', ?, 0, 0, ?, ?, ?, ?)`,
  );
  const line = db.prepare(
    `INSERT INTO sale_lines (sale_id, line_no, product_id, barcode, name, qty, qty_grams, unit_price_fen, discount_fen, line_total_fen, sale_discount_fen)
     VALUES (?, ?, ?, NULL, '商品', 1, NULL, ?, 0, ?, 0)`,
  );
  const pay = db.prepare("INSERT INTO payments (sale_id, idx, method, amount_fen, tendered_fen, change_fen) VALUES (?, 1, ?, ?, ?, ?)");
  const METHODS = ['cash', 'wechat', 'alipay', 'card'] as const;
  /** One sale of `lines` lines; cash sales are paid with the next ¥10 up, change given. */
  const put = (seq: number, at: Date, lines: number) => {
    const id = `s${seq}`;
    const prices = Array.from({ length: lines }, (_, i) => 100 + ((seq * 37 + i * 101) % 3000));
    const total = prices.reduce((a, b) => a + b, 0);
    const method = METHODS[seq % 4];
    const tendered = method === 'cash' ? Math.ceil(total / 1000) * 1000 : total;
    sale.run(id, `B1-T1-${seq}`, seq, '20260301', seq % 3 ? '1001' : '9001', 'x', at.toISOString(), total, total, total, tendered - total, lines);
    prices.forEach((p, i) => line.run(id, i + 1, 1 + ((seq + i) % 1000), p, p));
    pay.run(id, method, total, tendered, tendered - total);
  };
  db.transaction(() => {
    const p = db.prepare("INSERT INTO products (id, name, price_fen, category, updated_at) VALUES (?, ?, 100, ?, '2026-01-01')");
    for (let i = 1; i <= 1000; i++) p.run(i, `商品${i}`, CATEGORIES[i % CATEGORIES.length]);
    const start = Date.parse('2024-01-01T00:00:00Z');
    for (let seq = 1; seq <= PAST; seq++) put(seq, new Date(start + seq * 50_000), 1);
  })();
  takeZReport(db, new Date('2026-03-01T00:00:00Z')); // the past, closed
  process.stdout.write(`(till of ${PAST.toLocaleString()} past sales built and closed by a Z in ${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);

  // The day: a shift, 2,000 sales, 20 returns (half in cash), the shift closed.
  const dayStart = Date.parse('2026-03-01T01:00:00Z');
  openShift(db, { cashierId: '1001', floatFen: 20_000 }, new Date(dayStart));
  db.transaction(() => {
    for (let i = 1; i <= DAY; i++) put(PAST + i, new Date(dayStart + i * 15_000), 3);
  })();
  for (let i = 0; i < 20; i++) {
    recordReturn(db, { receiptNo: `B1-T1-${PAST + 1 + i * 97}`, lines: [{ lineNo: 1 }], refund: i % 2 ? 'cash' : 'original', supervisorId: '9001', cashierId: '1001' }, new Date(dayStart + (DAY + i) * 15_000));
  }
  closeShift(db, { countedFen: 0 }, new Date(dayStart + (DAY + 30) * 15_000));
  const now = new Date(dayStart + (DAY + 40) * 15_000);

  const bare = db.prepare('SELECT sum(total_fen) AS s FROM sales WHERE seq > ? AND seq <= ?');
  const time = (fn: () => unknown) => {
    const t = process.hrtime.bigint();
    fn();
    return Number(process.hrtime.bigint() - t) / 1e6;
  };
  /** A Z taken and rolled back, so each run closes the same day. */
  const zOnce = () => {
    db.exec('SAVEPOINT bench');
    try {
      const z = takeZReport(db, now);
      if (z.salesCount !== DAY) throw new Error(`the Z closed ${z.salesCount} sales, not ${DAY}`);
    } finally {
      db.exec('ROLLBACK TO bench; RELEASE bench');
    }
  };
  for (let i = 0; i < 3; i++) (xReport(db, now), zOnce(), bare.get(PAST, PAST + DAY)); // warm-up
  const [x, sumX] = interleaved(21, () => time(() => xReport(db, now)), () => time(() => bare.get(PAST, PAST + DAY)));
  report({ name: `X report, ${DAY.toLocaleString()}-sale day on ${PAST.toLocaleString()} past sales, median`, value: x, unit: 'ms', baseline: sumX, baselineName: 'bare indexed SUM of the day' });
  reportAbsolute({ name: 'X report median', value: x, unit: 'ms', limit: 50 });
  const zs: number[] = [];
  for (let i = 0; i < 21; i++) zs.push(time(zOnce));
  const z = median(zs);
  report({ name: `Z report (taken, rolled back), same day, median`, value: z, unit: 'ms', baseline: sumX, baselineName: 'bare indexed SUM of the day' });
  reportAbsolute({ name: 'Z report median', value: z, unit: 'ms', limit: 50 });

  // A return looks the sale up by the number on the receipt: old or of today, with or without
  // earlier returns, it is a few indexed probes whatever the till holds.
  const receipts = Array.from({ length: 21 }, (_, i) => `B1-T1-${i % 3 === 0 ? PAST + 1 + (i % 20) * 97 : 1 + i * 47_609}`);
  const bareSale = db.prepare('SELECT id, total_fen FROM sales WHERE receipt_no = ?');
  for (const r of receipts.slice(0, 3)) (findReturnable(db, r), bareSale.get(r)); // warm-up
  let k = 0;
  const [lookup, bareLookup] = interleaved(
    receipts.length,
    () => time(() => findReturnable(db, receipts[k])),
    () => time(() => bareSale.get(receipts[k++])),
  );
  report({ name: `return lookup by receipt number (findReturnable) on ${PAST.toLocaleString()} past sales, median`, value: lookup, unit: 'ms', baseline: bareLookup, baselineName: 'bare indexed lookup of the same sale' });
  reportAbsolute({ name: 'return lookup median', value: lookup, unit: 'ms', limit: 5 });
  db.close();
} finally {
  rmSync(home, { recursive: true, force: true });
}
