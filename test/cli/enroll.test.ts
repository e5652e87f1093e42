// till enroll: HQ's refusal is quoted in one sentence of ours, without a double full stop and
// without telling the admin the same thing twice.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollTill } from '../../src/sync/enroll.js';
import { memoryTill, removeDir, tempDir } from '../helpers/till.js';

let server: Server;
let url = '';
let answer = { code: 'E_ENROLL_CODE', message: '' };
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: answer }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function refusal(message: string): Promise<string> {
  answer = { code: 'E_ENROLL_CODE', message };
  const home = tempDir();
  const db = memoryTill();
  try {
    const err = await enrollTill({ home, db, url, code: 'ABCD-1234' }).catch((e: unknown) => e as Error);
    return (err as Error).message;
  } finally {
    db.close();
    removeDir(home);
  }
}

describe('till enroll refused by HQ', () => {
  it('an expired code: HQ\'s sentence once, one full stop, no advice repeated', async () => {
    const m = await refusal('This enrollment code expired at 2026-12-01T00:00:00Z; ask HQ for a new one.');
    expect(m).toMatch(/^HQ did not enroll this till: .*expired at 2026-12-01T00:00:00Z; ask HQ for a new one\.$/);
    expect(m).not.toContain('..');
    expect(m.match(/ask HQ for a new/gi)).toHaveLength(1);
  });

  it('a refusal that gives no advice gets ours, still without a double full stop', async () => {
    const m = await refusal('The code is not for this kind of device.');
    expect(m).not.toContain('..');
    expect(m).toMatch(/not for this kind of device\. Ask HQ for a new code \(`till hq enroll-code`\)/);
  });
});
