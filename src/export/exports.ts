// till products export, till export sales: the catalog and the sales of a period as CSV (for
// Excel and accounting), JSON or NDJSON (for scripts), streamed page by page from SQLite.
// CSV amounts are in yuan ("13.50"); JSON keeps integer fen in fields ending in Fen. A sale's
// figures are those of core/sale.ts: subtotal (gross) − discount (lines + sale) = total.
import { formatFen } from '../core/money.js';
import type { Payment, Product, SaleLine } from '../core/types.js';
import type { DB } from '../db/open.js';
import { iterateProducts } from '../db/products.js';
import { iterateSales, type SaleQuery, type SaleWithSync } from '../db/sales.js';
import { type Column, Formatter } from './format.js';
import type { Format, Output } from './output.js';

const CHUNK = 500;

/**
 * Runs an export with the connection's memory map off: db/open.ts maps up to 256 MiB of the
 * file for barcode lookups, and a scan of every row would keep all of it resident.
 */
async function unmapped<T>(db: DB, fn: () => Promise<T>): Promise<T> {
  const mmap = db.pragma('mmap_size', { simple: true }) as number;
  db.pragma('mmap_size = 0');
  try {
    return await fn();
  } finally {
    db.pragma(`mmap_size = ${mmap}`);
  }
}

async function stream<T>(items: Iterable<T>, out: Output, f: Formatter<T>): Promise<number> {
  let n = 0;
  let batch: T[] = [];
  await out.write(f.head());
  for (const item of items) {
    batch.push(item);
    if (batch.length === CHUNK) {
      await out.write(f.chunk(batch));
      n += batch.length;
      batch = [];
    }
  }
  await out.write(f.chunk(batch));
  n += batch.length;
  await out.write(f.tail());
  return n;
}

// ---- products ----------------------------------------------------------------------------

/** The import's own column names first, so an exported catalog imports back as it is. */
const PRODUCT_COLUMNS: Column<Product>[] = [
  { header: 'barcode', value: (p) => p.barcodes.join('|') },
  { header: 'name', value: (p) => p.name },
  { header: 'price', value: (p) => formatFen(p.priceFen) },
  { header: 'unit', value: (p) => p.unit },
  { header: 'category', value: (p) => p.category },
  { header: 'weighed', value: (p) => p.weighed },
  { header: 'plu', value: (p) => p.plu },
  { header: 'active', value: (p) => p.active },
  { header: 'pinyin', value: (p) => p.pinyin },
  { header: 'id', value: (p) => p.id },
  { header: 'updated_at', value: (p) => p.updatedAt },
];

export async function exportProducts(db: DB, format: Format, out: Output): Promise<number> {
  return unmapped(db, () => stream(iterateProducts(db), out, new Formatter(format, PRODUCT_COLUMNS, (p) => p)));
}

// ---- sales -------------------------------------------------------------------------------

export type SalesRows = 'sales' | 'lines' | 'payments';

const METHODS = (s: SaleWithSync) => s.payments.map((p) => `${p.method} ${formatFen(p.amountFen)}`).join('; ');

/** What every row of a sale carries, so a line or payment row stands on its own in a sheet. */
const SALE_KEY: Column<{ sale: SaleWithSync }>[] = [
  { header: 'receipt_no', value: (r) => r.sale.receiptNo },
  { header: 'sale_id', value: (r) => r.sale.id },
  { header: 'time', value: (r) => r.sale.createdAt },
  // The business day the till decided at commit (a 02:30 sale before a 04:00 cutoff is the day before).
  { header: 'date', value: (r) => r.sale.businessDate },
  { header: 'status', value: (r) => r.sale.status },
];

