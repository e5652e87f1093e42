// Returns and post-voids at the till, as a store runs them from the shell: a customer brings
// something back, a supervisor approves with their PIN on stdin, the refund is what was paid.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pendingCount } from '../../src/db/outbox.js';
import { openDatabase, type DB } from '../../src/db/open.js';
import { commitReturn, findReturnable, previewReturn } from '../../src/checkout/returns.js';
import { listReturns, recordReturn, returnFigures, SQL } from '../../src/db/returns.js';
import { recordSale } from '../../src/db/sales.js';
import { openShift } from '../../src/db/shifts.js';
import type { SaleDraft } from '../../src/core/sale.js';
import { receiptNumber, receiptStore } from '../../src/core/ids.js';
import { memoryTill, removeDir, tempDir, till } from '../helpers/till.js';

// A demo store: cashier 1001 (PIN 1111), supervisor 9001 (PIN 9999), admin 1 (PIN 1234).
let home: string;
const cola = { productId: 1, barcode: '6901234567892', name: '可口可乐500ml', qty: 3, qtyGrams: null, unitPriceFen: 350 };
const chips = { productId: 2, barcode: '6901234567893', name: '乐事薯片', qty: 1, qtyGrams: null, unitPriceFen: 650 };
const bananas = { productId: 3, barcode: null, name: '香蕉', qty: 1, qtyGrams: 1234, unitPriceFen: 698 };

function sell(draft: Omit<SaleDraft, 'cashierId' | 'cashierName'>, opts: { training?: boolean } = {}): string {
  const db = openDatabase(join(home, 'till.db'));
  try {
    return recordSale(db, { cashierId: '1001', cashierName: '张收银', ...draft }, new Date(), opts).receiptNo;
  } finally {
    db.close();
  }
}

const approve = (args: string[], pin = '9999') => till(home, ['sales', ...args, '--supervisor', '9001', '--pin-stdin'], { input: `${pin}\n` });
const asJson = (r: { code: number | null; stdout: string; stderr: string }) => {
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};

beforeAll(() => {
  home = tempDir();
  expect(till(home, ['demo', '--products', '50']).code).toBe(0);
});
afterAll(() => removeDir(home));

