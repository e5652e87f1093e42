// HQ as real processes (`till hq serve`, the built CLI): killed with SIGKILL in the middle of
// uploads and restarted, every sale it acknowledged is in its database; two instances on one
// PostgreSQL with uploads racing through both store every sale once.
import { afterAll, describe, expect, it } from 'vitest';
import type { HqStore } from '../../src/hq/store.js';
import { STORAGES, createTestDb, makeSale, post, spawnServe, stopChild, type TestDb } from './helpers.js';

async function enrollVia(url: string, hq: HqStore, store: string, till: string): Promise<string> {
  const { code } = await hq.createEnrollCode(store, till);
  const r = await post(url, '/v1/enroll', null, { code });
  if (r.status !== 200) throw new Error(JSON.stringify(r.body));
  return r.body.token;
}

const upload = (url: string, token: string, store: string, till: string, from: number, to: number) =>
  post(
    url,
    '/v1/sales/batch',
    token,
    { sales: Array.from({ length: to - from + 1 }, (_, i) => ({ seq: from + i, hash: 'x', sale: makeSale(store, till, from + i) })) },
  );

describe.each(STORAGES)('HQ process on %s', (kind) => {
  const dbs: TestDb[] = [];
  afterAll(async () => {
    for (const d of dbs) await d.drop();
  });

  it('SIGKILL in the middle of uploads: every acknowledged sale survives, the rest arrive after restart', async () => {
    const tdb = await createTestDb(kind);
    dbs.push(tdb);
    const admin = await tdb.open();
    await admin.addStore('S001', '一号店');
    let hq = await spawnServe(tdb.home, ['--db', tdb.db]);
    const TILLS = 4;
    const PER_TILL = 400;
    const BATCH = 25;
    const tokens = await Promise.all(Array.from({ length: TILLS }, (_, i) => enrollVia(hq.url, admin, 'S001', `K${i}`)));
    const acked = new Array<number>(TILLS).fill(0);
    let inFlight = 0;
    let inFlightAtKill = -1;
    let killed = false;
    const failures: string[] = [];

    // Each till uploads batch after batch, recording what HQ acknowledged, until HQ dies.
    const tillLoop = async (i: number) => {
      while (!killed && acked[i] < PER_TILL) {
        inFlight++;
        try {
          const r = await upload(hq.url, tokens[i], 'S001', `K${i}`, acked[i] + 1, Math.min(PER_TILL, acked[i] + BATCH));
          if (r.status === 200) acked[i] = r.body.ackedThrough;
          else failures.push(JSON.stringify(r.body));
        } catch {
          // connection reset by the kill: not acknowledged
        } finally {
          inFlight--;
        }
      }
    };
    const loops = Array.from({ length: TILLS }, (_, i) => tillLoop(i));
    // Kill once HQ is well into the uploads, while requests are on the wire.
    while (acked.reduce((a, b) => a + b, 0) < (TILLS * PER_TILL) / 3) await new Promise((r) => setTimeout(r, 2));
    inFlightAtKill = inFlight;
    killed = true;
    await stopChild(hq.child, 'SIGKILL');
    await Promise.all(loops);
    expect(failures).toEqual([]);
    expect(inFlightAtKill).toBeGreaterThan(0);

    // Straight from the database, before HQ runs again.
    for (let i = 0; i < TILLS; i++) {
      const seqs = (await admin.listSales({ tillCode: `K${i}` })).map((s) => s.seq);
      expect(new Set(seqs).size).toBe(seqs.length);
      for (let s = 1; s <= acked[i]; s++) expect(seqs.includes(s), `K${i} seq ${s} was acknowledged`).toBe(true);
    }
    await admin.close();

    hq = await spawnServe(tdb.home, ['--db', tdb.db]);
    try {
      // The tills resume from HQ's hwm (the handshake) and finish.
      for (let i = 0; i < TILLS; i++) {
        const state = await fetch(`${hq.url}/v1/sync/state`, { headers: { authorization: `Bearer ${tokens[i]}` } }).then((r) => r.json() as Promise<{ hwm: number }>);
        expect(state.hwm).toBeGreaterThanOrEqual(acked[i]);
        for (let from = state.hwm + 1; from <= PER_TILL; from += BATCH) {
          const r = await upload(hq.url, tokens[i], 'S001', `K${i}`, from, Math.min(PER_TILL, from + BATCH - 1));
          expect(r.status).toBe(200);
        }
      }
    } finally {
      await stopChild(hq.child);
    }
    const after = await tdb.open();
    try {
      for (let i = 0; i < TILLS; i++) {
        const seqs = (await after.listSales({ tillCode: `K${i}` })).map((s) => s.seq).sort((a, b) => a - b);
        expect(seqs).toEqual(Array.from({ length: PER_TILL }, (_, k) => k + 1));
      }
      expect(await after.listQuarantine()).toEqual([]);
    } finally {
      await after.close();
    }
  });

  it('the admin commands work on the database: stores, enrollment codes, central products, sales report', async () => {
    const tdb = await createTestDb(kind);
    dbs.push(tdb);
    const { till } = await import('../helpers/till.js');
    const hqCli = (args: string[]) => till(tdb.home, ['hq', ...args, '--db', tdb.db]);
    expect(hqCli(['stores', 'add', 'S001', '--name', '一号店']).code).toBe(0);
    const dup = hqCli(['stores', 'add', 'S001', '--name', '一号店']);
    expect(dup.code).toBe(1);
    expect(dup.stderr.trim().split('\n')).toEqual(['till: Store S001 already exists (一号店).']);
    const code = hqCli(['enroll-code', '--store', 'S001', '--till', 'T01', '--ttl', '2h', '--json']);
    expect(code.code).toBe(0);
    const c = JSON.parse(code.stdout);
    expect(c).toMatchObject({ storeCode: 'S001', tillCode: 'T01', code: expect.stringMatching(/^\w{4}-\w{4}-\w{4}$/) });
    expect(hqCli(['enroll-code', '--store', 'S404', '--till', 'T01']).stderr).toMatch(/No store S404; add it first/);

    const added = hqCli(['products', 'add', '--name', '可口可乐', '--price', '3.5', '--barcode', '6901234567892', '--json']);
    expect(added.code).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ name: '可口可乐', priceFen: 350, barcodes: ['6901234567892'], storeCode: null });
    expect(JSON.parse(hqCli(['products', 'update', '6901234567892', '--price', '¥4', '--json']).stdout).priceFen).toBe(400);
    const badPrice = hqCli(['products', 'update', '6901234567892', '--price', '4.999']);
    expect(badPrice.code).toBe(2); // a bad option value: usage
    expect(badPrice.stderr).toMatch(/more than two decimals/);
    expect(JSON.parse(hqCli(['catalog', 'status', '--json']).stdout)).toMatchObject({ version: 2, products: 1 });
    expect(hqCli(['products', 'remove', '6901234567892']).code).toBe(0);
    expect(JSON.parse(hqCli(['catalog', 'status', '--json']).stdout)).toMatchObject({ version: 3, products: 0, tombstones: 1 });

    // Sales arrive through the service; the report reads them from the database.
    const hq = await spawnServe(tdb.home, ['--db', tdb.db]);
    try {
      const token = (await post(hq.url, '/v1/enroll', null, { code: c.code })).body.token;
      expect((await upload(hq.url, token, 'S001', 'T01', 1, 30)).body.ackedThrough).toBe(30);
    } finally {
      await stopChild(hq.child);
    }
    const report = hqCli(['sales', 'report', '--json']);
    expect(report.code).toBe(0);
    const r = JSON.parse(report.stdout);
    const sales = Array.from({ length: 30 }, (_, i) => makeSale('S001', 'T01', i + 1));
    const total = sales.reduce((s, x) => s + x.totalFen, 0);
    expect(r).toMatchObject({ salesCount: 30, totalFen: total });
    expect(r.byStore).toEqual([{ storeCode: 'S001', salesCount: 30, totalFen: total, returnsFen: 0, netFen: total }]);
    expect(r.byTill).toEqual([{ storeCode: 'S001', tillCode: 'T01', salesCount: 30, totalFen: total, returnsFen: 0, netFen: total }]);
    const byDay = new Map<string, { salesCount: number; totalFen: number }>();
    for (const s of sales) {
      const day = `${s.receiptNo.split('-')[2].slice(0, 4)}-${s.receiptNo.split('-')[2].slice(4, 6)}-${s.receiptNo.split('-')[2].slice(6)}`;
      const g = byDay.get(day) ?? { salesCount: 0, totalFen: 0 };
      byDay.set(day, { salesCount: g.salesCount + 1, totalFen: g.totalFen + s.totalFen });
    }
    expect(r.byDay).toEqual([...byDay.entries()].sort().map(([day, g]) => ({ day, ...g, returnsFen: 0, netFen: g.totalFen })));
    const list = JSON.parse(hqCli(['sales', 'list', '--till', 'T01', '--limit', '5', '--json']).stdout);
    expect(list).toHaveLength(5);
    const human = hqCli(['sales', 'report']);
    expect(human.stdout).toContain(`Sales 30, total ¥${(total / 100).toFixed(2)}`);
    expect(hqCli(['sales', 'report', '--from', '2026-02-30']).stderr).toMatch(/--from: "2026-02-30" is not a day of the calendar; type it as YYYY-MM-DD/);
  });
});

