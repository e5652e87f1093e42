// till hq tills list|retire and till hq alerts list: the devices that sell under each till code
// (issue 17: a stream per installation) and what HQ asks a person to look at. Built by
// hq.ts with its database option and opener, so that both stay defined once.
import { Command, type Option } from 'commander';
import type { HqStore } from '../hq/store.js';
import { printJson, say, writeOut } from './context.js';

type WithHq = <T>(cmd: Command, fn: (hq: HqStore) => Promise<T>) => Promise<T>;

export function deviceCommands(dbOption: () => Option, withHq: WithHq): { tills: Command; alerts: Command } {
  const tillsList = new Command('list')
    .description('devices enrolled under each till code: store, till, device id, enrolled/retired, last seq, last upload')
    .option('--store <code>', 'only this store')
    .option('--json', 'print JSON')
    .addOption(dbOption())
    .action(async (opts, cmd: Command) => {
      const devices = await withHq(cmd, (hq) => hq.listDevices({ storeCode: opts.store }));
      if (opts.json) return printJson(devices);
      if (devices.length === 0) return say('No devices yet; enroll a till with a code from `till hq enroll-code --store <code> --till <code>`.');
      const { renderTable } = await import('../core/table.js');
      writeOut(
        1,
        renderTable(
          [{ header: 'STORE' }, { header: 'TILL' }, { header: 'DEVICE' }, { header: 'STATUS' }, { header: 'SINCE' }, { header: 'LAST SEQ', align: 'right' }, { header: 'LAST UPLOAD' }],
          devices.map((d) => [d.storeCode, d.tillCode, d.device, d.status, (d.retiredAt ?? d.enrolledAt) ?? '-', String(d.hwm), d.lastUploadAt ?? '-']),
        ) + '\n',
      );
    });

  const tillsRetire = new Command('retire')
    .description('retire a device (replaced or lost hardware): what it sold before is still taken, what it makes after is quarantined')
    .argument('<device>', 'the device id from `till hq tills list`, or its #number')
    .option('--json', 'print JSON')
    .addOption(dbOption())
    .action(async (device: string, opts, cmd: Command) => {
      const d = await withHq(cmd, (hq) => hq.retireDevice(device));
      if (opts.json) return printJson(d);
      say(`Retired device ${d.device} of ${d.storeCode}/${d.tillCode} at ${d.retiredAt}. Its sales made before then are still taken; enroll it again to sell on it.`);
    });

  const tills = new Command('tills').description('the devices that sell under each till code').addCommand(tillsList).addCommand(tillsRetire);

  const alertsList = new Command('list')
    .description('what HQ asks a person to look at: conflicting or rejected uploads, duplicate receipt numbers, second devices')
    .option('--store <code>', 'only this store')
    .option('--json', 'print JSON')
    .addOption(dbOption())
    .action(async (opts, cmd: Command) => {
      const rows = await withHq(cmd, (hq) => hq.listAlerts({ storeCode: opts.store }));
      if (opts.json) return printJson(rows);
      if (rows.length === 0) return say('No alerts.');
      for (const r of rows) writeOut(1, `#${r.id} ${r.createdAt} ${r.kind}: ${r.message}\n`);
    });

  const alerts = new Command('alerts').description('alerts HQ raised about the tills').addCommand(alertsList);

  return { tills, alerts };
}
