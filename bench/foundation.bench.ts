// Foundation figures: admin command start-up against bare Node, and barcode lookup over a
// 1,000,000-product catalog.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/db/open.js';
import { findProductByBarcode } from '../src/db/products.js';
import { demoBarcode } from '../src/demo/catalog.js';
import { BIN, interleaved, median, report, reportAbsolute, timeCommand } from './lib.js';

const home = mkdtempSync(join(tmpdir(), 'till-bench-'));
try {
  // ---- start-up: `till products show <barcode> --json` vs `node -e 0` ----
  timeCommand(process.execPath, [BIN, 'init', '--store', 'B1', '--till', 'T1', '--admin-pin', '1234'], { TILL_HOME: home });
  timeCommand(process.execPath, [BIN, 'products', 'add', '--name', '可口可乐500ml', '--price', '3.5', '--barcode', '6901234567892'], { TILL_HOME: home });
  const env = { TILL_HOME: home };
  for (let i = 0; i < 3; i++) timeCommand(process.execPath, [BIN, 'products', 'show', '6901234567892', '--json'], env); // warm the file cache
  const [show, bare] = interleaved(
    25,
    () => timeCommand(process.execPath, [BIN, 'products', 'show', '6901234567892', '--json'], env),
    () => timeCommand(process.execPath, ['-e', '0']),
  );
  report({ name: 'till products show --json start-to-exit', value: show, unit: 'ms', baseline: bare, baselineName: 'node -e 0', budget: 1.5 });

  // ---- barcode lookup over 1,000,000 products ----
  const N = 1_000_000;
  const db = openDatabase(join(home, 'lookup.db'), { create: true });
  const t0 = Date.now();
  db.transaction(() => {
    const p = db.prepare("INSERT INTO products (id, name, pinyin, price_fen, barcodes, updated_at) VALUES (?, ?, '', ?, ?, '2026-01-01')");
    const b = db.prepare('INSERT INTO product_barcodes (barcode, product_id) VALUES (?, ?)');
    for (let i = 1; i <= N; i++) {
      const code = demoBarcode(i);
      p.run(i, `商品${i}`, 100 + (i % 5000), code);
      b.run(code, i);
    }
  })();
  process.stdout.write(`(catalog of ${N.toLocaleString()} products built in ${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
  const rawStmt = db.prepare('SELECT product_id FROM product_barcodes WHERE barcode = ?');
  const codes = Array.from({ length: 200_000 }, (_, i) => demoBarcode(1 + ((i * 7919) % N)));
  const perLookup = (fn: (code: string) => unknown) => {
    const batches: number[] = [];
    for (let off = 0; off < codes.length; off += 1000) {
      const t = process.hrtime.bigint();
      for (let i = off; i < off + 1000; i++) if (!fn(codes[i])) throw new Error(`lookup missed ${codes[i]}`);
      batches.push(Number(process.hrtime.bigint() - t) / 1000 / 1000); // µs per lookup
    }
    return median(batches);
  };
  perLookup((c) => findProductByBarcode(db, c)); // warm-up
  const ours = perLookup((c) => findProductByBarcode(db, c));
  const raw = perLookup((c) => rawStmt.get(c));
  report({ name: 'barcode lookup (full product), 1M catalog, median', value: ours, unit: 'µs', baseline: raw, baselineName: 'bare indexed SELECT of the id' });
  reportAbsolute({ name: 'barcode lookup median per lookup', value: ours, unit: 'µs', limit: 20 });
  db.close();
} finally {
  rmSync(home, { recursive: true, force: true });
}
