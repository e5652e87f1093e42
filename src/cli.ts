// The `till` program: registers every command and owns the one top-level error handler.
// Admin commands must not load Ink or React; the checkout is imported lazily.
import { Command, CommanderError } from 'commander';
import { version } from '../package.json';
import { ExitCode, TillError, UsageError } from './errors.js';
import { writeOut } from './commands/context.js';
import { initCommand } from './commands/init.js';
import { productsCommand } from './commands/products.js';
import { demoCommand } from './commands/demo.js';
import { salesCommand } from './commands/sales.js';
import { enrollCommand, syncCommand } from './commands/sync.js';
import { printCommand, printerCommand } from './commands/print.js';
import { configCommand } from './commands/config.js';
import { hqCommand } from './commands/hq.js';
import { checkoutCommand, openCheckout } from './commands/checkout.js';
import { simulateCommand } from './commands/simulate.js';
import { exportCommand } from './commands/export.js';

export function buildProgram(): Command {
  const program = new Command('till')
    .description('Till: the convenience-store cashier system (checkout, catalog, sync with HQ)')
    .option('--home <dir>', 'where this till (or HQ) keeps its database and config [env: TILL_HOME]')
    .option('--lang <lang>', 'language of the cashier screens: zh-CN or en [env: TILL_LANG]')
    .version(version, '-V, --version', 'print the version')
    .option('--debug', 'show stack traces on errors')
    .showHelpAfterError('(run with --help for usage)')
    .addCommand(initCommand)
    .addCommand(productsCommand)
    .addCommand(demoCommand)
    .addCommand(salesCommand)
    .addCommand(enrollCommand)
    .addCommand(syncCommand)
    .addCommand(printCommand)
    .addCommand(printerCommand)
    .addCommand(configCommand)
    .addCommand(hqCommand)
    .addCommand(checkoutCommand)
    .addCommand(simulateCommand)
    .addCommand(exportCommand)
    // `till` alone: the checkout on a terminal, the help text anywhere else.
    .allowExcessArguments(true)
    .action(async (_opts, cmd: Command) => {
      if (cmd.args.length > 0) throw new UsageError(`Unknown command "${cmd.args[0]}". Run \`till --help\` to see the commands.`);
      if (process.stdin.isTTY && process.stdout.isTTY) await openCheckout(cmd);
      else cmd.outputHelp();
    });
  applyToAll(program, (c) => c.exitOverride());
  return program;
}

function applyToAll(cmd: Command, fn: (c: Command) => void): void {
  fn(cmd);
  for (const sub of cmd.commands) applyToAll(sub, fn);
}

/** Runs the program and sets process.exitCode; never throws. */
export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    process.exitCode = reportError(err, argv.includes('--debug'));
  }
}

export function reportError(err: unknown, debug: boolean): number {
  if (err instanceof CommanderError) {
    // Commander already printed its message (usage errors) or the help/version text.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return ExitCode.ok;
    return ExitCode.usage;
  }
  if (err instanceof TillError) {
    writeOut(2, `till: ${err.message}\n`);
    if (debug && err.stack) writeOut(2, err.stack + '\n');
    return err.exitCode;
  }
  const e = err as Error;
  writeOut(2, `till: unexpected error: ${e?.message ?? String(err)}\n`);
  if (debug) writeOut(2, (e?.stack ?? '') + '\n');
  else writeOut(2, 'Run again with --debug to see the stack trace, and report it.\n');
  return ExitCode.userError;
}
