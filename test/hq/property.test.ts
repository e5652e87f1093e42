// Property: whatever batches a till's uploads turn into on the way — repeated, reordered,
// overlapping, with holes, carrying poison sales or a re-sent seq with different content — HQ
// acknowledges exactly the prefix it holds, stores each seq at most once with the content it
// first accepted, never loses an acknowledged sale, and a final in-order drain completes it.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HqStore } from '../../src/hq/store.js';
import { examineSale } from '../../src/hq/rules.js';
import { STORAGES, createTestDb, enrolledTill, makeSale, type TestDb } from './helpers.js';

const N = 24;

/** What one upload of the batch carries for a seq: the true sale or a variant of it. */
type Sent = { seq: number; variant: 0 | 1 };

const batchArb = fc.record({
  start: fc.integer({ min: 1, max: N }),
  length: fc.integer({ min: 1, max: 8 }),
  shuffle: fc.boolean(),
  dropAt: fc.option(fc.nat(7), { nil: undefined }), // a hole
  repeatAt: fc.option(fc.nat(7), { nil: undefined }), // the same row twice
  variantAt: fc.option(fc.nat(7), { nil: undefined }), // a seq with different content
  seed: fc.nat(),
});
type BatchSpec = typeof batchArb extends fc.Arbitrary<infer T> ? T : never;

function build(spec: BatchSpec): Sent[] {
  let rows: Sent[] = [];
  for (let s = spec.start; s < spec.start + spec.length && s <= N; s++) rows.push({ seq: s, variant: 0 });
  if (spec.variantAt !== undefined && rows.length) rows[spec.variantAt % rows.length] = { ...rows[spec.variantAt % rows.length], variant: 1 };
  if (spec.repeatAt !== undefined && rows.length) rows.push(rows[spec.repeatAt % rows.length]);
  if (spec.dropAt !== undefined && rows.length > 1) rows = rows.filter((_, i) => i !== spec.dropAt! % rows.length);
  if (spec.shuffle) {
    let x = spec.seed;
    rows = rows
      .map((r) => ({ r, k: (x = (x * 1103515245 + 12345) & 0x7fffffff) }))
      .sort((a, b) => a.k - b.k)
      .map((o) => o.r);
  }
  return rows;
}

describe.each(STORAGES)('HQ ingest property on %s', (kind) => {
  let tdb: TestDb;
  let hq: HqStore;
  let tills = 0;

  beforeAll(async () => {
    tdb = await createTestDb(kind);
    hq = await tdb.open();
    await hq.addStore('S001', '一号店');
  });
  afterAll(async () => {
    await hq?.close();
    await tdb?.drop();
  });

  it('random batches with duplicates, reordering, overlaps, holes, poison and conflicts', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(batchArb, { minLength: 1, maxLength: 10 }), fc.uniqueArray(fc.integer({ min: 1, max: N }), { maxLength: 3 }), async (specs, poison) => {
        const { principal: till } = await enrolledTill(hq, 'S001', `P${++tills}`);
        const poisoned = new Set(poison);
        const content = (r: Sent) => {
          const s = makeSale('S001', till.tillCode, r.seq, r.variant);
          return poisoned.has(r.seq) ? { ...s, totalFen: s.totalFen + 1 } : s;
        };
        // The reference: first content accepted per seq, and the prefix HQ holds.
        const accepted = new Map<number, string>();
        const conflicts = new Set<string>();
        let hwm = 0;
        for (const spec of specs) {
          const rows = build(spec);
          const r = await hq.ingest(till, rows.map((row) => ({ seq: row.seq, hash: 'x', sale: content(row) })));
          for (const row of [...rows].sort((a, b) => a.seq - b.seq)) {
            const h = examineSale(content(row)).hash;
            if (row.seq <= hwm) {
              if (accepted.get(row.seq) !== h) conflicts.add(`${row.seq}:${h}`);
            } else if (row.seq === hwm + 1) {
              accepted.set(row.seq, examineSale(content(row)).hash);
              hwm++;
            } else if (row.seq > hwm + 1) break;
          }
          expect(r.ackedThrough).toBe(hwm);
          expect(r.expectedSeq).toBe(rows.some((row) => row.seq > hwm) ? hwm + 1 : undefined);
        }
        // Drain: the till sends everything from HQ's hwm on, in order, unchanged.
        for (let from = hwm + 1; from <= N; from += 10) {
          const rows: Sent[] = [];
          for (let s = from; s < from + 10 && s <= N; s++) rows.push({ seq: s, variant: 0 });
          expect((await hq.ingest(till, rows.map((row) => ({ seq: row.seq, hash: 'x', sale: content(row) })))).ackedThrough).toBe(Math.min(N, from + 9));
          for (const row of rows) accepted.set(row.seq, examineSale(content(row)).hash);
        }
        const sales = await hq.listSales({ tillCode: till.tillCode });
        const seqs = sales.map((s) => s.seq).sort((a, b) => a - b);
        // Every valid seq exactly once; poison seqs only in quarantine.
        expect(seqs).toEqual(Array.from({ length: N }, (_, i) => i + 1).filter((s) => !poisoned.has(s)));
        const stored = await hq.db.all<{ seq: number; content_hash: string }>(
          'SELECT seq, content_hash FROM hq_sales s JOIN hq_tills t ON t.id = s.till_id WHERE t.code = ?',
          [till.tillCode],
        );
        for (const r of stored) expect(r.content_hash).toBe(accepted.get(Number(r.seq)));
        const q = (await hq.listQuarantine()).filter((x) => x.tillCode === till.tillCode);
        expect(q.filter((x) => x.kind === 'rejected').map((x) => x.seq).sort((a, b) => a - b)).toEqual([...poisoned].sort((a, b) => a - b));
        // Conflicts: each seq re-sent with content other than what HQ took first, recorded once.
        const recorded = await hq.db.all<{ seq: number; content_hash: string }>(
          "SELECT seq, content_hash FROM hq_quarantine x JOIN hq_tills t ON t.id = x.till_id WHERE t.code = ? AND x.kind = 'conflict'",
          [till.tillCode],
        );
        expect(recorded.map((r) => `${r.seq}:${r.content_hash}`).sort()).toEqual([...conflicts].sort());
        expect((await hq.syncState(till)).hwm).toBe(N);
      }),
      { numRuns: 40 },
    );
  });
});
