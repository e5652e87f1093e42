// `till products list --search` as a store owner uses it: a limit that cuts the list says so.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open.js';
import { upsertProducts } from '../../src/db/products-write.js';
import { dbPath } from '../../src/home.js';
import { initTillHome, removeDir, till } from '../helpers/till.js';

let home: string;
beforeAll(() => {
  home = initTillHome();
  const db = openDatabase(dbPath(home));
  upsertProducts(db, Array.from({ length: 62 }, (_, i) => ({ product: { name: `可口可乐${i + 1}号`, priceFen: 350, barcodes: [] } })));
  db.close();
});
afterAll(() => removeDir(home));

describe('till products list --search', () => {
  it('62 matches at --limit 50: fifty listed, and "50+" said beside the list', () => {
    const r = till(home, ['products', 'list', '--search', 'kkkl', '--limit', '50']);
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(51); // the header and fifty products
    expect(r.stderr).toMatch(/^50\+ products match: showing the first 50/);
  });

  it('keeps its JSON a list of products, and says nothing when all are shown', () => {
    const capped = till(home, ['products', 'list', '--search', 'kkkl', '--limit', '50', '--json']);
    expect(JSON.parse(capped.stdout)).toHaveLength(50);
    expect(capped.stderr).toMatch(/50\+ products match/);
    const all = till(home, ['products', 'list', '--search', 'kkkl', '--json']);
    expect(JSON.parse(all.stdout)).toHaveLength(62);
    expect(all.stderr).toBe('');
    expect(till(home, ['products', 'list', '--search', 'kkkl', '--limit', '62']).stderr).toBe('');
    expect(till(home, ['products', 'list', '--limit', '10']).stderr).toMatch(/^10\+ products: showing the first 10/);
  });
});
