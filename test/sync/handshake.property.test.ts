// Property: whatever HQ holds when a till comes to sync — behind it (restored from a backup),
// holding sales whose answers the till never got, holding other content at seqs the till has
// not seen acknowledged or after its last sale, or claiming more than the till ever sold —
// nothing the till marks synced is missing at HQ or held there with other content. When HQ
// holds nothing conflicting, everything ends synced; when it does, the till shows a conflict.
import { createHash, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDeviceIdentity } from '../../src/db/settings.js';
import { saleSchema } from '../../src/sync/protocol.js';
import { enrolledTill, ensureStore, sellMany, startHq, type Hq, type TestTill } from './harness.js';

const FAST = { backoff: { baseMs: 5, capMs: 20 }, requestTimeoutMs: 5000, idlePollMs: 10, random: () => 0.5 };

function hashOf(payload: string): string {
  return createHash('sha256').update(JSON.stringify(saleSchema.parse(JSON.parse(payload)))).digest('hex');
}

const historyArb = fc.record({
  synced: fc.integer({ min: 1, max: 10 }),
  later: fc.integer({ min: 0, max: 5 }),
  /** HQ restored from a backup taken when it held seqs 1..k. */
  restoredTo: fc.option(fc.nat(10), { nil: undefined }),
  /** Seqs at which HQ holds other content than the till sold (their answers never reached the till). */
  otherAt: fc.uniqueArray(fc.integer({ min: 1, max: 10 }), { maxLength: 3 }),
  /** HQ holds this many sales the till never sold after its last one (a copy of its token was used). */
  foreignAfter: fc.constantFrom(0, 0, 1, 3),
  /** Seqs whose acknowledgement never reached the till. */
  lostAcks: fc.uniqueArray(fc.integer({ min: 1, max: 10 }), { maxLength: 4 }),
  /** HQ's mark claims this many seqs more than it holds (ahead of the till). */
  ahead: fc.constantFrom(0, 0, 0, 2),
});

describe('the handshake over random histories', () => {
  let hq: Hq;
  let n = 0;
  const tills: TestTill[] = [];
  beforeAll(async () => {
    hq = await startHq();
    await ensureStore(hq.store, 'P');
  });
  afterAll(async () => {
    for (const t of tills) t.close();
    await hq.stop();
  });

  it('never marks synced a sale HQ does not hold with the same content', async () => {
    await fc.assert(
      fc.asyncProperty(historyArb, async (h) => {
        const t = await enrolledTill(hq.store, hq.url, 'P', `H${++n}`);
        tills.push(t);
        sellMany(t.db, h.synced);
        await t.engine(FAST).runOnce({ deadline: Date.now() + 10_000 });
        const device = await hq.store.db.get<{ id: number }>('SELECT id FROM hq_devices WHERE device_uuid = ?', [getDeviceIdentity(t.db)!.id]);
        const dev = Number(device!.id);
        if (h.restoredTo !== undefined && h.restoredTo < h.synced) {
          await hq.store.db.run('DELETE FROM hq_sales WHERE device_id = ? AND seq > ?', [dev, h.restoredTo]);
          await hq.store.db.run('UPDATE hq_devices SET hwm = ? WHERE id = ?', [h.restoredTo, dev]);
        }
        for (const seq of h.otherAt) await hq.store.db.run("UPDATE hq_sales SET content_hash = 'other', payload = '{}' WHERE device_id = ? AND seq = ?", [dev, seq]);
        for (let i = 1; i <= h.foreignAfter; i++) {
          const seq = Math.min(h.synced, h.restoredTo ?? h.synced) + i;
          await hq.store.db.run(
            `INSERT INTO hq_sales (sale_id, till_id, device_id, seq, store_code, till_code, receipt_no, business_date, created_at, status, total_fen, item_count, content_hash, payload, received_at)
             SELECT ?, till_id, id, ?, 'P', ?, ?, '2026-01-01', '2026-01-01T00:00:00.000Z', 'completed', 1, 1, 'foreign', '{}', '2026-01-01T00:00:00.000Z' FROM hq_devices WHERE id = ?`,
            [randomUUID(), seq, t.tillCode, `FOREIGN-${n}-${seq}`, dev],
          );
          await hq.store.db.run('UPDATE hq_devices SET hwm = ? WHERE id = ?', [seq, dev]);
        }
        if (h.ahead) await hq.store.db.run('UPDATE hq_devices SET hwm = hwm + ? WHERE id = ?', [h.ahead, dev]);
        for (const seq of [...h.lostAcks, ...h.otherAt]) t.db.prepare('UPDATE outbox SET synced_at = NULL WHERE seq = ?').run(seq);
        sellMany(t.db, h.later, h.synced);

        const err = await t
          .engine(FAST)
          .runOnce({ deadline: Date.now() + 10_000 })
          .then(() => null)
          .catch((e: { code?: string }) => e.code ?? 'error');

        const held = new Map(
          (await hq.store.db.all<{ seq: number; sale_id: string; content_hash: string }>('SELECT seq, sale_id, content_hash FROM hq_sales WHERE device_id = ?', [dev])).map((r) => [
            Number(r.seq),
            r,
          ]),
        );
        const rows = t.db.prepare('SELECT seq, sale_id AS saleId, payload, synced_at AS syncedAt, conflict FROM outbox ORDER BY seq').all() as Array<{
          seq: number;
          saleId: string;
          payload: string;
          syncedAt: string | null;
          conflict: string | null;
        }>;
        for (const r of rows) {
          if (r.syncedAt === null) continue;
          const at = held.get(r.seq);
          expect(at?.sale_id, `seq ${r.seq} marked synced`).toBe(r.saleId);
          expect(at?.content_hash, `seq ${r.seq} marked synced`).toBe(hashOf(r.payload));
        }
        // With nothing conflicting at HQ and HQ not ahead, every sale ends synced.
        const conflicting = h.otherAt.some((s) => s <= Math.min(h.synced, h.restoredTo ?? h.synced)) || h.foreignAfter > 0;
        if (!conflicting && h.ahead === 0) {
          expect(err).toBeNull();
          expect(rows.filter((r) => r.syncedAt === null).map((r) => r.seq)).toEqual([]);
        }
        if (conflicting && h.ahead === 0 && h.later >= h.foreignAfter) expect(rows.filter((r) => r.conflict !== null).length).toBeGreaterThan(0);
      }),
      { numRuns: 30 },
    );
  }, 120_000);
});
