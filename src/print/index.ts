// Receipt printing after a sale commits. The public entry never throws and never waits longer
// than printer.timeoutMs: a printer problem must never block or lose a sale.
import type { Sale } from '../core/types.js';
import type { TillIdentity } from '../db/settings.js';
import type { TillConfig } from '../config.js';
import { formatFen } from '../core/money.js';

export interface PrintSaleOptions {
  home: string;
  sale: Sale;
  identity: TillIdentity;
  config: TillConfig;
  /** Kick the cash drawer (cash tenders). */
  openDrawer?: boolean;
  /** A reprint: carries the "重印 / COPY" mark. */
  copy?: boolean;
}

export type PrintResult = { ok: true; preview?: string } | { ok: false; message: string };

export async function printSaleReceipt(opts: PrintSaleOptions): Promise<PrintResult> {
  try {
    const uri = opts.config.get('printer.uri');
    if (uri === 'none') return { ok: true };
    const { sale, identity } = opts;
    const text = [
      identity.storeName,
      opts.copy ? '重印 / COPY' : '',
      sale.receiptNo,
      ...sale.lines.map((l) => `${l.name}  ${formatFen(l.lineTotalFen)}`),
      `合计 ${formatFen(sale.totalFen)}`,
    ]
      .filter(Boolean)
      .join('\n');
    if (uri === 'preview') return { ok: true, preview: text };
    return { ok: false, message: `Printing to ${uri} is not available yet; the sale is saved.` };
  } catch (err) {
    return { ok: false, message: `Receipt not printed: ${(err as Error)?.message ?? String(err)}. The sale is saved; reprint with \`till print reprint last\`.` };
  }
}
