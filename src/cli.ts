// The `till` program: registers every command and owns the one top-level error handler.
// Admin commands must not load Ink or React; each command group is imported when named.
import { Command, CommanderError } from 'commander';
import { version } from '../package.json';
import { ExitCode, TillError, UsageError } from './errors.js';
import { writeOut } from './output.js';

/**
 * Every command group, loaded only when its name is on the command line: `till products show`
 * compiles and registers the products commands, not all of them. The full help loads them all.
 */
const GROUPS: Record<string, () => Promise<Command>> = {
  init: async () => (await import('./commands/init.js')).initCommand,
  products: async () => (await import('./commands/products.js')).productsCommand,
  demo: async () => (await import('./commands/demo.js')).demoCommand,
  sales: async () => (await import('./commands/sales.js')).salesCommand,
  enroll: async () => (await import('./commands/sync.js')).enrollCommand,
  sync: async () => (await import('./commands/sync.js')).syncCommand,
  print: async () => (await import('./commands/print.js')).printCommand,
  printer: async () => (await import('./commands/print.js')).printerCommand,
  config: async () => (await import('./commands/config.js')).configCommand,
  hq: async () => (await import('./commands/hq.js')).hqCommand,
  checkout: async () => (await import('./commands/checkout.js')).checkoutCommand,
  simulate: async () => (await import('./commands/simulate.js')).simulateCommand,
  export: async () => (await import('./commands/export.js')).exportCommand,
  users: async () => (await import('./commands/users.js')).usersCommand,
  shift: async () => (await import('./commands/shift.js')).shiftCommand,
  report: async () => (await import('./commands/report.js')).reportCommand,
};

/** The first word of the command line that is not a global option or its value. */
function commandName(argv: string[]): string | undefined {
  for (let i = 2; i < argv.length; i++) {
    if (argv[i] === '--home' || argv[i] === '--lang') i++;
    else if (!argv[i].startsWith('-')) return argv[i];
  }
  return undefined;
}

const interactive = () => Boolean(process.stdin.isTTY && process.stdout.isTTY);

/** The groups this command line needs: its own; the checkout for `till` alone on a terminal; else all. */
function groupsFor(argv: string[]): string[] {
  const name = commandName(argv);
  if (name !== undefined && Object.hasOwn(GROUPS, name)) return [name];
  const asksForHelpOrVersion = argv.slice(2).some((a) => ['-h', '--help', '-V', '--version'].includes(a));
  if (name === undefined && !asksForHelpOrVersion && interactive()) return ['checkout'];
  return Object.keys(GROUPS);
}

export async function buildProgram(argv: string[]): Promise<Command> {
  const program = new Command('till')
    .description('Till: the convenience-store cashier system (checkout, catalog, sync with HQ)')
    .option('--home <dir>', 'where this till (or HQ) keeps its database and config [env: TILL_HOME]')
    .option('--lang <lang>', 'language of the cashier screens: zh-CN or en [env: TILL_LANG]')
    .version(version, '-V, --version', 'print the version')
    .option('--debug', 'show stack traces on errors')
    .showHelpAfterError('(run with --help for usage)')
    .helpCommand(true)
    // `till` alone: the checkout on a terminal, the help text anywhere else.
    .allowExcessArguments(true)
    .action(async (_opts, cmd: Command) => {
      if (cmd.args.length > 0) throw new UsageError(`Unknown command "${cmd.args[0]}". Run \`till --help\` to see the commands.`);
      if (interactive()) await (await import('./commands/checkout.js')).openCheckout(cmd);
      else cmd.outputHelp();
    });
  for (const command of await Promise.all(groupsFor(argv).map((name) => GROUPS[name]()))) program.addCommand(command);
  applyToAll(program, (c) => c.exitOverride());
  return program;
}

function applyToAll(cmd: Command, fn: (c: Command) => void): void {
  fn(cmd);
  for (const sub of cmd.commands) applyToAll(sub, fn);
}

/** Runs the program and sets process.exitCode; never throws. */
export async function main(argv: string[]): Promise<void> {
  try {
    const program = await buildProgram(argv);
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
