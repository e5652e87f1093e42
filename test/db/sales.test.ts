import { afterEach, describe, expect, it } from 'vitest';
import { findSale, listSales, recordSale } from '../../src/db/sales.js';
import { pendingBatch, pendingCount } from '../../src/db/outbox.js';
import type { DB } from '../../src/db/open.js';
import { memoryTill } from '../helpers/till.js';

const cola = { productId: 1, barcode: '6901234567892', name: '可口可乐500ml', qty: 2, qtyGrams: null, unitPriceFen: 350 };
const bananas = { productId: 2, barcode: null, name: '香蕉', qty: 1, qtyGrams: 1234, unitPriceFen: 698 };

let db: DB;
afterEach(() => db?.close());

describe('recording a sale', () => {
  it('stores header, lines, payments and its outbox row together, with change for cash', () => {
    db = memoryTill();
    const sale = recordSale(db, { cashierId: '1001', cashierName: '张三', lines: [cola, bananas], tenders: [{ method: 'cash', tenderedFen: 2000 }] });
    expect(sale.totalFen).toBe(700 + 861);
    expect(sale.changeFen).toBe(2000 - 1561);
    expect(sale.itemCount).toBe(3);
    const stored = findSale(db, sale.receiptNo);
    expect(stored.lines.map((l) => [l.name, l.lineTotalFen])).toEqual([
      ['可口可乐500ml', 700],
      ['香蕉', 861],
    ]);
    expect(stored.payments).toEqual([{ method: 'cash', amountFen: 1561, tenderedFen: 2000, changeFen: 439, reference: null }]);
    expect(pendingCount(db)).toBe(1);
    expect(JSON.parse(pendingBatch(db, 10)[0].payload)).toMatchObject({ id: sale.id, seq: 1, totalFen: 1561 });
  });

  it('numbers sales with a gap-free seq and a daily receipt number', () => {
    db = memoryTill();
    const at = new Date(2026, 10, 26, 9, 30);
    const a = recordSale(db, { cashierId: '1001', cashierName: '张三', lines: [cola], tenders: [{ method: 'card', tenderedFen: 700 }] }, at);
    const b = recordSale(db, { cashierId: '1001', cashierName: '张三', lines: [cola], tenders: [{ method: 'wechat', tenderedFen: 700, reference: '134567890123456789' }] }, at);
    const nextDay = recordSale(db, { cashierId: '1001', cashierName: '张三', lines: [cola], tenders: [{ method: 'cash', tenderedFen: 700 }] }, new Date(2026, 10, 27, 8));
    expect([a.seq, b.seq, nextDay.seq]).toEqual([1, 2, 3]);
    expect([a.receiptNo, b.receiptNo, nextDay.receiptNo]).toEqual(['S001-T01-20261126-0001', 'S001-T01-20261126-0002', 'S001-T01-20261127-0001']);
    expect(a.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/); // UUIDv7
    expect(listSales(db).map((s) => s.seq)).toEqual([1, 2, 3]);
  });

  it('writes nothing when the tenders do not cover the total', () => {
    db = memoryTill();
    expect(() => recordSale(db, { cashierId: '1001', cashierName: '张三', lines: [cola], tenders: [{ method: 'cash', tenderedFen: 500 }] })).toThrow(/200 fen unpaid/);
    expect(() => recordSale(db, { cashierId: '1001', cashierName: '张三', lines: [cola], tenders: [{ method: 'card', tenderedFen: 800 }] })).toThrow(/cannot pay more/);
    expect(listSales(db)).toEqual([]);
    expect(pendingCount(db)).toBe(0);
  });

  it('splits tenders: card first, cash for the rest with change', () => {
    db = memoryTill();
    const s = recordSale(db, {
      cashierId: '1001',
      cashierName: '张三',
      lines: [cola, bananas],
      orderDiscountFen: 61,
      tenders: [
        { method: 'card', tenderedFen: 1000, reference: 'REF123' },
        { method: 'cash', tenderedFen: 1000 },
      ],
    });
    expect(s.totalFen).toBe(1500);
    expect(s.payments.map((p) => [p.method, p.amountFen, p.changeFen])).toEqual([
      ['card', 1000, 0],
      ['cash', 500, 500],
    ]);
  });
});
