// till hq …: the HQ service and its admin commands. Admin commands work on HQ's database
// directly (SQLite in <home>/hq.db, or --db postgres://…); `till hq serve` runs the HTTP
// service the tills sync with. Storage, fastify and pg are loaded inside the actions.
import { Command, Option } from 'commander';
import { formatFen, parseYuan } from '../core/money.js';
import { PartialError, UsageError, UserError } from '../errors.js';
import type { HqStore } from '../hq/store.js';
import type { HqProduct } from '../hq/catalog.js';
import type { ReportGroup } from '../hq/reports.js';
import { homeOf, printJson, say, writeOut } from './context.js';
import { collect, csvImportOptions, dayPeriod, intOption, positiveInt, priceOption, withBusinessDayOptions, withCsvImportOptions } from './options.js';
import { patchFromOptions, withUpdateOptions } from './products.js';
import { deviceCommands } from './hq-tills.js';
import { zCommand } from './hq-z.js';
import { quarantineCommand } from './hq-quarantine.js';

function dbOption(): Option {
  return new Option('--db <file|url>', 'HQ database: a SQLite file or a postgres:// URL (default: <home>/hq.db)').env('TILL_HQ_DB');
}

/** Opens HQ's database for one command; only commands that set HQ up may create it. */
async function withHq<T>(cmd: Command, fn: (hq: HqStore) => Promise<T>, opts: { create?: boolean } = {}): Promise<T> {
  const { openHq } = await import('../hq/open.js');
  const hq = await openHq({ db: cmd.opts().db, home: homeOf(cmd), create: opts.create ?? false });
  try {
    return await fn(hq);
  } finally {
    await hq.close();
  }
}

/** "100000" or "¥100,000.00" (yuan) → fen; 0 turns the cap off. */
function maxSaleOption(v: string): number {
  try {
    return parseYuan(v.replace(/,/g, ''), { allowZero: true });
  } catch {
    throw new UsageError(`--max-sale takes an amount in yuan such as 100000 (0 = no cap), got "${v}".`);
  }
}

function portOption(v: string): number {
  if (!/^\d{1,5}$/.test(v) || Number(v) > 65535) throw new UsageError(`--port takes a port number 0–65535, got "${v}".`);
  return Number(v);
}

/** "90" (minutes), "90m", "12h", "7d" → minutes. */
function ttlOption(v: string): number {
  const m = /^(\d+)\s*([mhd]?)$/i.exec(v.trim());
  if (!m || Number(m[1]) < 1) throw new UsageError(`--ttl takes a duration such as 30m, 24h or 7d, got "${v}".`);
  return Number(m[1]) * ({ '': 1, m: 1, h: 60, d: 1440 } as Record<string, number>)[m[2].toLowerCase()];
}

// ---- serve ------------------------------------------------------------------------------------