describe('two HQ instances on one PostgreSQL', () => {
  let tdb: TestDb | undefined;
  afterAll(async () => {
    await tdb?.drop();
  });

  it('uploads racing through both instances store every sale exactly once', async () => {
    tdb = await createTestDb('postgres');
    // Both start at once on an empty schema: migrations must not race either.
    const [a, b] = await Promise.all([spawnServe(tdb.home, ['--db', tdb.db, '--pool', '4']), spawnServe(tdb.home, ['--db', tdb.db, '--pool', '4'])]);
    const admin = await tdb.open();
    try {
      await admin.addStore('S001', '一号店');
      const TILLS = 6;
      const PER_TILL = 150;
      const tokens = await Promise.all(Array.from({ length: TILLS }, (_, i) => enrollVia(a.url, admin, 'S001', `R${i}`)));
      // For each till, two uploaders (one per instance) push overlapping batches of its queue.
      const uploader = async (url: string, i: number, size: number) => {
        let next = 1;
        while (next <= PER_TILL) {
          const r = await upload(url, tokens[i], 'S001', `R${i}`, next, Math.min(PER_TILL, next + size - 1));
          expect(r.status).toBe(200);
          // Each moves on from its own position, not HQ's, so both keep re-sending what the
          // other already delivered: maximal overlap.
          next = Math.min(next + size, r.body.ackedThrough + 1);
          if (r.body.ackedThrough >= PER_TILL) break;
        }
      };
      await Promise.all(Array.from({ length: TILLS }, (_, i) => [uploader(a.url, i, 10), uploader(b.url, i, 13)]).flat());
      const rows = await admin.db.all<{ n: number; distinct_ids: number; distinct_seqs: number }>(
        'SELECT count(*) AS n, count(DISTINCT sale_id) AS distinct_ids, count(DISTINCT till_id || \':\' || seq) AS distinct_seqs FROM hq_sales',
      );
      expect(rows[0]).toEqual({ n: TILLS * PER_TILL, distinct_ids: TILLS * PER_TILL, distinct_seqs: TILLS * PER_TILL });
      for (let i = 0; i < TILLS; i++) {
        const seqs = (await admin.listSales({ tillCode: `R${i}` })).map((s) => s.seq).sort((x, y) => x - y);
        expect(seqs).toEqual(Array.from({ length: PER_TILL }, (_, k) => k + 1));
      }
      expect(await admin.listQuarantine()).toEqual([]);
    } finally {
      await admin.close();
      await Promise.all([stopChild(a.child), stopChild(b.child)]);
    }
  });
});
