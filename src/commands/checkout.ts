// till checkout (and `till` with no command on a terminal): the cashier's screen. Everything
// heavy — Ink, React, the config store, sync, printing — loads inside the action.
import { Command } from 'commander';
import { UsageError } from '../errors.js';
import { globals, openTill } from './context.js';

export const checkoutCommand = new Command('checkout')
  .description('open the checkout screen: cashier sign-in, scanning, payment (needs a terminal)')
  .action(async (_opts, cmd: Command) => {
    await openCheckout(cmd);
  });

export async function openCheckout(cmd: Command): Promise<void> {
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw new UsageError('The checkout needs a terminal: run `till checkout` in a terminal window (stdin and stdout must not be pipes).');
  }
  const requested = globals(cmd).lang;
  const { home, db, identity } = openTill(cmd);
  try {
    const { TillConfig } = await import('../config.js');
    const { pickLang } = await import('../core/i18n.js');
    const config = new TillConfig(home);
    const lang = pickLang(requested, process.env.TILL_LANG, config.get('lang'));
    if (!lang) throw new UsageError(`Unknown language "${requested ?? process.env.TILL_LANG}": use --lang zh-CN or --lang en.`);
    const hqUrl = config.get('hq.url');
    const background = hqUrl ? (await import('../sync/background.js')).startBackgroundSync({ db, home }) : undefined;
    const printerUri = config.get('printer.uri');
    const print = async (sale: import('../core/types.js').Sale, openDrawer: boolean) => {
      const { printSaleReceipt } = await import('../print/index.js');
      return printSaleReceipt({ home, sale, identity, config, openDrawer, lang });
    };
    const { runCheckout } = await import('../ui/run.js');
    await runCheckout({
      db,
      identity,
      lang,
      discountLimitPercent: config.get('discount.limitPercent'),
      printerUri,
      hqUrl,
      print,
      background,
    });
  } finally {
    db.close();
  }
}
