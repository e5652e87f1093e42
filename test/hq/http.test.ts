// HQ over HTTP: enrollment, what a till token may and may not do, admin routes, and the error
// contract (JSON {error:{code,message}}, never a stack). Runs against SQLite and PostgreSQL.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHqServer } from '../../src/hq/server.js';
import type { HqStore } from '../../src/hq/store.js';
import { STORAGES, createTestDb, get, item, makeSale, post, type TestDb } from './helpers.js';

describe.each(STORAGES)('HQ HTTP on %s', (kind) => {
  let tdb: TestDb;
  let hq: HqStore;
  let app: FastifyInstance;
  let url: string;
  let clock = Date.now();
  const logged: string[] = [];
  let tokenA: string; // S001/T01
  let tokenB: string; // S002/T01
  let admin: string;

  async function enroll(store: string, till: string): Promise<string> {
    const { code } = await hq.createEnrollCode(store, till);
    const r = await post(url, '/v1/enroll', null, { code });
    expect(r.status).toBe(200);
    return r.body.token;
  }

  beforeAll(async () => {
    tdb = await createTestDb(kind);
    hq = await tdb.open({ now: () => new Date(clock) });
    await hq.addStore('S001', '一号店');
    await hq.addStore('S002', '二号店');
    app = buildHqServer(hq, { log: (l) => logged.push(l), batchBodyLimit: 256 * 1024 });
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    tokenA = await enroll('S001', 'T01');
    tokenB = await enroll('S002', 'T01');
    admin = await hq.rotateAdminToken();
  });
  afterAll(async () => {
    await app?.close();
    await hq?.close();
    await tdb?.drop();
  });

  it('answers /healthz without a token', async () => {
    expect(await get(url, '/healthz', null)).toEqual({ status: 200, body: { ok: true, protocol: 3, storage: kind } });
  });

  describe('enrollment', () => {
    it('gives the till its identity and a token once; the code cannot be used again', async () => {
      const { code, expiresAt } = await hq.createEnrollCode('S001', 'T09');
      expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
      expect(Date.parse(expiresAt) - clock).toBe(24 * 3600_000);
      // Typed by a person: lower case, spaces instead of dashes.
      const r = await post(url, '/v1/enroll', null, { code: code.toLowerCase().replace(/-/g, ' ') });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ storeCode: 'S001', storeName: '一号店', tillCode: 'T09' });
      expect(r.body.token).toMatch(/^till_/);
      expect((await get(url, '/v1/sync/state', r.body.token)).body).toEqual({
        storeCode: 'S001',
        tillCode: 'T09',
        hwm: 0,
        deviceId: null,
        quarantined: 0,
        conflicts: 0,
        tillHwm: 0,
        lastReceiptNo: null,
        retiredAt: null,
      });
      const again = await post(url, '/v1/enroll', null, { code });
      expect(again.status).toBe(401);
      expect(again.body.error.code).toBe('enroll_code_invalid');
      expect(again.body.error.message).toMatch(/already used/);
    });

    it('refuses an expired code and an unknown one, saying which', async () => {
      const { code } = await hq.createEnrollCode('S001', 'T08', 30);
      clock += 31 * 60_000;
      const r = await post(url, '/v1/enroll', null, { code });
      expect(r.status).toBe(401);
      expect(r.body.error.message).toMatch(/expired/);
      const u = await post(url, '/v1/enroll', null, { code: 'ZZZZ-ZZZZ-ZZZZ' });
      expect(u.status).toBe(401);
      expect(u.body.error.message).toMatch(/does not know this enrollment code/);
    });

    it('re-enrolling a till replaces its token: the old one stops working, its hwm stays', async () => {
      const old = await enroll('S001', 'T07');
      await post(url, '/v1/sales/batch', old, { sales: [item(makeSale('S001', 'T07', 1))] });
      expect((await hq.createEnrollCode('S001', 'T07')).alreadyEnrolled).toBe(true);
      expect((await hq.createEnrollCode('S001', 'T77')).alreadyEnrolled).toBe(false);
      const fresh = await enroll('S001', 'T07');
      expect((await get(url, '/v1/sync/state', old)).status).toBe(401);
      expect((await get(url, '/v1/sync/state', fresh)).body.hwm).toBe(1);
    });

    it('HQ keeps only a hash of the till token', async () => {
      const rows = await hq.db.all<Record<string, unknown>>('SELECT * FROM hq_tills');
      expect(JSON.stringify(rows)).not.toContain(tokenA);
      expect(rows.every((r) => r.token_hash === null || /^[0-9a-f]{64}$/.test(String(r.token_hash)))).toBe(true);
    });
  });

  describe('a till token', () => {
    it('is required: none, or one HQ does not know, gets 401', async () => {
      expect((await get(url, '/v1/sync/state', null)).body.error.code).toBe('unauthorized');
      const r = await get(url, '/v1/catalog', 'till_not-a-real-token');
      expect(r.status).toBe(401);
      expect(r.body.error.code).toBe('unauthorized');
    });

    it('cannot write another store’s sales: they are quarantined and the other store’s figures do not move', async () => {
      const before = await hq.salesReport({ storeCode: 'S002' });
      const theirs = makeSale('S002', 'T01', 1);
      const r = await post(url, '/v1/sales/batch', tokenA, { sales: [item(theirs)] });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ ackedThrough: 1, inserted: 0, quarantined: 1 });
      const after = await hq.salesReport({ storeCode: 'S002' });
      expect(after.salesCount).toBe(before.salesCount);
      expect(after.totalFen).toBe(before.totalFen);
      expect((await get(url, '/v1/sync/state', tokenB)).body.hwm).toBe(0);
      // The real owner's upload of the same sale is taken.
      expect((await post(url, '/v1/sales/batch', tokenB, { sales: [item(theirs)] })).body).toMatchObject({ ackedThrough: 1, inserted: 1 });
    });

    it('reads only its own sync state and its own store’s catalog', async () => {
      expect((await get(url, '/v1/sync/state', tokenA)).body).toMatchObject({ storeCode: 'S001', tillCode: 'T01' });
      await hq.catalog.add({ name: '全店可乐', priceFen: 300, barcodes: ['6901234567892'] });
      await hq.catalog.add({ name: '二号店专供', priceFen: 100, barcodes: ['6902538004045'], storeCode: 'S002' });
      const names = async (token: string) => (await get(url, '/v1/catalog?since=0', token)).body.changes.map((c: any) => c.product.name);
      expect(await names(tokenA)).toEqual(['全店可乐']);
      expect(await names(tokenB)).toEqual(['全店可乐', '二号店专供']);
    });

    it('cannot use admin routes, and the admin token cannot pose as a till', async () => {
      const r = await get(url, '/v1/admin/sales/report', tokenA);
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe('forbidden');
      expect((await post(url, '/v1/admin/enroll-codes', tokenA, { storeCode: 'S002', tillCode: 'T05' })).status).toBe(403);
      expect((await get(url, '/v1/sync/state', admin)).status).toBe(403);
      const batch = { sales: [item(makeSale('S001', 'T01', 99))] };
      expect((await post(url, '/v1/sales/batch', admin, batch)).body.error.code).toBe('forbidden');
      expect((await post(url, '/v1/sales/batch', 'till_unknown', batch)).body.error.code).toBe('unauthorized');
    });
  });

  it('the admin token reads reports and stores and makes enrollment codes', async () => {
    const report = await get(url, '/v1/admin/sales/report', admin);
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({ salesCount: expect.any(Number), totalFen: expect.any(Number) });
    const stores = await get(url, '/v1/admin/stores', admin);
    expect(stores.body.map((s: any) => s.code)).toEqual(['S001', 'S002']);
    const code = await post(url, '/v1/admin/enroll-codes', admin, { storeCode: 'S002', tillCode: 'T05' });
    expect(code.status).toBe(200);
    expect((await post(url, '/v1/enroll', null, { code: code.body.code })).body).toMatchObject({ storeCode: 'S002', tillCode: 'T05' });
    const bad = await post(url, '/v1/admin/stores', admin, { code: 'bad code!', name: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/store code is 1–16 letters/);
  });

  describe('bad requests get a JSON error with a code and a message, never a stack', () => {
    const noStack = (body: unknown) => expect(JSON.stringify(body)).not.toMatch(/\bat .*\.(ts|js):\d+/);

    it('an invalid batch names the field', async () => {
      const r = await post(url, '/v1/sales/batch', tokenA, { sales: [{ seq: 0, hash: 'x', sale: {} }] });
      expect(r.status).toBe(400);
      expect(r.body.error).toEqual({ code: 'bad_request', message: expect.stringMatching(/sales\.0\.seq/) });
      const tooMany = await post(url, '/v1/sales/batch', tokenA, { sales: Array.from({ length: 501 }, (_, i) => ({ seq: i + 1, hash: 'x', sale: {} })) });
      expect(tooMany.status).toBe(400);
      noStack(tooMany.body);
    });

    it('broken JSON, a wrong content type and an oversized body', async () => {
      const broken = await fetch(url + '/v1/sales/batch', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenA}` }, body: '{"sales": [' });
      expect(broken.status).toBe(400);
      expect(((await broken.json()) as any).error.code).toBe('bad_request');
      const text = await fetch(url + '/v1/enroll', { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<code/>' });
      expect(text.status).toBe(415);
      expect(((await text.json()) as any).error.code).toBe('unsupported_media_type');
      const big = await fetch(url + '/v1/sales/batch', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenA}` },
        body: JSON.stringify({ sales: [{ seq: 1, hash: 'x', sale: { pad: 'x'.repeat(300 * 1024) } }] }),
      });
      expect(big.status).toBe(413);
      expect(((await big.json()) as any).error.code).toBe('payload_too_large');
      const route = await get(url, '/v1/nowhere', tokenA);
      expect(route).toEqual({ status: 404, body: { error: { code: 'not_found', message: 'No route GET /v1/nowhere.' } } });
    });

    it('a bad catalog query', async () => {
      const r = await get(url, '/v1/catalog?since=-1', tokenA);
      expect(r.status).toBe(400);
      expect(r.body.error.message).toMatch(/since/);
      expect((await get(url, '/v1/catalog?limit=100000', tokenA)).status).toBe(400);
    });
  });

  it('an unexpected failure is logged at HQ and answered 500 without details', async () => {
    // Pull a table from under the running service, then put it back.
    await hq.db.run('ALTER TABLE hq_sales RENAME TO hq_sales_away');
    try {
      const r = await post(url, '/v1/sales/batch', tokenA, { sales: [item(makeSale('S001', 'T01', 2))] });
      expect(r).toEqual({ status: 500, body: { error: { code: 'internal', message: 'HQ hit an unexpected error and logged it; retry later.' } } });
      expect(JSON.stringify(r.body)).not.toContain('hq_sales');
      expect(logged.some((l) => l.includes('POST /v1/sales/batch failed') && l.includes('hq_sales'))).toBe(true);
    } finally {
      await hq.db.run('ALTER TABLE hq_sales_away RENAME TO hq_sales');
    }
    // Nothing was half-written: the batch is taken once the table is back.
    expect((await post(url, '/v1/sales/batch', tokenA, { sales: [item(makeSale('S001', 'T01', 2))] })).body).toMatchObject({ ackedThrough: 2, inserted: 1 });
  });
});
