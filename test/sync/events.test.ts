// Issue 12, HQ: everything a store does that HQ must know travels in the device's one event
// stream (DESIGN.md, "Events") with the sales' guarantees. A store's day — shift, sales, a
// return, a post-void, voids, approvals, pay-in/out, close, Z — reaches HQ exactly once
// through a faulty network and a killed uploader; HQ's net for the day equals the Z to the fen;
// a line returned by two tills offline is kept once and flagged; a version-2 till still syncs.
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TillConfig } from '../../src/config.js';
import { recordApproval } from '../../src/db/approvals.js';
import { enqueueEvent, flaggedByHq, pendingCount } from '../../src/db/outbox.js';
import { recordReturn } from '../../src/db/returns.js';
import { findSale, listSales } from '../../src/db/sales.js';
import { closeShift, openShift, payInOut } from '../../src/db/shifts.js';
import { createUser } from '../../src/db/users.js';
import { recordVoid } from '../../src/db/voids.js';
import { takeZReport } from '../../src/db/zreports.js';
import { newSaleId } from '../../src/core/ids.js';
import { tokenPath } from '../../src/sync/credentials.js';
import { EVENT_KINDS, heldHash } from '../../src/sync/protocol.js';
import { FaultProxy, seeded } from './fault-proxy.js';
import { enrolledTill, ensureStore, sellMany, startHq, type Hq, type TestTill } from './harness.js';
import { removeDir, tempDir, till as runTill } from '../helpers/till.js';

const OPTIONS = { requestTimeoutMs: 1000, batchSize: 7, backoff: { baseMs: 20, capMs: 300 }, idlePollMs: 20, catalogEveryMs: 60_000 };
const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

let hq: Hq;
beforeAll(async () => {
  hq = await startHq(tempDir('till-hq-events-'));
  await ensureStore(hq.store, 'S001');
});
afterAll(async () => {
  await hq.stop();
  removeDir(hq.home);
});

/** A full day on one till: every event kind, in one stream. Returns the Z taken at its end. */
function storeDay(t: TestTill, at: Date) {
  const db = t.db;
  createUser(db, { id: '7', name: '王店长', role: 'supervisor', pin: '8642' });
  openShift(db, { cashierId: '1', floatFen: 20_000 }, at);
  sellMany(db, 12);
  const sold = findSale(db, 'last');
  recordReturn(db, { receiptNo: sold.receiptNo, lines: [{ lineNo: 1, qty: 1 }], reason: '破损', supervisorId: '7', cashierId: '1' });
  recordReturn(db, { receiptNo: listSales(db)[10].receiptNo, kind: 'post-void', supervisorId: '7', cashierId: '1' });
  db.transaction(() =>
    recordVoid(db, {
      at: new Date().toISOString(),
      businessDate: sold.businessDate,
      kind: 'line-removed',
      cashierId: '1',
      approverId: '7',
      lines: [{ productId: null, barcode: '6901234567892', name: '可口可乐500ml', qty: 1, qtyGrams: null, unitPriceFen: 350, grossFen: 350, discountFen: 0 }],
      amountFen: 350,
      saleTotalFen: 700,
      paidFen: 0,
    }),
  )();
  recordApproval(db, { cashierId: '1', supervisorId: '7', reason: 'discount-over-limit', action: 'setLineDiscount', detail: 'line 1 −¥2.00' });
  payInOut(db, { kind: 'pay-in', amountFen: 5_000, reason: '银行零钱' });
  payInOut(db, { kind: 'pay-out', amountFen: 1_200, reason: '送货费' });
  closeShift(db, { countedFen: 0, byId: '1' });
  return takeZReport(db, new Date(), { takenBy: '7' });
}

async function drained(tills: TestTill[], ms = 30_000): Promise<void> {
  const t0 = Date.now();
  while (tills.some((t) => pendingCount(t.db) > 0)) {
    if (Date.now() - t0 > ms) throw new Error(`not drained: ${tills.map((t) => pendingCount(t.db)).join(', ')} pending`);
    await tick(10);
  }
}