const SALE_COLUMNS: Column<{ sale: SaleWithSync }>[] = [
  ...SALE_KEY,
  { header: 'store', value: (r) => r.sale.storeCode },
  { header: 'till', value: (r) => r.sale.tillCode },
  { header: 'seq', value: (r) => r.sale.seq },
  { header: 'cashier_id', value: (r) => r.sale.cashierId },
  { header: 'cashier_name', value: (r) => r.sale.cashierName },
  { header: 'items', value: (r) => r.sale.itemCount },
  { header: 'subtotal', value: (r) => formatFen(r.sale.subtotalFen) },
  { header: 'discount', value: (r) => formatFen(r.sale.discountFen) },
  { header: 'order_discount', value: (r) => formatFen(r.sale.orderDiscountFen) },
  { header: 'total', value: (r) => formatFen(r.sale.totalFen) },
  { header: 'paid', value: (r) => formatFen(r.sale.paidFen) },
  { header: 'change', value: (r) => formatFen(r.sale.changeFen) },
  { header: 'payments', value: (r) => METHODS(r.sale) },
  { header: 'sync', value: (r) => (r.sale.syncedAt ? 'synced' : 'pending') },
];

type LineRow = { sale: SaleWithSync; line: SaleLine };
const LINE_COLUMNS: Column<LineRow>[] = [
  ...SALE_KEY,
  { header: 'cashier_id', value: (r) => r.sale.cashierId },
  { header: 'line_no', value: (r) => r.line.lineNo },
  { header: 'product_id', value: (r) => r.line.productId },
  { header: 'barcode', value: (r) => r.line.barcode },
  { header: 'name', value: (r) => r.line.name },
  { header: 'qty', value: (r) => r.line.qty },
  { header: 'weight_kg', value: (r) => (r.line.qtyGrams === null ? null : (r.line.qtyGrams / 1000).toFixed(3)) },
  { header: 'unit_price', value: (r) => formatFen(r.line.unitPriceFen) },
  // qty × unit price (weighed: rounded half-up to the fen); gross − discount = line_total.
  { header: 'gross', value: (r) => formatFen(r.line.lineTotalFen + r.line.discountFen) },
  { header: 'discount', value: (r) => formatFen(r.line.discountFen) },
  { header: 'line_total', value: (r) => formatFen(r.line.lineTotalFen) },
];

type PaymentRow = { sale: SaleWithSync; payment: Payment };
const PAYMENT_COLUMNS: Column<PaymentRow>[] = [
  ...SALE_KEY,
  { header: 'method', value: (r) => r.payment.method },
  { header: 'amount', value: (r) => formatFen(r.payment.amountFen) },
  { header: 'tendered', value: (r) => formatFen(r.payment.tenderedFen) },
  { header: 'change', value: (r) => formatFen(r.payment.changeFen) },
  { header: 'reference', value: (r) => r.payment.reference },
];

const saleKeyJson = (s: SaleWithSync) => ({ receiptNo: s.receiptNo, saleId: s.id, createdAt: s.createdAt, status: s.status });

function* linesOf(sales: Iterable<SaleWithSync>): Generator<LineRow> {
  for (const sale of sales) for (const line of sale.lines) yield { sale, line };
}
function* paymentsOf(sales: Iterable<SaleWithSync>): Generator<PaymentRow> {
  for (const sale of sales) for (const payment of sale.payments) yield { sale, payment };
}
function* wrap(sales: Iterable<SaleWithSync>): Generator<{ sale: SaleWithSync }> {
  for (const sale of sales) yield { sale };
}

/**
 * Sales in seq order: one row per sale (JSON: the whole sale with its lines and payments), per
 * line, or per payment. Returns the number of rows written.
 */
export async function exportSales(db: DB, q: SaleQuery, rows: SalesRows, format: Format, out: Output): Promise<number> {
  const sales = iterateSales(db, q);
  return unmapped(db, () => {
    if (rows === 'lines') {
      const json = (r: LineRow) => ({ ...saleKeyJson(r.sale), ...r.line, grossFen: r.line.lineTotalFen + r.line.discountFen });
      return stream(linesOf(sales), out, new Formatter(format, LINE_COLUMNS, json));
    }
    if (rows === 'payments') return stream(paymentsOf(sales), out, new Formatter(format, PAYMENT_COLUMNS, (r) => ({ ...saleKeyJson(r.sale), ...r.payment })));
    return stream(wrap(sales), out, new Formatter(format, SALE_COLUMNS, (r) => ({ ...r.sale, sync: r.sale.syncedAt ? 'synced' : 'pending' })));
  });
}