describe('till sales return', () => {
  it('returning one cola of three on a sale with ¥2 off refunds its share of what was paid, to the card first', () => {
    // Cola 10.50 and chips 6.50, ¥2 off the sale: the cola line bore ¥1.24 of it and cost 9.26.
    const receipt = sell({ lines: [cola, chips], orderDiscountFen: 200, tenders: [{ method: 'card', tenderedFen: 1000, reference: '123456' }, { method: 'cash', tenderedFen: 500 }] });
    const ret = asJson(approve(['return', receipt, '--line', '1', '--qty', '1', '--reason', '买多了', '--json']));
    expect(ret).toMatchObject({ kind: 'return', saleReceiptNo: receipt, refundFen: 308, refundMode: 'original', cashierId: '1001', supervisorId: '9001', reason: '买多了' });
    expect(ret.returnNo).toMatch(/^DEMO-T01-\d{8}-R\d{4}$/);
    expect(ret.lines).toEqual([{ lineNo: 1, name: '可口可乐500ml', qty: 1, qtyGrams: null, unitPriceFen: 350, refundFen: 308 }]);
    expect(ret.tenders).toEqual([{ paymentIdx: 1, method: 'card', amountFen: 308 }]);
    // The rest of the sale back: the two returns refund the sale's total, to the fen.
    const rest = asJson(approve(['return', receipt, '--json']));
    expect(rest.refundFen).toBe(1500 - 308);
    expect(rest.tenders).toEqual([
      { paymentIdx: 1, method: 'card', amountFen: 1000 - 308 },
      { paymentIdx: 2, method: 'cash', amountFen: 500 },
    ]);
    const listed = asJson(till(home, ['sales', 'returns', '--json'])).filter((r: { saleReceiptNo: string }) => r.saleReceiptNo === receipt);
    expect(listed.map((r: { refundFen: number }) => r.refundFen)).toEqual([308, 1192]);
    const table = till(home, ['sales', 'returns']);
    expect(table.stdout).toMatch(/RETURN\s+KIND\s+RECEIPT/);
    const shown = till(home, ['sales', 'show', receipt]).stdout;
    expect(shown).toMatch(new RegExp(`Returned  ${ret.returnNo}  line 1 ×1  refund 3\\.08`));
    expect(shown).toMatch(/Returned  \S+-R\d{4}  line 1 ×2, line 2 ×1  refund 11\.92/);
  });

  it('the same line twice is refused, as is more of a line than is left; nothing is written', () => {
    const receipt = sell({ lines: [cola, chips], tenders: [{ method: 'cash', tenderedFen: 2000 }] });
    expect(approve(['return', receipt, '--line', '2']).code).toBe(0);
    const again = approve(['return', receipt, '--line', '2']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/Line 2 \(乐事薯片\) has already been returned in full/);
    expect(approve(['return', receipt, '--line', '1', '--qty', '2']).code).toBe(0);
    const beyond = approve(['return', receipt, '--line', '1', '--qty', '2']);
    expect(beyond.code).toBe(1);
    expect(beyond.stderr).toMatch(/only 1 of the 3 sold can still be returned, not 2/);
    const mine = asJson(till(home, ['sales', 'returns', '--json'])).filter((r: { saleReceiptNo: string }) => r.saleReceiptNo === receipt);
    expect(mine).toHaveLength(2);
  });

  it('a weighed line comes back whole or not at all', () => {
    const receipt = sell({ lines: [bananas, chips], tenders: [{ method: 'wechat', tenderedFen: 861 + 650, reference: '134567890123456789' }] });
    const part = approve(['return', receipt, '--line', '1', '--qty', '500']);
    expect(part.code).toBe(1);
    expect(part.stderr).toMatch(/was weighed: it is returned whole/);
    const whole = asJson(approve(['return', receipt, '--line', '1', '--json']));
    expect(whole.lines).toEqual([expect.objectContaining({ lineNo: 1, qty: 1, qtyGrams: 1234, refundFen: 861 })]);
    expect(whole.tenders).toEqual([{ paymentIdx: 1, method: 'wechat', amountFen: 861 }]);
  });

  it('--refund cash pays it all from the drawer; a supervisor approves, never the cashier, never with a wrong PIN', () => {
    const receipt = sell({ lines: [chips], tenders: [{ method: 'alipay', tenderedFen: 650, reference: '281234567890123456' }] });
    const self = till(home, ['sales', 'return', receipt, '--cashier', '9001', '--supervisor', '9001', '--pin-stdin'], { input: '9999\n' });
    expect(self.code).toBe(1);
    expect(self.stderr).toMatch(/cannot approve their own return/);
    const cashier = till(home, ['sales', 'return', receipt, '--cashier', '9001', '--supervisor', '1001', '--pin-stdin'], { input: '1111\n' });
    expect(cashier.code).toBe(1);
    expect(cashier.stderr).toMatch(/is a cashier: a return needs a supervisor or an admin/);
    const wrong = approve(['return', receipt], '0000');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/Supervisor 9001 and PIN do not match/);
    const cash = asJson(approve(['return', receipt, '--refund', 'cash', '--json']));
    expect(cash.tenders).toEqual([{ paymentIdx: null, method: 'cash', amountFen: 650 }]);
  });

  it('bad option values are usage errors (exit 2) and nothing is asked', () => {
    const receipt = sell({ lines: [chips], tenders: [{ method: 'cash', tenderedFen: 650 }] });
    expect(approve(['return', receipt, '--refund', 'voucher']).code).toBe(2);
    expect(approve(['return', receipt, '--qty', '1']).code).toBe(2);
    expect(approve(['return', receipt, '--line', '1.5']).code).toBe(2);
    expect(approve(['return', receipt, '--line', '1', '--qty', '0']).code).toBe(2);
    // No terminal and no --pin-stdin: no PIN can be asked, and none is taken from argv.
    expect(till(home, ['sales', 'return', receipt, '--supervisor', '9001']).code).toBe(2);
    expect(till(home, ['sales', 'return', receipt, '--supervisor', '9001', '--pin', '9999']).code).toBe(2);
    expect(asJson(till(home, ['sales', 'returns', '--json'])).some((r: { saleReceiptNo: string }) => r.saleReceiptNo === receipt)).toBe(false);
  });
});

