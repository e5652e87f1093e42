// till config get|set|unset|list: this till's settings (printer, receipt footer, HQ address…),
// validated against the declarations in src/config.ts. conf and zod load inside the actions.
import { Command } from 'commander';
import { homeOf, printJson, say, writeOut } from './context.js';

const load = () => import('../config.js');

function show(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

const get = new Command('get')
  .description('print the value of one setting')
  .argument('<key>', 'a setting, e.g. printer.uri (see `till config list`)')
  .option('--json', 'print JSON: {key, value, isDefault}')
  .action(async (key: string, opts: { json?: boolean }, cmd: Command) => {
    const { TillConfig, assertConfigKey } = await load();
    const k = assertConfigKey(key);
    const entry = new TillConfig(homeOf(cmd)).list().find((e) => e.key === k)!;
    if (opts.json) printJson({ key: k, value: entry.value, isDefault: entry.isDefault });
    else writeOut(1, show(entry.value) + '\n');
  });

const set = new Command('set')
  .description('change a setting (checked before it is saved)')
  .argument('<key>', 'a setting, e.g. printer.uri')
  .argument('<value>', 'its new value, e.g. tcp://192.168.1.50:9100')
  .action(async (key: string, value: string, _opts: unknown, cmd: Command) => {
    const { TillConfig, assertConfigKey } = await load();
    const k = assertConfigKey(key);
    // The declared pattern accepts any port; the printer code also checks its range.
    if (k === 'printer.uri') await (await import('../print/index.js')).checkPrinterUri(value);
    const saved = await new TillConfig(homeOf(cmd)).set(k, value);
    say(`${k} = ${show(saved)}`);
  });

const unset = new Command('unset')
  .description('return a setting to its default')
  .argument('<key>', 'a setting, e.g. printer.uri')
  .action(async (key: string, _opts: unknown, cmd: Command) => {
    const { TillConfig, CONFIG_KEYS, assertConfigKey } = await load();
    const k = assertConfigKey(key);
    await new TillConfig(homeOf(cmd)).unset(k);
    say(`${k} = ${show(CONFIG_KEYS[k].default)} (default)`);
  });

const list = new Command('list')
  .description('list every setting with its value and what it does')
  .option('--json', 'print JSON: [{key, value, isDefault, help}]')
  .action(async (opts: { json?: boolean }, cmd: Command) => {
    const { TillConfig } = await load();
    const config = new TillConfig(homeOf(cmd));
    const entries = config.list();
    if (opts.json) return printJson(entries);
    const { renderTable } = await import('../core/table.js');
    writeOut(
      1,
      renderTable(
        [{ header: 'KEY' }, { header: 'VALUE', max: 40 }, { header: '' }, { header: 'WHAT IT DOES' }],
        entries.map((e) => [e.key, show(e.value) || '""', e.isDefault ? '(default)' : '', e.help]),
      ) + '\n',
    );
    say(`Stored in ${config.path}`);
  });

export const configCommand = new Command('config')
  .description("this till's settings: printer, receipt footer, HQ address, language…")
  .addCommand(get)
  .addCommand(set)
  .addCommand(unset)
  .addCommand(list);
