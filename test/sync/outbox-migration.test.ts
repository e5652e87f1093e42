// Migration 38: a till's sales-only outbox becomes its event stream without losing a row or
// its sync state, and the numbering goes on from it, shared by sales and every other event.
import { afterEach, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrations.js';
import type { DB } from '../../src/db/open.js';
import { pendingCount } from '../../src/db/outbox.js';
import { recordReturn } from '../../src/db/returns.js';
import { findSale, listSales } from '../../src/db/sales.js';
import { openShift } from '../../src/db/shifts.js';
import { memoryTill } from '../helpers/till.js';
import { sell } from './harness.js';

let db: DB;
afterEach(() => db?.close());

/** Puts the outbox back the way it was before migration 38 (sales only), keeping its rows. */
function asBefore38(d: DB): void {
  d.exec(`
    CREATE TABLE outbox_old (seq INTEGER PRIMARY KEY, sale_id TEXT NOT NULL UNIQUE REFERENCES sales (id), payload TEXT NOT NULL, created_at TEXT NOT NULL, synced_at TEXT, conflict TEXT);
    INSERT INTO outbox_old SELECT seq, sale_id, payload, created_at, synced_at, conflict FROM outbox;
    DROP TABLE outbox;
    ALTER TABLE outbox_old RENAME TO outbox;
    DELETE FROM schema_migrations WHERE version = 38;
  `);
}

describe('migration 38: the outbox becomes the event stream', () => {
  it('keeps every sale row with its seq and sync state, and the next events continue the same numbering', () => {
    db = memoryTill();
    for (let i = 0; i < 5; i++) sell(db, i);
    db.exec("UPDATE outbox SET synced_at = '2026-01-01T00:00:00.000Z' WHERE seq <= 3; UPDATE outbox SET conflict = 'HQ holds other content' WHERE seq = 5");
    const before = db.prepare('SELECT seq, sale_id, payload, synced_at, conflict FROM outbox ORDER BY seq').all();
    asBefore38(db);
    migrate(db);
    expect(db.prepare('SELECT seq, sale_id, payload, synced_at, conflict FROM outbox ORDER BY seq').all()).toEqual(before);
    expect(db.prepare("SELECT count(*) AS n FROM outbox WHERE kind = 'sale' AND event_id = sale_id").get()).toEqual({ n: 5 });
    expect(pendingCount(db)).toBe(1);

    openShift(db, { cashierId: '1001', floatFen: 0 });
    sell(db, 5);
    recordReturn(db, { receiptNo: findSale(db, 'last').receiptNo, supervisorId: '9001', cashierId: '1001' });
    const stream = db.prepare('SELECT seq, kind FROM outbox WHERE seq > 5 ORDER BY seq').all();
    expect(stream).toEqual([
      { seq: 6, kind: 'shift-open' },
      { seq: 7, kind: 'sale' },
      { seq: 8, kind: 'return' },
      { seq: 9, kind: 'approval' },
    ]);
    // The sale's seq is its row's: `till sales list` shows it, and its sync state, as before.
    expect(listSales(db).map((s) => s.seq)).toEqual([1, 2, 3, 4, 5, 7]);
    // A sale row must name its sale; no other kind may.
    expect(() => db.prepare("INSERT INTO outbox (seq, kind, event_id, sale_id, payload, created_at) VALUES (99, 'return', 'x', ?, '{}', '')").run(findSale(db, 'last').id)).toThrow(/CHECK/);
  });
});
