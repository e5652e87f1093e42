// The drawer's expected cash counts what returns paid back in cash during the shift, and
// training sales never reach it: the formula of core/cash.ts over the real ledgers.
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open.js';
import { recordSale } from '../../src/db/sales.js';
import { removeDir, tempDir, till } from '../helpers/till.js';

let home: string;
const chips = { productId: 2, barcode: '6901234567893', name: '乐事薯片', qty: 2, qtyGrams: null, unitPriceFen: 650 };

beforeAll(() => {
  home = tempDir();
  expect(till(home, ['demo', '--products', '50']).code).toBe(0);
});
afterAll(() => removeDir(home));

it('a cash refund in the shift lowers the expected cash by what left the drawer; a training sale changes nothing', () => {
  expect(till(home, ['shift', 'open', '--cashier', '1001', '--float', '100']).code).toBe(0);
  const db = openDatabase(join(home, 'till.db'));
  let receipt: string;
  try {
    // ¥13.00 paid with ¥20: ¥20 taken, ¥7 change given.
    receipt = recordSale(db, { cashierId: '1001', cashierName: '张收银', lines: [chips], tenders: [{ method: 'cash', tenderedFen: 2000 }] }).receiptNo;
    recordSale(db, { cashierId: '1001', cashierName: '张收银', lines: [chips], tenders: [{ method: 'cash', tenderedFen: 5000 }] }, new Date(), { training: true });
  } finally {
    db.close();
  }
  const before = JSON.parse(till(home, ['shift', 'status', '--json']).stdout);
  expect(before).toMatchObject({ salesCount: 1, floatFen: 10000, cashTakenFen: 2000, changeGivenFen: 700, expectedCashFen: 11300 });
  const ret = till(home, ['sales', 'return', receipt, '--line', '1', '--qty', '1', '--refund', 'cash', '--supervisor', '9001', '--pin-stdin'], { input: '9999\n' });
  expect(ret.code, ret.stderr).toBe(0);
  const after = JSON.parse(till(home, ['shift', 'status', '--json']).stdout);
  expect(after.expectedCashFen).toBe(11300 - 650);
  const close = till(home, ['shift', 'close', '--counted', '106.50', '--json']);
  expect(close.code, close.stderr).toBe(0);
  expect(JSON.parse(close.stdout)).toMatchObject({ expectedCashFen: 10650, overShortFen: 0 });
});
