// HQ over HTTP does no work for a stranger and never answers 500 to a bad body: the token is
// checked before the body is read, deep or huge bodies get 400/413, text/plain gets 415, and
// report query parameters are real days. Both backends.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHqServer, nestsDeeperThan } from '../../src/hq/server.js';
import type { HqStore } from '../../src/hq/store.js';
import { STORAGES, createTestDb, enrolledTill, get, item, makeSale, type TestDb } from './helpers.js';

async function send(url: string, path: string, token: string | null, body: string, type = 'application/json'): Promise<{ status: number; body: any }> {
  const r = await fetch(url + path, { method: 'POST', headers: { 'content-type': type, ...(token ? { authorization: `Bearer ${token}` } : {}) }, body });
  return { status: r.status, body: await r.json() };
}

describe.each(STORAGES)('HQ HTTP guards on %s', (kind) => {
  let tdb: TestDb;
  let hq: HqStore;
  let app: FastifyInstance;
  let url: string;
  let token: string;
  let admin: string;
  const logged: string[] = [];
  let authCalls = 0;

  beforeAll(async () => {
    tdb = await createTestDb(kind);
    hq = await tdb.open();
    await hq.addStore('S001', '一号店');
    token = (await enrolledTill(hq, 'S001', 'T01')).token;
    admin = await hq.rotateAdminToken();
    const authenticate = hq.authenticate.bind(hq);
    hq.authenticate = (t: string) => (authCalls++, authenticate(t));
    app = buildHqServer(hq, { log: (l) => logged.push(l), batchBodyLimit: 64 * 1024 });
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await app?.close();
    await hq?.close();
    await tdb?.drop();
  });

  it('an unknown token is refused before the body is read: a malformed or oversized batch still gets 401', async () => {
    expect((await send(url, '/v1/sales/batch', 'till_nobody', '{"sales": [')).status).toBe(401);
    expect((await send(url, '/v1/sales/batch', 'till_nobody', 'x'.repeat(200 * 1024))).status).toBe(401);
    expect((await send(url, '/v1/sales/batch', null, '[[[[')).status).toBe(401);
  });

  it('a deeply nested body with any bearer string gets 400 (with the till’s token too), never a 500 or a stack in the log', async () => {
    const deep = '{"sales":[{"seq":1,"hash":"h","sale":' + '['.repeat(20_000) + ']'.repeat(20_000) + '}]}';
    for (const t of ['till_nobody', token]) {
      const r = await send(url, '/v1/sales/batch', t, deep);
      expect(r.status).toBe(t === token ? 400 : 401);
      expect(r.body.error.code).toBe(t === token ? 'bad_request' : 'unauthorized');
    }
    expect(logged).toEqual([]);
    expect((await get(url, '/v1/sync/state', token)).body.hwm).toBe(0);
  });

  it('a body over the batch limit gets 413 and text/plain gets 415, from the enrolled till too', async () => {
    const huge = JSON.stringify({ sales: [item({ pad: 'x'.repeat(100 * 1024) }, 1)] });
    expect((await send(url, '/v1/sales/batch', token, huge)).status).toBe(413);
    const plain = await send(url, '/v1/sales/batch', token, JSON.stringify({ sales: [item(makeSale('S001', 'T01', 1))] }), 'text/plain');
    expect(plain).toMatchObject({ status: 415, body: { error: { code: 'unsupported_media_type' } } });
    expect((await get(url, '/v1/sync/state', token)).body.hwm).toBe(0);
    expect(logged).toEqual([]);
  });

  it('a valid batch is still taken; once its till is re-enrolled, the old token is refused on the very next batch', async () => {
    const before = authCalls;
    const r = await send(url, '/v1/sales/batch', token, JSON.stringify({ sales: [item(makeSale('S001', 'T01', 1))] }));
    expect(r).toMatchObject({ status: 200, body: { ackedThrough: 1, inserted: 1 } });
    expect(authCalls - before).toBeLessThanOrEqual(1);
    const old = token;
    token = (await enrolledTill(hq, 'S001', 'T01')).token;
    const stale = await send(url, '/v1/sales/batch', old, JSON.stringify({ sales: [item(makeSale('S001', 'T01', 2))] }));
    expect(stale).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } });
    expect((await get(url, '/v1/sync/state', token)).body.hwm).toBe(1);
  });

  it('a batch whose sale has a NUL in its store code is answered 200 and quarantined, and the stream moves on', async () => {
    const t = await enrolledTill(hq, 'S001', 'NUL');
    const poison = { ...makeSale('S001', 'NUL', 1), storeCode: 'S001\u0000' };
    for (let attempt = 0; attempt < 2; attempt++) {
      const r = await send(url, '/v1/sales/batch', t.token, JSON.stringify({ sales: [item(poison, 1), item(makeSale('S001', 'NUL', 2))] }));
      expect(r).toMatchObject({ status: 200, body: { ackedThrough: 2 } });
    }
    expect(logged).toEqual([]);
  });

  it('report query parameters are validated: from=2026-13-45 is 400, so is from after to', async () => {
    for (const q of ['from=2026-13-45', 'to=2026-02-30', 'from=2026-1-5', 'from=2026-03-02&to=2026-03-01', 'bogus=1']) {
      const r = await get(url, `/v1/admin/sales/report?${q}`, admin);
      expect(r.status, q).toBe(400);
      expect(r.body.error.code).toBe('bad_request');
    }
    expect((await get(url, '/v1/admin/sales/report?from=2024-02-29&to=2026-12-31', admin)).status).toBe(200);
  });

  it('the quarantine route pages by till, limit and after', async () => {
    await send(url, '/v1/sales/batch', token, JSON.stringify({ sales: [item({ bad: 1 }, 2), item({ bad: 2 }, 3), item({ bad: 3 }, 4)] }));
    const first = await get(url, '/v1/admin/quarantine?till=S001/T01&limit=2', admin);
    expect(first.body.map((x: { seq: number }) => x.seq)).toEqual([2, 3]);
    const next = await get(url, `/v1/admin/quarantine?till=S001/T01&limit=2&after=${first.body[1].id}`, admin);
    expect(next.body.map((x: { seq: number }) => x.seq)).toEqual([4]);
    expect((await get(url, '/v1/admin/quarantine?limit=0', admin)).status).toBe(400);
  });
});

describe('body depth scan', () => {
  it('counts brackets outside strings only', () => {
    expect(nestsDeeperThan('{"a":"[[[[[[[[[[[[[[[[[[[[[["}', 3)).toBe(false);
    expect(nestsDeeperThan('{"a":"\\"[[[[","b":[[[1]]]}', 3)).toBe(true);
    expect(nestsDeeperThan('[[[]]]', 3)).toBe(false);
  });
});
