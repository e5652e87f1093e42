// till sales list|show: what this till sold — lines, tenders, totals (fen), status, sync state;
// till sales approvals: the supervisor approvals given at its checkout.
import { QUARANTINED_AT_HQ } from '../db/outbox.js';
import { Command } from 'commander';
import { formatLocalTime } from '../core/dates.js';
import { formatFen } from '../core/money.js';
import type { SaleWithSync } from '../db/sales.js';

// db/sales brings uuid and node:crypto (for recording): load it only in these commands' actions.
const salesDb = () => import('../db/sales.js');
import { openTill, printJson, writeOut } from './context.js';
import { dateRange, withPeriodOptions } from './options.js';
import { returnCommands } from './returns.js';

const METHOD: Record<string, string> = { cash: 'cash', card: 'card', wechat: 'WeChat', alipay: 'Alipay' };

// A training sale is never uploaded: 'never', neither pending nor synced.
const syncState = (s: SaleWithSync) => (s.training ? 'never' : !s.syncedAt ? 'pending' : s.hqFlag === QUARANTINED_AT_HQ ? 'quarantined at HQ' : 'synced');
const toJson = (s: SaleWithSync) => ({ ...s, sync: syncState(s) });

function qtyText(l: SaleWithSync['lines'][number]): string {
  return l.qtyGrams !== null ? `${(l.qtyGrams / 1000).toFixed(3)} kg` : `×${l.qty}`;
}

function showSale(s: SaleWithSync): string {
  const out = [
    `Receipt   ${s.receiptNo}`,
    `Id        ${s.id}`,
    `Time      ${formatLocalTime(new Date(s.createdAt))}`,
    `Cashier   ${s.cashierId} ${s.cashierName}`,
    s.training ? `Status    training (练习): not a sale, never uploaded` : `Status    ${s.status} · ${syncState(s)} (seq ${s.seq})`,
    '',
  ];
  for (const l of s.lines) {
    const unit = l.qtyGrams !== null ? `${formatFen(l.unitPriceFen)}/kg` : formatFen(l.unitPriceFen);
    const disc = l.discountFen ? `  (-${formatFen(l.discountFen)})` : '';
    out.push(`  ${l.lineNo}. ${l.name}  ${qtyText(l)} @ ${unit}  = ${formatFen(l.lineTotalFen + l.discountFen)}${disc}`);
  }
  out.push('');
  out.push(`Subtotal  ${formatFen(s.subtotalFen)}`);
  // Subtotal − Discount = Total (core/sale.ts): the discount is the lines' and the sale's.
  if (s.discountFen) out.push(`Discount  -${formatFen(s.discountFen)}${s.orderDiscountFen && s.orderDiscountFen !== s.discountFen ? `  (sale -${formatFen(s.orderDiscountFen)})` : ''}`);
  out.push(`Total     ${formatFen(s.totalFen)}  (${s.itemCount} items)`);
  for (const p of s.payments) {
    const extra = p.method === 'cash' && p.changeFen ? ` tendered ${formatFen(p.tenderedFen)}, change ${formatFen(p.changeFen)}` : p.reference ? ` ref ${p.reference}` : '';
    out.push(`Paid      ${METHOD[p.method] ?? p.method} ${formatFen(p.amountFen)}${extra}`);
  }
  return out.join('\n') + '\n';
}

const list = withPeriodOptions(new Command('list').description('list sales, oldest first'))
  .option('--json', 'print JSON: one object per sale with lines and payments')
  .option('--training', 'include training sales (练习), which are left out otherwise')
  .action(async (opts, cmd: Command) => {
    const range = dateRange(opts.from, opts.to);
    const { listSales } = await salesDb();
    const { db } = openTill(cmd);
    try {
      const sales = listSales(db, { ...range, includeTraining: opts.training === true });
      if (opts.json) return printJson(sales.map(toJson));
      if (sales.length === 0) return void writeOut(2, 'No sales in that period.\n');
      const { renderTable } = await import('../core/table.js');
      const rows = sales.map((s) => [
        s.receiptNo,
        formatLocalTime(new Date(s.createdAt)),
        s.cashierId,
        String(s.itemCount),
        formatFen(s.totalFen),
        s.payments.map((p) => METHOD[p.method] ?? p.method).join('+'),
        s.training ? 'training' : s.status,
        syncState(s),
      ]);
      const total = sales.reduce((a, s) => a + (s.status === 'completed' && !s.training ? s.totalFen : 0), 0);
      writeOut(
        1,
        renderTable(
          [
            { header: 'RECEIPT' },
            { header: 'TIME' },
            { header: 'CASHIER' },
            { header: 'ITEMS', align: 'right' },
            { header: 'TOTAL', align: 'right' },
            { header: 'PAID BY' },
            { header: 'STATUS' },
            { header: 'SYNC' },
          ],
          rows,
        ) + `\n${sales.length} sales, total ${formatFen(total)}\n`,
      );
    } finally {
      db.close();
    }
  });

