// till hq z list: the tills' Z reports as HQ received them in their event streams (issue 12).
// A day's net at HQ (`till hq sales report`) equals the sum of that day's Z reports' net.
// Built by hq.ts with its database option and opener, so that both stay defined once.
import { Command, type Option } from 'commander';
import type { HqStore } from '../hq/store.js';
import { formatFen } from '../core/money.js';
import { printJson, say, writeOut } from './context.js';
import { dayPeriod, withBusinessDayOptions } from './options.js';

type WithHq = <T>(cmd: Command, fn: (hq: HqStore) => Promise<T>) => Promise<T>;

export function zCommand(dbOption: () => Option, withHq: WithHq): Command {
  const list = withBusinessDayOptions(
    new Command('list').description("the tills' Z reports, by business day, store and till").option('--store <code>', 'only this store').option('--till <code>', 'only this till code'),
  )
    .option('--json', 'print JSON (one object per Z: storeCode, tillCode, no, businessDate, takenAt, salesCount, grossFen, discountFen, returnsFen, netFen, grandTotalFen)')
    .addOption(dbOption())
    .action(async (opts, cmd: Command) => {
      const { from, to } = dayPeriod(opts.from, opts.to);
      const rows = await withHq(cmd, (hq) => hq.listZ({ storeCode: opts.store, tillCode: opts.till, from, to }));
      if (opts.json) return printJson(rows);
      if (rows.length === 0) return say('No Z reports found (a till sends its Z with its next sync).');
      const { renderTable } = await import('../core/table.js');
      const num = { align: 'right' as const };
      writeOut(
        1,
        renderTable(
          [{ header: 'DAY' }, { header: 'STORE' }, { header: 'TILL' }, { header: 'Z', ...num }, { header: 'SALES', ...num }, { header: 'RETURNS', ...num }, { header: 'NET', ...num }, { header: 'GRAND TOTAL', ...num }],
          rows.map((z) => [z.businessDate, z.storeCode, z.tillCode, String(z.no), String(z.salesCount), formatFen(z.returnsFen), formatFen(z.netFen), formatFen(z.grandTotalFen)]),
        ) + '\n',
      );
    });
  return new Command('z').description("the tills' Z reports (end-of-day closings) received by HQ").addCommand(list);
}
