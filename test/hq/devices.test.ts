// HQ's devices: an HQ database from before devices migrates (its tills become devices and keep
// their tokens and marks), a retired device's backlog is still taken once while what it makes
// after is quarantined, and `till hq tills list|retire` shows and retires devices.
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { openDriver } from '../../src/hq/open.js';
import { hqMigrations } from '../../src/hq/storage/migrations.js';
import { sha256 } from '../../src/hq/tokens.js';
import { till as runTill } from '../helpers/till.js';
import { STORAGES, createTestDb, enrolledTill, item, makeSale, type TestDb } from './helpers.js';

describe.each(STORAGES)('HQ devices on %s', (kind) => {
  const dbs: TestDb[] = [];
  afterAll(async () => {
    for (const d of dbs) await d.drop();
  });
  const fresh = async () => {
    const tdb = await createTestDb(kind);
    dbs.push(tdb);
    return tdb;
  };

  it('an HQ database of schema 1 migrates: each enrolled till becomes a device with its token, mark and sales', async () => {
    const tdb = await fresh();
    // HQ as it was: schema 1, a till with a token and two sales.
    const driver = await openDriver({ home: tdb.home, db: tdb.db });
    await driver.init?.();
    await driver.transaction(async (q) => {
      await q.run('CREATE TABLE hq_schema (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
      for (const sql of hqMigrations[1][q.dialect].replace(/--[^\n]*/g, '').split(';').map((x) => x.trim()).filter(Boolean)) await q.run(sql);
      await q.run("INSERT INTO hq_schema (version, applied_at) VALUES (1, '2026-01-01')");
      await q.run("INSERT INTO hq_stores (code, name, created_at) VALUES ('S1', '一号店', '2026-01-01')");
      await q.run("INSERT INTO hq_tills (store_code, code, token_hash, hwm, enrolled_at, created_at) VALUES ('S1', 'T1', ?, 2, '2026-01-01', '2026-01-01')", [sha256('old-token')]);
      for (const seq of [1, 2]) {
        const s = makeSale('S1', 'T1', seq);
        await q.run(
          `INSERT INTO hq_sales (sale_id, till_id, seq, store_code, till_code, receipt_no, business_date, created_at, status, total_fen, item_count, content_hash, payload, received_at)
           VALUES (?, 1, ?, 'S1', 'T1', ?, '2026-01-01', ?, 'completed', ?, ?, 'h', '{}', '2026-01-01')`,
          [s.id, seq, s.receiptNo, s.createdAt, s.totalFen, s.itemCount],
        );
      }
    });
    await driver.close();

    const hq = await tdb.open();
    try {
      expect(await hq.listDevices()).toEqual([
        { device: '#1', storeCode: 'S1', tillCode: 'T1', status: 'enrolled', enrolledAt: '2026-01-01', retiredAt: null, hwm: 2, lastUploadAt: null },
      ]);
      const p = await hq.authenticate('old-token');
      expect(p).toMatchObject({ kind: 'till', till: { storeCode: 'S1', tillCode: 'T1', deviceRowId: 1, deviceId: null } });
      if (p?.kind !== 'till') throw new Error('not a till');
      // The till, upgraded, names itself at its first handshake, and its stream goes on.
      const id = randomUUID();
      expect(await hq.syncState(p.till, id)).toMatchObject({ hwm: 2, deviceId: id, quarantined: 0 });
      expect((await hq.ingest(p.till, [item(makeSale('S1', 'T1', 3))])).acks).toMatchObject([{ seq: 3, status: 'held' }]);
      expect((await hq.listDevices())[0]).toMatchObject({ device: id, hwm: 3 });
      expect((await hq.listSales({ tillCode: 'T1' })).map((s) => s.seq).sort()).toEqual([1, 2, 3]);
    } finally {
      await hq.close();
    }
  });

  it('a retired device: what it sold before is taken once, what it made after is quarantined, enrolling it again lifts it', async () => {
    const tdb = await fresh();
    let now = new Date('2026-01-01T00:00:00Z');
    const hq = await tdb.open({ now: () => now });
    try {
      const { principal: t } = await enrolledTill(hq, 'S1', 'R1');
      await hq.ingest(t, [item(makeSale('S1', 'R1', 1)), item(makeSale('S1', 'R1', 2))]);
      now = new Date('2026-01-04T12:00:00Z'); // seq 3 was made before this, seq 4 after
      const device = (await hq.listDevices())[0].device;
      expect(await hq.retireDevice(device)).toMatchObject({ status: 'retired', retiredAt: now.toISOString() });
      const r = await hq.ingest(t, [item(makeSale('S1', 'R1', 3)), item(makeSale('S1', 'R1', 4))]);
      expect(r.acks?.map((a) => [a.seq, a.status])).toEqual([
        [3, 'held'],
        [4, 'quarantined'],
      ]);
      expect((await hq.listQuarantine()).map((x) => x.reason)).toEqual([expect.stringMatching(/retired at 2026-01-04T12:00:00.000Z.*enroll the device again/)]);
      expect(await hq.syncState(t)).toMatchObject({ quarantined: 1, retiredAt: now.toISOString() });
      // Re-sending the backlog counts it once.
      await hq.ingest(t, [item(makeSale('S1', 'R1', 3))]);
      expect((await hq.listSales({ tillCode: 'R1' })).map((s) => s.seq).sort()).toEqual([1, 2, 3]);
      // The backlog is counted but flagged, with an alert: the token may be in other hands.
      expect((await hq.listSales({ tillCode: 'R1' })).find((s) => s.seq === 3)?.flag).toMatch(/backlog of device .* retired/);
      expect((await hq.listAlerts()).map((a) => a.kind)).toContain('retired-backlog');
      // A kept token cannot backdate sales before HQ first enrolled the device: quarantined, not counted.
      const backdated = { ...makeSale('S1', 'R1', 5), createdAt: '2025-12-31T08:00:00.000Z' };
      expect((await hq.ingest(t, [item(backdated)])).acks?.map((a) => a.status)).toEqual(['quarantined']);
      expect((await hq.listSales({ tillCode: 'R1' })).map((s) => s.seq).sort()).toEqual([1, 2, 3]);
      const again = await hq.createEnrollCode('S1', 'R1');
      await hq.enroll(again.code); // a protocol 1 device, known by having no id
      expect((await hq.listDevices())[0]).toMatchObject({ status: 'enrolled', retiredAt: null, hwm: 5 });
    } finally {
      await hq.close();
    }
  });

  it('`till hq tills list --json` shows each device; `till hq tills retire` retires one, twice is an error; `till hq alerts list` answers', async () => {
    const tdb = await fresh();
    const hq = await tdb.open();
    const { principal } = await enrolledTill(hq, 'S1', 'L1');
    const id = randomUUID();
    await hq.syncState(principal, id);
    await hq.close();
    const list = runTill(tdb.home, ['hq', 'tills', 'list', '--json', '--db', tdb.db]);
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toMatchObject([{ device: id, storeCode: 'S1', tillCode: 'L1', status: 'enrolled', hwm: 0 }]);
    const retire = runTill(tdb.home, ['hq', 'tills', 'retire', id, '--db', tdb.db]);
    expect(retire.code, retire.stderr).toBe(0);
    expect(retire.stderr).toMatch(new RegExp(`Retired device ${id} of S1/L1`));
    const twice = runTill(tdb.home, ['hq', 'tills', 'retire', id, '--db', tdb.db]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/already retired/);
    const alerts = runTill(tdb.home, ['hq', 'alerts', 'list', '--json', '--db', tdb.db]);
    expect(alerts.code, alerts.stderr).toBe(0);
    expect(JSON.parse(alerts.stdout)).toEqual([]);
    const unknown = runTill(tdb.home, ['hq', 'tills', 'retire', 'nope', '--db', tdb.db]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no device nope/);
  });
});