const show = new Command('show')
  .description('show one sale by receipt number, id, or "last"')
  .argument('<receipt-no|id|last>', 'receipt number (S001-T01-20261126-0001), sale id, or last')
  .option('--json', 'print JSON')
  .action(async (ref: string, opts, cmd: Command) => {
    const { findSale } = await salesDb();
    const { db } = openTill(cmd);
    try {
      const s = findSale(db, ref);
      if (opts.json) printJson(toJson(s));
      else {
        // What came back of it (till sales return|void), so that a cashier sees what is left.
        const { returnsOfSale } = await import('../db/returns.js');
        const back = s.training ? [] : returnsOfSale(db, s.id);
        const lines = back.map((r) => `${r.kind === 'post-void' ? 'Voided' : 'Returned'}  ${r.returnNo}  ${r.lines.map((l) => `line ${l.lineNo}${l.qtyGrams === null ? ` ×${l.qty}` : ''}`).join(', ')}  refund ${formatFen(r.refundFen)}`);
        writeOut(1, showSale(s) + (lines.length ? `\n${lines.join('\n')}\n` : ''));
      }
    } finally {
      db.close();
    }
  });

const approvals = withPeriodOptions(
  new Command('approvals').description('the journal of supervisor approvals at the checkout: discounts over the limit, changes after a payment, cancelled part-paid sales'),
)
  .option('--json', 'print JSON: one object per approval')
  .action(async (opts, cmd: Command) => {
    const range = dateRange(opts.from, opts.to);
    const { listApprovals } = await import('../db/approvals.js');
    const { db } = openTill(cmd);
    try {
      const rows = listApprovals(db, range);
      if (opts.json) return printJson(rows);
      if (rows.length === 0) return void writeOut(2, 'No approvals in that period.\n');
      const { renderTable } = await import('../core/table.js');
      const table = renderTable(
        [{ header: 'TIME' }, { header: 'CASHIER' }, { header: 'SUPERVISOR' }, { header: 'REASON' }, { header: 'WHAT' }],
        rows.map((a) => [formatLocalTime(new Date(a.at)), a.cashierId, a.supervisorId, a.reason, a.detail]),
      );
      writeOut(1, `${table}\n${rows.length} approvals\n`);
    } finally {
      db.close();
    }
  });

const voids = withPeriodOptions(new Command('voids').description('the journal of voids at the checkout: cancelled sales, removed lines, sales dropped on leaving'))
  .option('--json', 'print JSON: one object per void, with its lines')
  .action(async (opts, cmd: Command) => {
    const range = dateRange(opts.from, opts.to);
    const { listVoids } = await import('../db/voids.js');
    const { db } = openTill(cmd);
    try {
      const rows = listVoids(db, range);
      if (opts.json) return printJson(rows);
      if (rows.length === 0) return void writeOut(2, 'No voids in that period.\n');
      const { renderTable } = await import('../core/table.js');
      const table = renderTable(
        [{ header: 'TIME' }, { header: 'KIND' }, { header: 'CASHIER' }, { header: 'APPROVER' }, { header: 'LINES' }, { header: 'AMOUNT', align: 'right' }],
        rows.map((v) => [formatLocalTime(new Date(v.at)), v.kind, v.cashierId, v.approverId ?? '', v.lines.map((l) => l.name).join(', '), formatFen(v.amountFen)]),
      );
      writeOut(1, `${table}\n${rows.length} voids, ${formatFen(rows.reduce((a, v) => a + v.amountFen, 0))}\n`);
    } finally {
      db.close();
    }
  });

export const salesCommand = new Command('sales').description('sales made on this till').addCommand(list).addCommand(show).addCommand(approvals).addCommand(voids);
for (const c of returnCommands) salesCommand.addCommand(c);
