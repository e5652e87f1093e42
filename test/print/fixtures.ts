// Sales for the printing tests, committed through the real sale writer.
import { recordSale } from '../../src/db/sales.js';
import { getIdentity, type TillIdentity } from '../../src/db/settings.js';
import type { SaleDraft } from '../../src/core/sale.js';
import type { Sale } from '../../src/core/types.js';
import type { DB } from '../../src/db/open.js';
import { memoryTill } from '../helpers/till.js';

/** 14:05:09 on 8 March 2025 in China (the tests run with TZ=Asia/Shanghai). */
export const SOLD_AT = new Date('2025-03-08T06:05:09.000Z');

export const MIXED_DRAFT: SaleDraft = {
  cashierId: '1001',
  cashierName: '张三',
  orderDiscountFen: 100,
  lines: [
    { productId: 1, barcode: '6901234567892', name: '可口可乐 330ml', qty: 2, qtyGrams: null, unitPriceFen: 350 },
    { productId: 2, barcode: '6900000000001', name: 'Coca-Cola Zero 330ml', qty: 1, qtyGrams: null, unitPriceFen: 350 },
    {
      productId: 3,
      barcode: null,
      name: '农夫山泉饮用天然水550ml 特价促销装 Nongfu Spring Natural Water',
      qty: 3,
      qtyGrams: null,
      unitPriceFen: 200,
      discountFen: 50,
    },
    { productId: 4, barcode: null, name: '散装红富士苹果', qty: 1, qtyGrams: 523, unitPriceFen: 1280 },
  ],
  tenders: [
    { method: 'wechat', tenderedFen: 500, reference: '134567890123456789' },
    { method: 'cash', tenderedFen: 5000 },
  ],
};

export function saleFixture(draft: SaleDraft = MIXED_DRAFT, db: DB = memoryTill()): { sale: Sale; identity: TillIdentity; db: DB } {
  const sale = recordSale(db, draft, SOLD_AT);
  const identity = { ...getIdentity(db)!, storeAddress: '北京市朝阳区建国路88号' };
  return { sale, identity, db };
}

export const CARD_DRAFT: SaleDraft = {
  cashierId: '1001',
  cashierName: '张三',
  lines: [{ productId: 1, barcode: '6901234567892', name: '可口可乐 330ml', qty: 1, qtyGrams: null, unitPriceFen: 350 }],
  tenders: [{ method: 'card', tenderedFen: 350, reference: '6222020000001234' }],
};