/** What HQ holds of the till's stream, seq by seq, against the till's outbox. */
async function streamAtHq(t: TestTill) {
  const local = t.db.prepare('SELECT seq, kind, event_id AS id, payload FROM outbox ORDER BY seq').all() as Array<{ seq: number; kind: string; id: string; payload: string }>;
  const sales = await hq.store.db.all<{ id: string; seq: number; payload: string }>(
    "SELECT sale_id AS id, seq, payload FROM hq_sales WHERE store_code = ? AND till_code = ?",
    [t.storeCode, t.tillCode],
  );
  const events = await hq.store.db.all<{ id: string; seq: number; kind: string; payload: string }>(
    'SELECT event_id AS id, seq, kind, payload FROM hq_events WHERE store_code = ? AND till_code = ?',
    [t.storeCode, t.tillCode],
  );
  const held = [...sales.map((s) => ({ ...s, kind: 'sale' })), ...events].map((r) => ({ ...r, seq: Number(r.seq) }));
  const bySeq = new Map<number, (typeof held)[number][]>();
  for (const h of held) bySeq.set(h.seq, [...(bySeq.get(h.seq) ?? []), h]);
  let missing = 0;
  let twice = 0;
  let altered = 0;
  for (const l of local) {
    const at = bySeq.get(l.seq) ?? [];
    if (at.length === 0 || at[0].id !== l.id || at[0].kind !== l.kind) missing++;
    else if (!isDeepStrictEqual(JSON.parse(at[0].payload), JSON.parse(l.payload))) altered++;
    if (at.length > 1) twice++;
  }
  const ids = new Set(held.map((h) => h.id));
  return { local: local.length, held: held.length, distinctIds: ids.size, missing, twice, altered, kinds: [...new Set(local.map((l) => l.kind))].sort() };
}

