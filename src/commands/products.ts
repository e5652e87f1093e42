// till products add|list|show|update|remove: the local catalog.
import { Command, Option } from 'commander';
import { formatFen } from '../core/money.js';
import type { Product } from '../core/types.js';
import { assertLocalProduct, resolveProduct, searchProducts } from '../db/products.js';
import type { ProductPatch } from '../db/products-write.js';

// Writers load pinyin-pro: import them only in the commands that write.
const writer = () => import('../db/products-write.js');
import { printJson, say, writeOut } from './context.js';
import { importCommand } from './import.js';
import { productsExportCommand } from './export.js';
import { collect, positiveInt, priceOption, withTill } from './options.js';


function describe(p: Product): string {
  const price = p.weighed ? `${formatFen(p.priceFen)}/kg` : formatFen(p.priceFen);
  return `#${p.id} ${p.name} ¥${price} [${p.barcodes.join(', ') || 'no barcode'}]`;
}

async function printProducts(products: Product[]): Promise<void> {
  // Only tables for people load the column-width code; JSON output never does.
  const { renderTable } = await import('../core/table.js');
  if (products.length === 0) {
    say('No products found.');
    return;
  }
  const rows = products.map((p) => [
    String(p.id),
    p.barcodes[0] ?? '',
    p.name,
    formatFen(p.priceFen) + (p.weighed ? '/kg' : ''),
    p.unit,
    p.category,
  ]);
  writeOut(
    1,
    renderTable(
      [
        { header: 'ID', align: 'right' },
        { header: 'BARCODE' },
        { header: 'NAME', max: 30 },
        { header: 'PRICE', align: 'right' },
        { header: 'UNIT' },
        { header: 'CATEGORY', max: 12 },
      ],
      rows,
    ) + '\n',
  );
}

const add = new Command('add')
  .description('add a product (price in yuan, e.g. 3.5 or ¥3.50)')
  .requiredOption('--name <name>', 'product name')
  .requiredOption('--price <yuan>', 'unit price in yuan; per kg for weighed products')
  .option('--barcode <code>', 'a barcode (repeat for several)', collect, [])
  .option('--unit <unit>', 'unit, e.g. 瓶, 个, kg', '')
  .option('--category <category>', 'category', '')
  .option('--weighed', 'sold by weight (price is per kg)', false)
  .option('--plu <code>', '5-digit item code used on scale labels')
  .option('--json', 'print the product as JSON')
  .action(async (opts, cmd: Command) => {
    const priceFen = priceOption(opts.price);
    const { addProduct } = await writer();
    await withTill(cmd, ({ db }) => {
      const p = addProduct(db, {
        name: opts.name,
        priceFen,
        barcodes: opts.barcode,
        unit: opts.unit,
        category: opts.category,
        weighed: opts.weighed,
        plu: opts.plu ?? null,
      });
      if (opts.json) printJson(p);
      else say(`Added ${describe(p)}`);
    });
  });

const list = new Command('list')
  .description('list products; --search matches barcode, name or pinyin initials (kkkl → 可口可乐)')
  .option('--search <text>', 'barcode prefix, part of the name, or pinyin initials')
  .option('--category <category>', 'only this category')
  .option('--limit <n>', 'at most n products', (v) => positiveInt(v, '--limit'))
  .option('--all', 'include inactive products')
  .option('--json', 'print JSON')
  .action(async (opts, cmd: Command) => {
    await withTill(cmd, async ({ db }) => {
      const { items, capped } = searchProducts(db, opts.search ?? '', opts.limit, { category: opts.category, includeInactive: opts.all });
      if (opts.json) printJson(items);
      else await printProducts(items);
      // Said beside the data (stderr), so that the JSON stays the list it always was.
      if (capped) say(`${opts.limit}+ products${opts.search?.trim() ? ' match' : ''}: showing the first ${opts.limit} (a larger --limit shows more).`);
    });
  });