const serve = new Command('serve')
  .description('run the HQ service the tills enroll with and sync to')
  .addOption(dbOption())
  .option('--host <address>', 'address to listen on', '127.0.0.1')
  .option('--port <n>', 'port to listen on (0 picks a free one)', portOption, 8787)
  .option('--pool <n>', 'PostgreSQL connections of this instance', (v) => positiveInt(v, '--pool'), 10)
  .option('--max-sale <yuan>', 'plausibility cap: a larger sale is quarantined for a person to check (0 = no cap)', maxSaleOption, 10_000_000)
  .option('--quarantine-cap <n>', 'quarantined uploads stored per till; beyond it they are counted, not stored', intOption('--quarantine-cap', 1), 1000)
  .action(async (opts, cmd: Command) => {
    const { openHq } = await import('../hq/open.js');
    const { buildHqServer, listeningUrls } = await import('../hq/server.js');
    const hq = await openHq({
      db: opts.db,
      home: homeOf(cmd),
      poolSize: opts.pool,
      maxSaleFen: opts.maxSale,
      quarantineCap: opts.quarantineCap,
      onAlert: (a) => say(`HQ alert: ${a.message}`),
    });
    const app = buildHqServer(hq);
    try {
      await app.listen({ host: opts.host, port: opts.port });
    } catch (err) {
      await hq.close();
      const e = err as { code?: string; message?: string };
      if (e.code === 'EADDRINUSE') throw new UserError(`Port ${opts.port} on ${opts.host} is in use; stop the other service or pick --port.`);
      if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND') throw new UserError(`Cannot listen on ${opts.host}: no such address on this machine; check --host.`);
      if (e.code === 'EACCES') throw new UserError(`Not allowed to listen on port ${opts.port}; pick a port above 1023.`);
      throw err;
    }
    // The address really bound: with --host 0.0.0.0 that is every interface, not 127.0.0.1.
    const { bound, reachable } = listeningUrls(app);
    const also = reachable.filter((u) => u !== bound);
    say(`HQ listening on ${bound}${also.length ? ` (this machine's addresses: ${also.join(', ')})` : ''} (${hq.db.dialect} ${hq.db.location}); Ctrl+C stops it.`);
    await new Promise<void>((resolve) => {
      let stopping = false;
      const stop = () => {
        if (stopping) return;
        stopping = true;
        say('HQ stopping…');
        app
          .close()
          .then(() => hq.close())
          .finally(resolve);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
  });

// ---- stores and enrollment --------------------------------------------------------------------

const storesAdd = new Command('add')
  .description('add a store')
  .argument('<code>', 'store code, e.g. S001 (letters, digits, - and _)')
  .requiredOption('--name <name>', 'store name')
  .option('--json', 'print the store as JSON')
  .addOption(dbOption())
  .action(async (code: string, opts, cmd: Command) => {
    const s = await withHq(cmd, (hq) => hq.addStore(code, opts.name), { create: true });
    if (opts.json) printJson(s);
    else say(`Added store ${s.code} ${s.name}.`);
  });

const storesList = new Command('list')
  .description('list stores with their tills (enrolled, last seq received, last upload)')
  .option('--json', 'print JSON')
  .addOption(dbOption())
  .action(async (opts, cmd: Command) => {
    const stores = await withHq(cmd, (hq) => hq.listStores());
    if (opts.json) return printJson(stores);
    if (stores.length === 0) return say('No stores yet; add one with `till hq stores add <code> --name <name>`.');
    const { renderTable } = await import('../core/table.js');
    const rows = stores.flatMap((s) =>
      s.tills.length === 0
        ? [[s.code, s.name, '-', '-', '-', '-']]
        : s.tills.map((t) => [s.code, s.name, t.code, t.enrolled ? 'yes' : 'no', String(t.hwm), t.lastUploadAt ?? '-']),
    );
    writeOut(
      1,
      renderTable([{ header: 'STORE' }, { header: 'NAME', max: 20 }, { header: 'TILL' }, { header: 'ENROLLED' }, { header: 'LAST SEQ', align: 'right' }, { header: 'LAST UPLOAD' }], rows) + '\n',
    );
  });

const stores = new Command('stores').description('the stores of the chain').addCommand(storesAdd).addCommand(storesList);

const enrollCode = new Command('enroll-code')
  .description('make a one-time code that enrolls a till (till enroll <hq-url> --code <code>)')
  .requiredOption('--store <code>', 'the till’s store')
  .requiredOption('--till <code>', 'the till’s code in that store, e.g. T01')
  .option('--ttl <duration>', 'how long the code stays valid: 30m, 24h, 7d', ttlOption, 24 * 60)
  .option('--json', 'print JSON')
  .addOption(dbOption())
  .action(async (opts, cmd: Command) => {
    const c = await withHq(cmd, (hq) => hq.createEnrollCode(opts.store, opts.till, opts.ttl));
    if (opts.json) return printJson(c);
    writeOut(1, c.code + '\n');
    say(`One-time code for till ${c.storeCode}/${c.tillCode}, valid until ${c.expiresAt}. On the till: till enroll <hq-url> --code ${c.code}`);
    if (c.alreadyEnrolled)
      say(
        `Till ${c.storeCode}/${c.tillCode} already has an enrolled device: the same device enrolling with this code gets a new token (its old one stops working); another device becomes a second one for this till code, and HQ flags its sales until one is retired (\`till hq tills retire <device>\`).`,
      );
  });

const adminToken = new Command('admin-token')
  .description('make a new admin token for HQ’s admin HTTP routes (earlier ones stop working)')
  .option('--json', 'print JSON')
  .addOption(dbOption())
  .action(async (opts, cmd: Command) => {
    const token = await withHq(cmd, (hq) => hq.rotateAdminToken(), { create: true });
    if (opts.json) return printJson({ token });
    writeOut(1, token + '\n');
    say('Keep it secret: send it as "Authorization: Bearer <token>". HQ stores only its hash.');
  });

// ---- central catalog --------------------------------------------------------------------------

function describe(p: HqProduct): string {
  const price = p.weighed ? `${formatFen(p.priceFen)}/kg` : formatFen(p.priceFen);
  return `#${p.hqId} ${p.name} ¥${price} [${p.barcodes.join(', ') || 'no barcode'}]${p.storeCode ? ` (store ${p.storeCode} only)` : ''} v${p.version}`;
}

const productsAdd = new Command('add')
  .description('add a product to the central catalog (the tills pull it)')
  .requiredOption('--name <name>', 'product name')
  .requiredOption('--price <yuan>', 'unit price in yuan; per kg for weighed products')
  .option('--barcode <code>', 'a barcode (repeat for several)', collect, [])
  .option('--unit <unit>', 'unit, e.g. 瓶, 个, kg', '')
  .option('--category <category>', 'category', '')
  .option('--weighed', 'sold by weight (price is per kg)', false)
  .option('--plu <code>', '5-digit item code used on scale labels')
  .option('--store <code>', 'sell it only in this store (default: every store)')
  .option('--json', 'print the product as JSON')
  .addOption(dbOption())
  .action(async (opts, cmd: Command) => {
    const priceFen = priceOption(opts.price);
    const p = await withHq(cmd, (hq) =>
      hq.catalog.add({ name: opts.name, priceFen, barcodes: opts.barcode, unit: opts.unit, category: opts.category, weighed: opts.weighed, plu: opts.plu ?? null, storeCode: opts.store ?? null }),
      { create: true },
    );
    if (opts.json) printJson(p);
    else say(`Added ${describe(p)}`);
  });

const productsUpdate = withUpdateOptions(
  new Command('update').description('change a central product found by barcode or id (#12)').argument('<barcode|id>', 'a barcode of the product, or its HQ id (#12)'),
).addOption(dbOption())
  .action(async (ref: string, opts, cmd: Command) => {
    const patch = patchFromOptions(opts);
    const p = await withHq(cmd, (hq) => hq.catalog.update(ref, patch));
    if (opts.json) printJson(p);
    else say(`Updated ${describe(p)}`);
  });

const productsRemove = new Command('remove')
  .description('remove a central product; the tills drop it on their next pull')
  .argument('<barcode|id>', 'a barcode of the product, or its HQ id (#12)')
  .option('--json', 'print the removed product as JSON')
  .addOption(dbOption())
  .action(async (ref: string, opts, cmd: Command) => {
    const p = await withHq(cmd, (hq) => hq.catalog.remove(ref));
    if (opts.json) printJson(p);
    else say(`Removed ${describe(p)}`);
  });

const productsList = new Command('list')
  .description('list the central catalog')
  .option('--search <text>', 'part of the name, or a barcode prefix')
  .option('--store <code>', 'only what this store’s tills receive')
  .option('--limit <n>', 'at most n products', (v) => positiveInt(v, '--limit'))
  .option('--all', 'include inactive products')
  .option('--json', 'print JSON')
  .addOption(dbOption())
  .action(async (opts, cmd: Command) => {
    const products = await withHq(cmd, (hq) => hq.catalog.list({ search: opts.search, storeCode: opts.store, limit: opts.limit, includeInactive: opts.all }));
    if (opts.json) return printJson(products);
    if (products.length === 0) return say('No products found.');
    const { renderTable } = await import('../core/table.js');
    writeOut(
      1,
      renderTable(
        [{ header: 'ID', align: 'right' }, { header: 'BARCODE' }, { header: 'NAME', max: 30 }, { header: 'PRICE', align: 'right' }, { header: 'UNIT' }, { header: 'CATEGORY', max: 12 }, { header: 'STORE' }],
        products.map((p) => [String(p.hqId), p.barcodes[0] ?? '', p.name, formatFen(p.priceFen) + (p.weighed ? '/kg' : ''), p.unit, p.category, p.storeCode ?? 'all']),
      ) + '\n',
    );
  });

const productsImport = withCsvImportOptions(
  new Command('import')
    .description('add or update central products from a CSV file (same columns and encodings as `till products import`); "-" reads stdin')
    .argument('<file>', 'the CSV file, or - for standard input'),
)
  .option('--store <code>', 'the products are sold only in this store (default: every store)')
  .option('--json', 'print a summary object for scripts')
  .addOption(dbOption())
  .action(async (file: string, opts, cmd: Command) => {
    const read = await csvImportOptions(file, opts);
    const { importHqProducts } = await import('../hq/import.js');
    const s = await withHq(cmd, async (hq) => {
      if (opts.store && !(await hq.listStores()).some((x) => x.code === opts.store)) {
        throw new UserError(`No store ${opts.store}; add it with \`till hq stores add ${opts.store} --name <name>\`.`);
      }
      return importHqProducts(hq, file === '-' ? process.stdin : file, { ...read, storeCode: opts.store });
    }, { create: true });
    if (opts.json) printJson(s);
    else {
      const lines = [
        `${s.dryRun ? 'Dry run of' : 'Imported'} ${s.file} into the HQ catalog: ${s.rows} rows — ${s.dryRun ? 'would add' : 'added'} ${s.added}, ${s.dryRun ? 'update' : 'updated'} ${s.updated}; ${s.unchanged} unchanged, ${s.rejected} rejected.${s.dryRun ? ' Nothing was written.' : ' The tills pick the changes up on their next pull.'}`,
      ];
      if (s.ignoredColumns.length) lines.push(`Columns not imported: ${s.ignoredColumns.join(', ')}.`);
      for (const r of s.rejects) lines.push(`  line ${r.line}: ${r.reason}`);
      if (s.rejectsFile) lines.push(`All rejected rows are in ${s.rejectsFile}.`);
      say(lines.join('\n'));
    }
    if (s.rows === 0) throw new UserError(`${s.file} has a header but no product rows; nothing was imported.`, 'E_IMPORT_EMPTY');
    if (s.rejected > 0) throw new PartialError(`${s.rejected} of ${s.rows} rows ${s.dryRun ? 'would be' : 'were'} rejected${s.rejectsFile ? `; they are listed in ${s.rejectsFile}` : ''}.`);
  });

const products = new Command('products')
  .description('the central catalog the tills pull (prices: HQ wins)')
  .addCommand(productsAdd)
  .addCommand(productsUpdate)
  .addCommand(productsRemove)
  .addCommand(productsList)
  .addCommand(productsImport);

const catalogCompact = new Command('compact')
  .description('forget old tombstones of deleted products; tills with an older cursor get a reset')
  .option('--older-than <days>', 'forget deletes older than this many days', (v) => positiveInt(v, '--older-than'), 30)
  .option('--json', 'print JSON')
  .addOption(dbOption())
  .action(async (opts, cmd: Command) => {
    const r = await withHq(cmd, (hq) => hq.catalog.compact(new Date(Date.now() - opts.olderThan * 86_400_000)));
    if (opts.json) return printJson(r);
    say(
      r.removed === 0
        ? `No tombstones older than ${opts.olderThan} days; nothing to do.`
        : `Forgot ${r.removed} tombstones up to version ${r.horizon}; re-stamped ${r.restamped} products. Tills with an older cursor will re-pull the catalog.`,
    );
  });

const catalogStatus = new Command('status')
  .description('catalog version, tombstone horizon, product and tombstone counts')
  .option('--json', 'print JSON')
  .addOption(dbOption())
  .action(async (opts, cmd: Command) => {
    const s = await withHq(cmd, (hq) => hq.catalog.state());
    if (opts.json) return printJson(s);
    writeOut(1, `Version     ${s.version}\nHorizon     ${s.horizon}\nProducts    ${s.products}\nTombstones  ${s.tombstones}\n`);
  });

const catalog = new Command('catalog').description('catalog versions and tombstones').addCommand(catalogStatus).addCommand(catalogCompact);

// ---- sales ------------------------------------------------------------------------------------

const salesList = withBusinessDayOptions(
  new Command('list').description('sales received from the tills').option('--store <code>', 'only this store').option('--till <code>', 'only this till code'),
)
  .option('--limit <n>', 'at most n sales, newest first', (v) => positiveInt(v, '--limit'), 100)
  .option('--json', 'print JSON')
  .addOption(dbOption())
  .action(async (opts, cmd: Command) => {
    const { from, to } = dayPeriod(opts.from, opts.to);
    const found = await withHq(cmd, (hq) => hq.listSales({ storeCode: opts.store, tillCode: opts.till, from, to, limit: opts.limit + 1 }));
    const sales = found.slice(0, opts.limit);
    if (found.length > opts.limit) say(`Showing the ${opts.limit} newest sales; narrow with --store/--till/--from/--to or raise --limit.`);
    if (opts.json) return printJson(sales);
    if (sales.length === 0) return say('No sales found.');
    const { renderTable } = await import('../core/table.js');
    writeOut(
      1,
      renderTable(
        [{ header: 'RECEIPT' }, { header: 'STORE' }, { header: 'TILL' }, { header: 'SEQ', align: 'right' }, { header: 'TIME' }, { header: 'STATUS' }, { header: 'TOTAL', align: 'right' }],
        sales.map((s) => [s.receiptNo, s.storeCode, s.tillCode, String(s.seq), s.createdAt, s.status, formatFen(s.totalFen)]),
      ) + '\n',
    );
  });

const salesReport = withBusinessDayOptions(
  new Command('report').description('completed sales counted and totalled, returns subtracted (net), overall and per store, till and business day').option('--store <code>', 'only this store'),
)
  .option('--json', 'print JSON (salesCount, totalFen, returnsFen and netFen overall, byStore, byTill, byDay; amounts are exact integers of fen at any size, beyond 2^53 too: read them with a big-number-aware JSON parser)')
  .addOption(dbOption())
  .action(async (opts, cmd: Command) => {
    const { from, to } = dayPeriod(opts.from, opts.to);
    const r = await withHq(cmd, (hq) => hq.salesReport({ storeCode: opts.store, from, to }));
    const { exactJson, formatExactFen } = await import('../hq/sums.js');
    // Amounts beyond 2^53 fen print as exact JSON numbers (see exactJson).
    if (opts.json) return void writeOut(1, exactJson(r, 2) + '\n');
    const { renderTable } = await import('../core/table.js');
    const money = formatExactFen;
    const out: string[] = [];
    out.push(
      `Sales ${r.salesCount}, total ¥${money(r.totalFen)}, returns ¥${money(r.returnsFen)}, net ¥${money(r.netFen)}${r.from || r.to ? ` (${r.from ?? '…'} to ${r.to ?? '…'})` : ''}; voided ${r.voidedCount}, quarantined uploads ${r.quarantinedCount}`,
    );
    const num = { align: 'right' as const };
    if (r.salesCount === 0 && r.byDay.length === 0) return void writeOut(1, out.join('\n') + '\n');
    const figures = [{ header: 'SALES', ...num }, { header: 'TOTAL', ...num }, { header: 'RETURNS', ...num }, { header: 'NET', ...num }];
    const cells = (g: ReportGroup) => [String(g.salesCount), money(g.totalFen), money(g.returnsFen), money(g.netFen)];
    out.push('', renderTable([{ header: 'STORE' }, ...figures], r.byStore.map((g) => [g.storeCode, ...cells(g)])));
    out.push('', renderTable([{ header: 'STORE' }, { header: 'TILL' }, ...figures], r.byTill.map((g) => [g.storeCode, g.tillCode, ...cells(g)])));
    out.push('', renderTable([{ header: 'DAY' }, ...figures], r.byDay.map((g) => [g.day, ...cells(g)])));
    writeOut(1, out.join('\n') + '\n');
  });

const sales = new Command('sales').description('sales received from every till').addCommand(salesList).addCommand(salesReport);

const quarantine = quarantineCommand({ dbOption, withHq });

const { tills, alerts } = deviceCommands(dbOption, withHq);

const z = zCommand(dbOption, withHq);

export const hqCommand = new Command('hq')
  .description('HQ: the sync service (till hq serve) and the chain’s stores, catalog and sales')
  .addCommand(serve)
  .addCommand(stores)
  .addCommand(enrollCode)
  .addCommand(products)
  .addCommand(catalog)
  .addCommand(sales)
  .addCommand(quarantine)
  .addCommand(tills)
  .addCommand(alerts)
  .addCommand(z)
  .addCommand(adminToken);
