// Plain data shared by core, db, print, sync and HQ. Amounts are integer fen.

export type Role = 'cashier' | 'supervisor' | 'admin';
export type TenderMethod = 'cash' | 'card' | 'wechat' | 'alipay';
export const TENDER_METHODS: TenderMethod[] = ['cash', 'card', 'wechat', 'alipay'];

export interface Product {
  id: number;
  name: string;
  /** Pinyin initials of the name, lower case ("可口可乐" → "kkkl"), computed when written. */
  pinyin: string;
  /** Unit price in fen; for weighed products the price per kilogram. */
  priceFen: number;
  unit: string;
  category: string;
  weighed: boolean;
  /** Item code printed in in-store scale labels (5 digits), if any. */
  plu: string | null;
  barcodes: string[];
  active: boolean;
  updatedAt: string;
}

export interface SaleLine {
  lineNo: number;
  productId: number | null;
  barcode: string | null;
  name: string;
  /** Units sold; 1 for a weighed line. */
  qty: number;
  /** Grams for a weighed line, else null. */
  qtyGrams: number | null;
  /** Price per unit, or per kg for a weighed line. */
  unitPriceFen: number;
  /** Discount on this line as a positive amount in fen (subtracted). */
  discountFen: number;
  /** qty × unit price (or weighed price) minus the line discount. */
  lineTotalFen: number;
}

export interface Payment {
  method: TenderMethod;
  /** What this tender pays toward the sale (after change). */
  amountFen: number;
  /** Cash handed over (cash only); amountFen + changeFen. */
  tenderedFen: number;
  changeFen: number;
  /** Card reference, or the customer's WeChat/Alipay payment code. */
  reference: string | null;
}

export type SaleStatus = 'completed' | 'voided';

export interface Sale {
  /** UUIDv7 made on the till. */
  id: string;
  /** <store>-<till>-<yyyymmdd>-<seq> */
  receiptNo: string;
  storeCode: string;
  tillCode: string;
  /** Gap-free per-till upload sequence (sync). */
  seq: number;
  cashierId: string;
  cashierName: string;
  createdAt: string;
  status: SaleStatus;
  /** Sum of line totals before the order discount. */
  subtotalFen: number;
  /** Line discounts + order discount, positive. */
  discountFen: number;
  /** Order-level discount alone, positive. */
  orderDiscountFen: number;
  totalFen: number;
  paidFen: number;
  changeFen: number;
  /** Units, counting a weighed line as one item. */
  itemCount: number;
  lines: SaleLine[];
  payments: Payment[];
}