const show = new Command('show')
  .description('show one product by barcode or id')
  .argument('<barcode|id>', 'a barcode of the product, or its id (#12)')
  .option('--json', 'print JSON')
  .action(async (ref: string, opts, cmd: Command) => {
    await withTill(cmd, ({ db }) => {
      const p = resolveProduct(db, ref);
      if (opts.json) printJson(p);
      else
        writeOut(
          1,
          [
            `ID        ${p.id}`,
            `Name      ${p.name}`,
            `Pinyin    ${p.pinyin}`,
            `Price     ¥${formatFen(p.priceFen)}${p.weighed ? ' per kg (weighed)' : ''}`,
            `Barcodes  ${p.barcodes.join(', ') || '-'}`,
            `Unit      ${p.unit || '-'}`,
            `Category  ${p.category || '-'}`,
            `PLU       ${p.plu ?? '-'}`,
            `Active    ${p.active ? 'yes' : 'no'}`,
            `Updated   ${p.updatedAt}`,
          ].join('\n') + '\n',
        );
    });
  });

const update = withUpdateOptions(
  new Command('update').description('change a product found by barcode or id').argument('<barcode|id>', 'a barcode of the product, or its id (#12)'),
)
  .action(async (ref: string, opts, cmd: Command) => {
    const patch = patchFromOptions(opts); // a bad option value is refused before the product is looked up
    const { updateProduct } = await writer();
    await withTill(cmd, ({ db }) => {
      const cur = resolveProduct(db, ref);
      assertLocalProduct(db, cur, 'changed');
      const p = updateProduct(db, cur.id, patch);
      if (opts.json) printJson(p);
      else say(`Updated ${describe(p)}`);
    });
  });

const remove = new Command('remove')
  .description('remove a product (past sales keep their copy of it)')
  .argument('<barcode|id>', 'a barcode of the product, or its id (#12)')
  .option('--json', 'print the removed product as JSON')
  .action(async (ref: string, opts, cmd: Command) => {
    const { removeProduct } = await writer();
    await withTill(cmd, ({ db }) => {
      const cur = resolveProduct(db, ref);
      assertLocalProduct(db, cur, 'removed');
      const p = removeProduct(db, cur.id);
      if (opts.json) printJson(p);
      else say(`Removed ${describe(p)}`);
    });
  });

/** The options of `products update`, shared with `till hq products update`. */
export function withUpdateOptions(cmd: Command): Command {
  return cmd
    .option('--name <name>', 'new name')
  .option('--price <yuan>', 'new price in yuan')
  .option('--unit <unit>', 'new unit')
  .option('--category <category>', 'new category')
  .option('--weighed', 'sold by weight')
  .option('--no-weighed', 'sold by unit')
  .option('--plu <code>', '5-digit scale item code ("" to clear)')
  .option('--add-barcode <code>', 'add a barcode (repeatable)', collect, [])
  .option('--remove-barcode <code>', 'remove a barcode (repeatable)', collect, [])
  .addOption(new Option('--active', 'offer the product for sale'))
  .addOption(new Option('--inactive', 'hide the product from sale').conflicts('active'))
  .option('--json', 'print the product as JSON');
}

/** The product change that `products update` options ask for (shared with `till hq products update`). */
export function patchFromOptions(opts: Record<string, any>): ProductPatch {
  return {
    name: opts.name,
    priceFen: opts.price !== undefined ? priceOption(opts.price) : undefined,
    unit: opts.unit,
    category: opts.category,
    weighed: opts.weighed,
    plu: opts.plu === undefined ? undefined : opts.plu === '' ? null : opts.plu,
    active: opts.active ? true : opts.inactive ? false : undefined,
    addBarcodes: opts.addBarcode,
    removeBarcodes: opts.removeBarcode,
  };
}

export const productsCommand = new Command('products')
  .description('the local product catalog')
  .addCommand(add)
  .addCommand(list)
  .addCommand(show)
  .addCommand(update)
  .addCommand(remove)
  .addCommand(importCommand)
  .addCommand(productsExportCommand);