describe('a return at another store', () => {
  it('a receipt from another store is refused with where it belongs, not "not found"; nothing is written', () => {
    const before = asJson(till(home, ['sales', 'returns', '--json'])).length;
    const other = approve(['return', 'S002-T03-20261207-0042']);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/Receipt S002-T03-20261207-0042 is from store S002, not this store \(DEMO\): a return there needs HQ/);
    // A mistyped number of this store is still "not found".
    const typo = approve(['return', 'DEMO-T01-20261207-9999']);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toMatch(/No sale with receipt number "DEMO-T01-20261207-9999" on this till/);
    expect(asJson(till(home, ['sales', 'returns', '--json']))).toHaveLength(before);
  });

  it('reads the store from the number as the till prints it, a hyphen in the store code included', () => {
    for (const store of ['S002', 'SH-01', 'A-B-C']) expect(receiptStore(receiptNumber(store, 'T01', '20261207', 42))).toBe(store);
    expect(receiptStore(' S002-T01-20261207-12345 ')).toBe('S002');
    for (const junk of ['', '12345', 'S002-T01-2026127-0001', 'T01-20261207-0001', 'a return']) expect(receiptStore(junk)).toBeNull();
  });
});

describe('till sales void (post-void)', () => {
  it('a post-void is for a sale of the open shift: none open, or a sale before it, is refused (make a return)', () => {
    const before = sell({ lines: [cola], tenders: [{ method: 'cash', tenderedFen: 1050 }] });
    const none = approve(['void', before]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/not sold in the open shift \(no shift is open\).*make a return instead/);
    expect(till(home, ['shift', 'open', '--cashier', '1001', '--float', '100']).code).toBe(0);
    const older = approve(['void', before]);
    expect(older.code).toBe(1);
    expect(older.stderr).toMatch(/not sold in the open shift \(opened /);
  });

  it('voids a finished sale of the open shift in full, back to its tenders; the slip reprints with 退货 / RETURN', () => {
    const receipt = sell({ lines: [cola, chips], orderDiscountFen: 100, tenders: [{ method: 'card', tenderedFen: 600, reference: '654321' }, { method: 'cash', tenderedFen: 2000 }] });
    // "last" is the last real sale: this one.
    const v = asJson(approve(['void', 'last', '--reason', '收银员按错', '--json']));
    expect(v.saleReceiptNo).toBe(receipt);
    expect(v).toMatchObject({ kind: 'post-void', refundFen: 1600, reason: '收银员按错' });
    expect(v.tenders).toEqual([
      { paymentIdx: 1, method: 'card', amountFen: 600 },
      { paymentIdx: 2, method: 'cash', amountFen: 1000 },
    ]);
    expect(v.lines.map((l: { qty: number }) => l.qty)).toEqual([3, 1]);
    const twice = approve(['void', receipt]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/already has a return/);
    const slip = till(home, ['print', 'reprint', v.returnNo, '--printer', 'preview', '--width', '58']);
    expect(slip.code, slip.stderr).toBe(0);
    expect(slip.stdout).toContain('退货 / RETURN');
    expect(slip.stdout).toContain('整单作废 / POST-VOID');
    expect(slip.stdout).toContain('重印 / COPY');
    expect(slip.stdout).toContain(`原单号 ${receipt}`);
    expect(slip.stdout).toMatch(/退款合计\s+￥-16\.00/);
    expect(slip.stdout).toMatch(/退回 银行卡\s+6\.00/);
    // The sale's own receipt still reprints as before.
    expect(till(home, ['print', 'reprint', receipt, '--printer', 'preview']).stdout).toContain(receipt);
  });

  it('a sale with a line already returned cannot be post-voided: return the rest instead', () => {
    const receipt = sell({ lines: [cola, chips], tenders: [{ method: 'cash', tenderedFen: 2000 }] });
    expect(approve(['return', receipt, '--line', '2']).code).toBe(0);
    const v = approve(['void', receipt]);
    expect(v.code).toBe(1);
    expect(v.stderr).toMatch(/a post-void voids a whole untouched sale/);
  });
});

function pendingIn(home: string): number {
  const db = openDatabase(join(home, 'till.db'));
  try {
    return pendingCount(db);
  } finally {
    db.close();
  }
}

describe('training sales (练习)', () => {
  it('are rung up apart: not listed, exported or uploaded unless asked for, and never returned', () => {
    sell({ lines: [chips], tenders: [{ method: 'cash', tenderedFen: 650 }] });
    const before = asJson(till(home, ['sales', 'list', '--json'])).length;
    const pendingBefore = pendingIn(home);
    const sim = till(home, ['simulate', 'sales', '--count', '3', '--training', '--cashier', '1001']);
    expect(sim.code, sim.stderr).toBe(0);
    expect(sim.stderr).toMatch(/Rang up 3 training \(练习\) sales/);
    expect(asJson(till(home, ['sales', 'list', '--json']))).toHaveLength(before);
    const all = asJson(till(home, ['sales', 'list', '--training', '--json']));
    const training = all.filter((s: { training: boolean }) => s.training);
    expect(training).toHaveLength(3);
    expect(training.every((s: { receiptNo: string; sync: string }) => s.receiptNo.startsWith('T-') && s.sync === 'never')).toBe(true);
    const exported = till(home, ['export', 'sales', '--format', 'json']);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toContain('"receiptNo":"DEMO-T01-');
    expect(exported.stdout).not.toContain('"receiptNo":"T-');
    // Nothing of training enters the event stream to HQ.
    expect(pendingIn(home)).toBe(pendingBefore);
    const db = openDatabase(join(home, 'till.db'));
    try {
      expect((db.prepare("SELECT count(*) AS n FROM outbox WHERE kind = 'sale'").get() as { n: number }).n).toBe(before);
    } finally {
      db.close();
    }
    // A real sale after them keeps the device's event stream (sales, returns, shifts …) gap-free.
    sell({ lines: [chips], tenders: [{ method: 'cash', tenderedFen: 650 }] });
    const last = asJson(till(home, ['sales', 'list', '--json'])).at(-1) as { seq: number };
    const stream = openDatabase(join(home, 'till.db'));
    try {
      const seqs = (stream.prepare('SELECT seq FROM outbox ORDER BY seq').all() as Array<{ seq: number }>).map((r) => r.seq);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
      expect(seqs.at(-1)).toBe(last.seq);
    } finally {
      stream.close();
    }
    // Its receipt, reprinted, says it is none: a training slip cannot pass for a paid sale.
    const slip = till(home, ['print', 'reprint', training[0].receiptNo, '--printer', 'preview']);
    expect(slip.code, slip.stderr).toBe(0);
    expect(slip.stdout.split('练习 — 非销售凭证 / TRAINING — NOT A RECEIPT')).toHaveLength(3);
    expect(till(home, ['print', 'reprint', training[0].receiptNo.slice(2), '--printer', 'preview']).stdout).not.toContain('TRAINING');
    const refused = approve(['return', training[0].receiptNo]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/is a training sale \(练习\).*cannot be returned/);
  });
});

describe('the till itself', () => {
  let db: DB;
  afterAll(() => db?.close());

  it('refuses a return row beyond what was sold even from a writer that skipped the check', () => {
    db?.close();
    db = memoryTill();
    const sale = recordSale(db, { cashierId: '1001', cashierName: '张三', lines: [chips], tenders: [{ method: 'cash', tenderedFen: 650 }] });
    db.prepare("INSERT INTO returns (id, return_no, sale_id, kind, business_date, cashier_id, supervisor_id, refund_mode, refund_fen, created_at) VALUES ('r', 'R', ?, 'return', '20261208', '1001', '9001', 'cash', 650, '2026-12-08')").run(sale.id);
    const line = db.prepare('INSERT INTO return_lines (return_id, sale_id, line_no, qty, qty_grams, refund_fen) VALUES (?, ?, 1, ?, NULL, 0)');
    expect(() => line.run('r', sale.id, 2)).toThrow(/cannot be returned beyond the quantity sold/);
  });

  it('stores each line\'s share of the sale discount with the sale, and computes it the same way for sales made before', () => {
    db?.close();
    db = memoryTill();
    const draft = { cashierId: '1001', cashierName: '张三', lines: [cola, chips], orderDiscountFen: 200, tenders: [{ method: 'cash' as const, tenderedFen: 1500 }] };
    const sale = recordSale(db, draft);
    expect(db.prepare('SELECT sale_discount_fen AS s FROM sale_lines WHERE sale_id = ? ORDER BY line_no').all(sale.id)).toEqual([{ s: 124 }, { s: 76 }]);
    const old = recordSale(db, draft);
    db.prepare('UPDATE sale_lines SET sale_discount_fen = NULL WHERE sale_id = ?').run(old.id);
    const refunds = [sale, old].map((s) => recordReturn(db, { receiptNo: s.receiptNo, lines: [{ lineNo: 1, qty: 1 }], supervisorId: '9001' }).refundFen);
    expect(refunds).toEqual([308, 308]);
  });

  it('the checkout finds a scanned receipt, shows the refund before asking, and commits only with a supervisor', () => {
    db?.close();
    db = memoryTill();
    const sale = recordSale(db, { cashierId: '1001', cashierName: '张三', lines: [cola, chips], orderDiscountFen: 200, tenders: [{ method: 'wechat', tenderedFen: 1500, reference: '134567890123456789' }] });
    const found = findReturnable(db, `${sale.receiptNo}\r`);
    expect(found.lines.map((l) => [l.lineNo, l.paidFen, l.leftQty])).toEqual([
      [1, 926, 3],
      [2, 574, 1],
    ]);
    const preview = previewReturn(db, { receiptNo: sale.receiptNo, lines: [{ lineNo: 2 }] });
    expect(preview).toMatchObject({ refundFen: 574, tenders: [{ paymentIdx: 1, method: 'wechat', amountFen: 574 }] });
    expect(listReturns(db)).toEqual([]);
    expect(() => commitReturn(db, { receiptNo: sale.receiptNo, lines: [{ lineNo: 2 }] }, { supervisorId: '9001', pin: '1234' })).toThrow(/do not match/);
    expect(commitReturn(db, { receiptNo: sale.receiptNo, lines: [{ lineNo: 2 }] }, { supervisorId: '9001', pin: '9999' }).refundFen).toBe(574);
    expect(findReturnable(db, sale.receiptNo).lines[1]).toMatchObject({ returnedQty: 1, refundedFen: 574, leftQty: 0 });
  });

  it('sums what returns and post-voids paid out, per tender, for the day\'s reports and the drawer', () => {
    db?.close();
    db = memoryTill();
    const at = new Date();
    openShift(db, { cashierId: '1001', floatFen: 0 }, new Date(at.getTime() - 1000)); // the post-void below is of this shift
    const mixed = recordSale(db, { cashierId: '1001', cashierName: '张三', lines: [cola, chips], tenders: [{ method: 'card', tenderedFen: 1000, reference: '1' }, { method: 'cash', tenderedFen: 1000 }] }, at);
    const cash = recordSale(db, { cashierId: '1001', cashierName: '张三', lines: [chips], tenders: [{ method: 'cash', tenderedFen: 650 }] }, at);
    recordReturn(db, { receiptNo: mixed.receiptNo, lines: [{ lineNo: 1, qty: 2 }], supervisorId: '9001' }, at);
    recordReturn(db, { receiptNo: mixed.receiptNo, lines: [{ lineNo: 2 }], refund: 'cash', supervisorId: '9001' }, at);
    recordReturn(db, { receiptNo: cash.receiptNo, kind: 'post-void', supervisorId: '9001' }, at);
    expect(returnFigures(db)).toEqual({ returns: 2, returnsFen: 700 + 650, postVoids: 1, postVoidsFen: 650, byMethodFen: { cash: 650 + 650, card: 700, wechat: 0, alipay: 0 } });
    expect(returnFigures(db, { to: at.toISOString() }).returns).toBe(0);
  });

  it('looks a sale and its returns up by number with one index probe each (no scan at a million sales)', () => {
    db ??= memoryTill();
    for (const [name, sql] of Object.entries(SQL)) {
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all('x') as Array<{ detail: string }>).map((r) => r.detail).join(' | ');
      expect(plan, name).toMatch(/^SEARCH \w+ USING (COVERING )?INDEX|^SEARCH \w+ USING (INTEGER )?PRIMARY KEY/);
      expect(plan, name).not.toMatch(/\bSCAN\b/);
    }
  });
});
