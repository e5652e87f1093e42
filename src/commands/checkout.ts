// till checkout (and `till` with no command on a terminal): the cashier's screen. Everything
// heavy — Ink, React, the config store, sync, printing — loads inside the action, and the config
// store (conf + zod) only after the first frame is on the screen.
import { Command } from 'commander';
import { UsageError } from '../errors.js';
import { configPath, configValue, readConfigFile } from '../config-file.js';
import { useCheckoutPragmas } from '../db/open.js';
import { globals, openTill } from './context.js';
import type { Sale } from '../core/types.js';

export const checkoutCommand = new Command('checkout')
  .description('open the checkout screen: cashier sign-in, scanning, payment (needs a terminal)')
  .option('--training', 'training mode (练习): sales are marked and kept apart, no shift, the drawer stays shut')
  .action(async (opts: { training?: boolean }, cmd: Command) => {
    await openCheckout(cmd, opts.training === true);
  });

/**
 * The `lang` setting read from the config file without the config store, so the first frame is
 * drawn in the right language before the store loads. A missing or unreadable file, or a value
 * that is no language, counts as unset, as the config store itself treats it.
 */
function langSetting(home: string): string | undefined {
  try {
    const v = configValue(readConfigFile(configPath(home)), 'lang');
    return v === 'en' || v === 'zh-CN' ? v : undefined;
  } catch {
    return undefined;
  }
}

export async function openCheckout(cmd: Command, training = false): Promise<void> {
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw new UsageError('The checkout needs a terminal: run `till checkout` in a terminal window (stdin and stdout must not be pipes).');
  }
  // Ink draws only the last frame when it believes it runs under CI (is-in-ci reads CI and
  // CONTINUOUS_INTEGRATION when its chunk loads). A checkout on a real terminal is always
  // interactive, whatever environment the till was started from.
  for (const key of ['CI', 'CONTINUOUS_INTEGRATION']) if (key in process.env) process.env[key] = 'false';
  // Start reading the screen's code (Ink, React) now; the small modules and the database open
  // meanwhile. The heap tuning lands before the big chunk is evaluated.
  const ui = import('../ui/run.js');
  ui.catch(() => undefined);
  const [{ keepHeapSmall }, { pickLang }] = await Promise.all([import('../ui/heap.js'), import('../core/i18n.js')]);
  keepHeapSmall();
  const requested = globals(cmd).lang;
  if (requested !== undefined && !pickLang(requested)) throw new UsageError(`Unknown language "${requested}": use --lang zh-CN or --lang en.`);
  if (!requested && process.env.TILL_LANG && !pickLang(process.env.TILL_LANG)) throw new UsageError(`TILL_LANG="${process.env.TILL_LANG}" is not a language: use zh-CN or en.`);
  const { home, db, identity } = openTill(cmd);
  useCheckoutPragmas(db);
  try {
    const lang = pickLang(requested, process.env.TILL_LANG, langSetting(home))!;
    const { runCheckout } = await ui;
    await runCheckout({
      db,
      identity,
      lang,
      training,
      loadSettings: async () => {
        const { TillConfig } = await import('../config.js');
        const config = new TillConfig(home);
        const hqUrl = config.get('hq.url');
        const background = hqUrl ? (await import('../sync/background.js')).startBackgroundSync({ db, home }) : undefined;
        return {
          discountLimitPercent: config.get('discount.limitPercent'),
          printerUri: config.get('printer.uri'),
          maxChangeFen: config.get('tender.maxChange') ? (await import('../core/money.js')).parseYuan(config.get('tender.maxChange'), { allowZero: true }) : undefined,
          weighManual: config.get('weigh.manual'),
          hqUrl,
          background,
          printerState: async () => (await import('../print/index.js')).printerState({ home, config, lang }),
          blindClose: config.get('shift.blindClose'),
          printReport: async (report) => {
            const { printReport } = await import('../print/index.js');
            return printReport({ home, report, storeName: identity.storeName, config, lang });
          },
          printReturn: async (ret) => {
            const { printReturnReceipt } = await import('../print/index.js');
            return printReturnReceipt({ home, ret, identity, config, lang });
          },
          print: async (sale, openDrawer, copy, training) => {
            const { printSaleReceipt } = await import('../print/index.js');
            // A reprint knows a training sale by the sale itself (db/sales.ts SaleWithSync).
            const isTraining = training ?? (sale as Sale & { training?: boolean }).training === true;
            return printSaleReceipt({ home, sale, identity, config, openDrawer: openDrawer && !isTraining, lang, copy, training: isTraining });
          },
        };
      },
    });
  } finally {
    db.close();
  }
}
