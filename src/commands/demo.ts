// till demo: a demo store to try the checkout on — catalog, cashier and supervisor.
import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { dbPath } from '../home.js';
import { homeOf, say } from './context.js';
import { positiveInt } from './options.js';

export const DEMO_USERS = [
  { id: '1001', name: '张收银', role: 'cashier', pin: '1111' },
  { id: '9001', name: '李店长', role: 'supervisor', pin: '9999' },
] as const;

export async function seedDemo(home: string, productCount: number): Promise<{ created: boolean; products: number }> {
  if (existsSync(dbPath(home))) return { created: false, products: 0 };
  const { initTill } = await import('./init.js');
  const { openDatabase } = await import('../db/open.js');
  const { addProduct } = await import('../db/products-write.js');
  const { createUser } = await import('../db/users.js');
  const { demoCatalog } = await import('../demo/catalog.js');
  await initTill({ home, store: 'DEMO', till: 'T01', name: 'Till 演示便利店', address: '上海市浦东新区演示路 1 号', adminId: '1', adminPin: '1234' });
  const db = openDatabase(dbPath(home));
  let n = 0;
  try {
    db.transaction(() => {
      for (const u of DEMO_USERS) createUser(db, { ...u });
      for (const p of demoCatalog(productCount)) {
        addProduct(db, { ...p, barcodes: p.barcode ? [p.barcode] : [] });
        n++;
      }
    })();
  } finally {
    db.close();
  }
  return { created: true, products: n };
}

export const demoCommand = new Command('demo')
  .description('create a demo store (about 2,000 products, demo cashier and supervisor) in --home')
  .option('--products <n>', 'how many packaged products', (v) => positiveInt(v, '--products'), 2000)
  .action(async (opts, cmd: Command) => {
    const home = homeOf(cmd);
    const r = await seedDemo(home, opts.products);
    say(r.created ? `Demo store created in ${home} with ${r.products} products.` : `Using the demo store already in ${home}.`);
    say('Demo users (id / PIN): cashier 1001 / 1111 · supervisor 9001 / 9999 · admin 1 / 1234');
  });
