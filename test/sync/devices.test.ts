// Issue 17's two stories, end to end: tills (real homes, databases, enrollment and sync engine)
// against a real `till hq serve` process on SQLite and on PostgreSQL. What a till marks synced
// must be at HQ with the same content; every real sale is at HQ exactly once; anything odd is
// flagged or alerted at HQ, never dropped.
import { createHash } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { initTill } from '../../src/commands/init.js';
import { openDatabase, type DB } from '../../src/db/open.js';
import { recordSale } from '../../src/db/sales.js';
import { dbPath } from '../../src/home.js';
import type { HqStore } from '../../src/hq/store.js';
import { enrollTill } from '../../src/sync/enroll.js';
import { engineFor } from '../../src/sync/service.js';
import { saleSchema } from '../../src/sync/protocol.js';
import { STORAGES, createTestDb, spawnServe, stopChild, type TestDb } from '../hq/helpers.js';
import { removeDir, tempDir } from '../helpers/till.js';
import { sellMany } from './harness.js';

const FAST = { backoff: { baseMs: 20, capMs: 200 }, requestTimeoutMs: 5000, idlePollMs: 20, random: () => 0.5 };

/** The hash HQ keeps for a sale (sha256 of the sale as the wire schema reads it). */
function hashOf(payload: string): string {
  return createHash('sha256').update(JSON.stringify(saleSchema.parse(JSON.parse(payload)))).digest('hex');
}

interface Till {
  home: string;
  db: DB;
  sync(): Promise<void>;
  enroll(code: string): Promise<void>;
  outbox(): Array<{ seq: number; saleId: string; payload: string; synced: boolean }>;
}

