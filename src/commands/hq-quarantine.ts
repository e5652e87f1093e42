// till hq quarantine …: uploads HQ put aside for a person (src/hq/quarantine.ts). `list` pages
// through them oldest first (--till, --limit, --after); `accept` has a checked sale counted,
// once, with who accepted it and why. Storage is opened through the caller's withHq.
import { Command, type Option } from 'commander';
import { UsageError } from '../errors.js';
import { intOption } from './options.js';
import type { HqStore } from '../hq/store.js';
import { printJson, say, writeOut } from './context.js';

export interface HqCommandDeps {
  dbOption(): Option;
  withHq<T>(cmd: Command, fn: (hq: HqStore) => Promise<T>): Promise<T>;
}


/** "S001/T01" → the till's store and code. */
function tillRefOption(v: string): { storeCode: string; tillCode: string } {
  const m = /^([A-Za-z0-9_-]{1,16})\/([A-Za-z0-9_-]{1,16})$/.exec(v.trim());
  if (!m) throw new UsageError(`--till takes <store>/<till>, e.g. S001/T01, got "${v}".`);
  return { storeCode: m[1], tillCode: m[2] };
}

export function quarantineCommand({ dbOption, withHq }: HqCommandDeps): Command {
  const list = new Command('list')
    .description('uploads HQ did not take as sales (rule-breaking sales, re-sent seqs with different content), oldest first, a page at a time')
    .option('--store <code>', 'only this store')
    .option('--till <store/till>', 'only this till, e.g. S001/T01', tillRefOption)
    .option('--limit <n>', 'at most n rows', intOption('--limit', 1), 100)
    .option('--after <id>', 'rows after this id (the last id of the previous page)', intOption('--after', 0))
    .option('--accepted', 'include uploads an admin accepted')
    .option('--json', 'print JSON: an array of {id, storeCode, tillCode, seq, kind, reason, saleId, receivedAt, accepted}')
    .addOption(dbOption())
    .action(async (opts, cmd: Command) => {
      const { rows, overflow } = await withHq(cmd, async (hq) => {
        const { quarantineOverflow } = await import('../hq/quarantine.js');
        return {
          rows: await hq.listQuarantine({ storeCode: opts.store, till: opts.till, limit: opts.limit + 1, afterId: opts.after, includeAccepted: !!opts.accepted }),
          overflow: (await quarantineOverflow(hq.db)).filter((o) => (!opts.store || o.storeCode === opts.store) && (!opts.till || (o.storeCode === opts.till.storeCode && o.tillCode === opts.till.tillCode))),
        };
      });
      const page = rows.slice(0, opts.limit);
      if (rows.length > opts.limit) say(`More rows: add --after ${page.at(-1)!.id}.`);
      for (const o of overflow) say(`Till ${o.storeCode}/${o.tillCode}: ${o.dropped} more upload(s) were quarantined but not stored (per-till cap reached; last ${o.lastAt}).`);
      if (opts.json) return printJson(page);
      if (page.length === 0) return say('Nothing in quarantine.');
      for (const r of page) {
        const accepted = r.accepted ? ` — accepted by ${r.accepted.by} at ${r.accepted.at}: ${r.accepted.reason}` : '';
        writeOut(1, `#${r.id} ${r.storeCode}/${r.tillCode} seq ${r.seq} ${r.kind}: ${r.reason} (${r.receivedAt})${accepted}\n`);
      }
    });

  const accept = new Command('accept')
    .description('count a quarantined sale after checking it (e.g. a real sale above the plausibility cap); recorded with who and why')
    .argument('<id>', 'the quarantine id (#12 or 12) from `till hq quarantine list`')
    .requiredOption('--reason <text>', 'why the sale is real (kept with the acceptance)')
    .option('--by <name>', 'who accepts it (default: the logged-in user)')
    .option('--json', 'print the accepted row as JSON')
    .addOption(dbOption())
    .action(async (ref: string, opts, cmd: Command) => {
      const id = intOption('<id>', 1)(ref.replace(/^#/, ''));
      const by = opts.by ?? (await import('node:os')).userInfo().username;
      const row = await withHq(cmd, (hq) => hq.acceptQuarantined(id, by, opts.reason));
      if (opts.json) return printJson(row);
      say(`Accepted #${row.id} (${row.storeCode}/${row.tillCode} seq ${row.seq}): it is now counted in HQ's sales and reports. Recorded: ${row.accepted!.by}, ${row.accepted!.at}, "${row.accepted!.reason}".`);
    });

  return new Command('quarantine').description('uploads put aside for a person to look at').addCommand(list).addCommand(accept);
}