describe('a store day in the event stream', () => {
  it('every event kind of a day reaches HQ exactly once through a faulty network, a killed uploader and re-sent duplicates', async () => {
    const proxy = await new FaultProxy({ target: hq.url, rate: 0.3, random: seeded(12) }).start();
    const t = await enrolledTill(hq.store, hq.url, 'S001', 'E01');
    try {
      await new TillConfig(t.home).set('hq.url', proxy.url);
      const z = storeDay(t, new Date());
      expect(z.returnsCount + z.postVoidsCount).toBe(2);
      // One gap-free seq for every kind: the outbox is 1..n.
      const seqs = (t.db.prepare('SELECT seq FROM outbox ORDER BY seq').all() as Array<{ seq: number }>).map((r) => r.seq);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));

      // An uploader killed mid-stream: stopped as soon as HQ acknowledged its first batch ...
      const first = new AbortController();
      const e1 = t.engine(OPTIONS);
      e1.on((e) => {
        if (e.type === 'uploaded') first.abort();
      });
      const w1 = e1.watch({ signal: first.signal, onFatal: async (e) => { throw e; } });
      await w1;
      const leftByTheKilled = pendingCount(t.db);
      expect(leftByTheKilled).toBeGreaterThan(0);
      // ... and a second one that carries on; then everything marked unsynced is sent again.
      const second = new AbortController();
      const w2 = t.engine(OPTIONS).watch({ signal: second.signal, onFatal: async (e) => { throw e; } });
      await drained([t]);
      t.db.exec('UPDATE outbox SET synced_at = NULL WHERE seq % 3 = 0');
      await drained([t]);
      second.abort();
      await w2;
      proxy.heal();

      const s = await streamAtHq(t);
      console.log(`event stream through faults: ${s.local} events (${s.kinds.join(', ')}), HQ holds ${s.held}; ${proxy.totalFaults} faults in ${proxy.requests} requests`);
      expect(s.kinds).toEqual(['sale', ...EVENT_KINDS].sort());
      expect(s).toMatchObject({ held: s.local, distinctIds: s.local, missing: 0, twice: 0, altered: 0 });
      expect(proxy.totalFaults).toBeGreaterThan(0);
      const q = await hq.store.db.get<{ n: number }>("SELECT count(*) AS n FROM hq_quarantine x JOIN hq_tills t ON t.id = x.till_id WHERE t.code = 'E01'");
      expect(Number(q?.n)).toBe(0);
    } finally {
      await proxy.stop();
      t.close();
    }
  });

  it("a till sells, returns, takes Z and syncs: `till hq sales report --json` nets the day to the Z's netFen, and `till hq z list` shows the Z", async () => {
    const t = await enrolledTill(hq.store, hq.url, 'S001', 'E02');
    try {
      const z = storeDay(t, new Date());
      await t.engine(OPTIONS).cycle();
      expect(pendingCount(t.db)).toBe(0);
      const r = runTill(hq.home, ['hq', 'sales', 'report', '--json', '--from', z.businessDate, '--to', z.businessDate]);
      expect(r.code, r.stderr).toBe(0);
      const report = JSON.parse(r.stdout) as { byTill: Array<{ tillCode: string; totalFen: number; returnsFen: number; netFen: number }> };
      const mine = report.byTill.find((g) => g.tillCode === 'E02')!;
      expect(mine.returnsFen).toBe(z.returnsFen);
      expect(mine.netFen).toBe(z.netFen);
      expect(mine.totalFen - mine.returnsFen).toBe(mine.netFen);

      const list = runTill(hq.home, ['hq', 'z', 'list', '--till', 'E02', '--json']);
      expect(list.code, list.stderr).toBe(0);
      expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ storeCode: 'S001', tillCode: 'E02', no: 1, businessDate: z.businessDate, netFen: z.netFen, grandTotalFen: z.grandTotalFen })]);
      const text = runTill(hq.home, ['hq', 'z', 'list', '--store', 'S001', '--till', 'E02']);
      expect(text.stdout).toContain('E02');
      expect(runTill(hq.home, ['hq', 'z', 'list', '--from', 'yesterday']).code).toBe(2);
    } finally {
      t.close();
    }
  });

  it('two tills return the same line offline: HQ keeps the first, counts and flags the second; `till hq alerts list` and the second till show it', async () => {
    const a = await enrolledTill(hq.store, hq.url, 'S001', 'E03');
    const b = await enrolledTill(hq.store, hq.url, 'S001', 'E04');
    try {
      createUser(a.db, { id: '7', name: '王店长', role: 'supervisor', pin: '8642' });
      sellMany(a.db, 1, 1); // one line of 2 cans
      const sale = findSale(a.db, 'last');
      await a.engine(OPTIONS).cycle();
      recordReturn(a.db, { receiptNo: sale.receiptNo, lines: [{ lineNo: 1, qty: 2 }], supervisorId: '7', cashierId: '1' });
      // Till B, offline, took the same two cans back on the customer's receipt (as its stream tells HQ).
      b.db.transaction(() =>
        enqueueEvent(b.db, {
          kind: 'return',
          id: newSaleId(),
          at: new Date().toISOString(),
          businessDate: sale.businessDate,
          body: {
            returnNo: `S001-E04-${sale.businessDate.replaceAll('-', '')}-R0001`,
            saleId: sale.id,
            receiptNo: sale.receiptNo,
            type: 'return',
            cashierId: '1',
            supervisorId: '7',
            reason: '',
            refundMode: 'cash',
            refundFen: 400,
            lines: [{ lineNo: 1, qty: 2, qtyGrams: null, refundFen: 400 }],
            tenders: [{ method: 'cash', amountFen: 400 }],
          },
        }),
      )();
      await a.engine(OPTIONS).cycle();
      await b.engine(OPTIONS).cycle();
      const rows = await hq.store.db.all<{ till_code: string; flag: string | null }>("SELECT till_code, flag FROM hq_events WHERE kind = 'return' AND ref_id = ? ORDER BY till_code", [sale.id]);
      expect(rows.map((r) => [r.till_code, r.flag === null])).toEqual([
        ['E03', true],
        ['E04', false],
      ]);
      expect(rows[1].flag).toContain('beyond what was sold');
      // Both sides: till B learns from HQ's ack that its return was flagged; `till sync status` shows it.
      expect(flaggedByHq(a.db)).toEqual([]);
      expect(flaggedByHq(b.db)).toEqual([expect.objectContaining({ kind: 'return', flag: rows[1].flag })]);
      expect(runTill(b.home, ['sync', 'status']).stdout).toMatch(/Flagged\s+1 event\(s\)/);
      const alerts = runTill(hq.home, ['hq', 'alerts', 'list', '--json']);
      expect(alerts.code, alerts.stderr).toBe(0);
      expect(JSON.parse(alerts.stdout)).toContainEqual(expect.objectContaining({ kind: 'over-return', tillCode: 'E04' }));
    } finally {
      a.close();
      b.close();
    }
  });

  it('a till on protocol 2 (sales only, no kind) is still accepted', async () => {
    const t = await enrolledTill(hq.store, hq.url, 'S001', 'E05');
    try {
      sellMany(t.db, 3);
      const rows = t.db.prepare('SELECT seq, payload FROM outbox ORDER BY seq').all() as Array<{ seq: number; payload: string }>;
      // Exactly what a version-2 uploader put on the wire.
      const body = `{"sales":[${rows.map((r) => `{"seq":${r.seq},"hash":"${heldHash(JSON.parse(r.payload))}","sale":${r.payload}}`).join(',')}]}`;
      const token = readFileSync(tokenPath(t.home), 'utf8').trim();
      const res = await fetch(`${hq.url}/v1/sales/batch`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
      const answer = (await res.json()) as { ackedThrough: number; inserted: number; acks: Array<{ status: string }> };
      expect(answer).toMatchObject({ ackedThrough: 3, inserted: 3 });
      expect(answer.acks.map((a) => a.status)).toEqual(['held', 'held', 'held']);
    } finally {
      t.close();
    }
  });
});