describe.each(STORAGES)('a till code with more than one device, against `till hq serve` on %s', (kind) => {
  const cleanup: Array<() => Promise<void> | void> = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  async function hqUp(): Promise<{ admin: HqStore; url: string; child: ChildProcess }> {
    const tdb: TestDb = await createTestDb(kind);
    cleanup.push(() => tdb.drop());
    const admin = await tdb.open();
    cleanup.push(() => admin.close());
    await admin.addStore('S1', '一号店');
    const { child, url } = await spawnServe(tdb.home, ['--db', tdb.db]);
    cleanup.push(() => stopChild(child));
    return { admin, url, child };
  }

  async function newTill(url: string, store: string, till: string): Promise<Till> {
    const home = tempDir('till-dev-');
    await initTill({ home, store, till, adminId: '1', adminPin: '1234' });
    const db = openDatabase(dbPath(home));
    cleanup.push(() => {
      db.close();
      removeDir(home);
    });
    return {
      home,
      db,
      async sync() {
        await engineFor(home, db, FAST).runOnce({ deadline: Date.now() + 20_000 });
      },
      async enroll(code: string) {
        await enrollTill({ home, db, url, code });
      },
      outbox: () =>
        (db.prepare('SELECT seq, sale_id AS saleId, payload, synced_at IS NOT NULL AS synced FROM outbox ORDER BY seq').all() as Array<{
          seq: number;
          saleId: string;
          payload: string;
          synced: number;
        }>).map((r) => ({ ...r, synced: r.synced === 1 })),
    };
  }

  async function hqSales(admin: HqStore): Promise<Array<{ sale_id: string; receipt_no: string; content_hash: string; flag: string | null }>> {
    return admin.db.all('SELECT * FROM hq_sales');
  }

  /** Nothing a till marked synced is missing at HQ or held there with other content. */
  async function syncedAreHeld(admin: HqStore, tills: Till[]): Promise<string[]> {
    const byId = new Map((await hqSales(admin)).map((s) => [s.sale_id, s.content_hash]));
    const wrong: string[] = [];
    for (const t of tills) for (const r of t.outbox()) if (r.synced && byId.get(r.saleId) !== hashOf(r.payload)) wrong.push(`${t.home} seq ${r.seq}`);
    return wrong;
  }

  it('replaced hardware that comes back: every real sale of both devices reaches HQ once, and duplicate receipt numbers are flagged', async () => {
    const { admin, url } = await hqUp();
    const a = await newTill(url, 'S1', 'T1');
    await a.enroll((await admin.createEnrollCode('S1', 'T1')).code);
    sellMany(a.db, 5);
    await a.sync();
    // The network goes; A sells 10 more, then its hardware is taken away for repair.
    sellMany(a.db, 10, 5);
    // Its replacement B is enrolled under the same till code and sells 3.
    const b = await newTill(url, 'S1', 'T1');
    await b.enroll((await admin.createEnrollCode('S1', 'T1')).code);
    sellMany(b.db, 3, 100);
    // B continues the till code's seq and the day's receipt numbers after what HQ holds of A.
    const bFirst = b.db.prepare('SELECT seq, receipt_no AS receiptNo FROM sales ORDER BY seq LIMIT 1').get() as { seq: number; receiptNo: string };
    expect(bFirst.seq).toBe(6);
    expect(bFirst.receiptNo).toMatch(/-0006$/);
    await b.sync();
    // A comes back and is enrolled again.
    await a.enroll((await admin.createEnrollCode('S1', 'T1')).code);
    await a.sync();

    const atHq = await hqSales(admin);
    const real = [...a.outbox(), ...b.outbox()];
    expect(real).toHaveLength(18);
    // Every real sale is at HQ, exactly once, with the till's content.
    const ids = atHq.map((s) => s.sale_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(real.filter((r) => !ids.includes(r.saleId)).map((r) => r.seq)).toEqual([]);
    expect(atHq).toHaveLength(18);
    expect(await syncedAreHeld(admin, [a, b])).toEqual([]);
    expect(real.every((r) => r.synced)).toBe(true);
    // Two sales with one receipt number are both flagged, and an alert says so.
    const byReceipt = new Map<string, number>();
    for (const s of atHq) byReceipt.set(s.receipt_no, (byReceipt.get(s.receipt_no) ?? 0) + 1);
    const unflagged = atHq.filter((s) => byReceipt.get(s.receipt_no)! > 1 && !s.flag);
    expect(unflagged).toEqual([]);
    expect([...byReceipt.values()].some((n) => n > 1)).toBe(true);
    expect((await admin.listAlerts()).map((x) => x.kind)).toContain('duplicate-receipt');
    // HQ lists both devices under T1.
    expect((await admin.listDevices()).filter((d) => d.tillCode === 'T1').map((d) => d.status)).toEqual(['enrolled', 'enrolled']);
  }, 90_000);

  it('a stolen or second enrollment code: the real till\'s sales all reach HQ, the impostor\'s is flagged and an alert raised', async () => {
    const { admin, url } = await hqUp();
    const real = await newTill(url, 'S1', 'T2');
    await real.enroll((await admin.createEnrollCode('S1', 'T2')).code);
    sellMany(real.db, 3);
    await real.sync();
    // Someone enrolls as T2 with a second code and uploads a fake 1-fen sale at the next seq.
    const impostor = await newTill(url, 'S1', 'T2');
    await impostor.enroll((await admin.createEnrollCode('S1', 'T2')).code);
    const fake = recordSale(impostor.db, {
      cashierId: '1',
      cashierName: 'Admin',
      lines: [{ productId: null, barcode: null, name: '矿泉水', qty: 1, qtyGrams: null, unitPriceFen: 1 }],
      tenders: [{ method: 'cash', tenderedFen: 1 }],
    });
    await impostor.sync();
    // The real till sells on; the store, told something is odd, enrolls it again; it syncs.
    sellMany(real.db, 2, 3);
    await real.enroll((await admin.createEnrollCode('S1', 'T2')).code);
    await real.sync();

    const atHq = await hqSales(admin);
    const ids = atHq.map((s) => s.sale_id);
    expect(real.outbox().filter((r) => !ids.includes(r.saleId)).map((r) => r.seq)).toEqual([]);
    expect(await syncedAreHeld(admin, [real, impostor])).toEqual([]);
    expect(real.outbox().every((r) => r.synced)).toBe(true);
    expect(atHq.find((s) => s.sale_id === fake.id)?.flag).toMatch(/second active device of S1\/T2/);
    const alerts = await admin.listAlerts({ storeCode: 'S1' });
    expect(alerts.filter((x) => x.tillCode === 'T2' && x.kind === 'second-device').length).toBeGreaterThan(0);
  }, 90_000);
});
