// till simulate sales: rings up random baskets through the checkout's cart and commit code —
// a store's test environment, demo data, and load for sync tests.
import { Command } from 'commander';
import { UserError } from '../errors.js';
import { printJson, say } from './context.js';
import { intOption, withTill } from './options.js';


const sales = new Command('sales')
  .description('ring up random realistic sales (same cart and commit code as the checkout)')
  .requiredOption('--count <n>', 'how many sales', intOption('--count', 1, 1_000_000))
  .option('--seed <s>', 'random seed: the same seed and catalog give the same baskets', intOption('--seed', 0, 2 ** 31 - 1), 1)
  .option('--cashier <id>', 'cashier number to record (default: the first cashier)')
  .option('--training', 'ring up training sales (练习): kept apart, never uploaded, left out of lists and exports')
  .option('--json', 'print a JSON summary on stdout')
  .action(async (opts: { count: number; seed: number; cashier?: string; training?: boolean; json?: boolean }, cmd: Command) => {
    await withTill(cmd, async ({ home, db }) => {
      const { listUsers, getUser } = await import('../db/users.js');
      const { simulateSales, SimulationError } = await import('../checkout/simulate.js');
      const { TillConfig } = await import('../config.js');
      const { formatFen } = await import('../core/money.js');
      const { currentShift } = await import('../db/shifts.js');
      // Without --cashier: the cashier of the open shift, else the first cashier.
      const onShift = currentShift(db)?.cashierId;
      const user = opts.cashier
        ? getUser(db, opts.cashier)
        : ((onShift && getUser(db, onShift)) || (listUsers(db).find((u) => u.active && u.role === 'cashier') ?? listUsers(db).find((u) => u.active)));
      if (!user) throw new UserError(opts.cashier ? `No user ${opts.cashier}; see the users of this till or leave --cashier out.` : 'This till has no users; run `till init` first.');
      if (!user.active) throw new UserError(`User ${user.id} is disabled; choose another --cashier.`);
      const limit = new TillConfig(home).get('discount.limitPercent');
      let summary;
      try {
        summary = simulateSales(db, {
          count: opts.count,
          seed: opts.seed,
          cashier: { id: user.id, name: user.name },
          policy: { discountLimitBp: Math.round(limit * 100) },
          training: opts.training === true,
        });
      } catch (e) {
        if (e instanceof SimulationError) throw new UserError(e.message);
        throw e;
      }
      if (summary.openedShift) say(`No shift was open: opened shift ${summary.shiftId} for cashier ${user.id} with a zero float.`);
      if (opts.json) printJson(summary);
      else
        say(
          `Rang up ${summary.sales} ${opts.training ? 'training (练习) ' : ''}sales, ${summary.items} items, ¥${formatFen(summary.totalFen)} as cashier ${user.id}` +
            (summary.firstReceipt ? ` (${summary.firstReceipt} … ${summary.lastReceipt}).` : '.'),
        );
    });
  });

export const simulateCommand = new Command('simulate').description('generate activity on this till (test data, load for sync)').addCommand(sales);
