// The pieces under the uploader: one uploader per till across processes (a lease in SQLite),
// backoff with full jitter and Retry-After as a floor, and the token file only its user reads.
import { statSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type DB } from '../../src/db/open.js';
import { acquireLease, leaseHolder, releaseLease, UPLOAD_LEASE } from '../../src/db/sync-state.js';
import { backoffDelay } from '../../src/sync/backoff.js';
import { failureKindOf, parseRetryAfter } from '../../src/sync/client.js';
import { readToken, tokenPath, writeToken } from '../../src/sync/credentials.js';
import { removeDir, tempDir } from '../helpers/till.js';

const dirs: string[] = [];
const dbs: DB[] = [];
afterEach(() => {
  for (const d of dbs.splice(0)) d.close();
  for (const d of dirs.splice(0)) removeDir(d);
});

function twoConnections(): [DB, DB] {
  const dir = tempDir();
  dirs.push(dir);
  const file = join(dir, 'till.db');
  const a = openDatabase(file, { create: true });
  const b = openDatabase(file);
  dbs.push(a, b);
  return [a, b];
}

describe('the upload lease', () => {
  it('lets one holder upload at a time across connections, until it lets go or its lease runs out', () => {
    const [a, b] = twoConnections();
    const t = 1_000_000;
    expect(acquireLease(a, UPLOAD_LEASE, 'checkout', 30_000, t)).toEqual({ ok: true });
    expect(acquireLease(b, UPLOAD_LEASE, 'cron', 30_000, t + 1)).toEqual({ ok: false, current: { holder: 'checkout', expiresAt: t + 30_000 } });
    // Renewal by the holder pushes the expiry on.
    expect(acquireLease(a, UPLOAD_LEASE, 'checkout', 30_000, t + 20_000).ok).toBe(true);
    expect(acquireLease(b, UPLOAD_LEASE, 'cron', 30_000, t + 40_000).ok).toBe(false);
    // A holder that stopped renewing (crashed) loses it when it expires.
    expect(acquireLease(b, UPLOAD_LEASE, 'cron', 30_000, t + 50_001).ok).toBe(true);
    expect(leaseHolder(a, UPLOAD_LEASE, t + 50_002)?.holder).toBe('cron');
    // Releasing someone else's lease does nothing; releasing one's own frees it.
    releaseLease(a, UPLOAD_LEASE, 'checkout');
    expect(leaseHolder(a, UPLOAD_LEASE, t + 50_003)?.holder).toBe('cron');
    releaseLease(b, UPLOAD_LEASE, 'cron');
    expect(leaseHolder(a, UPLOAD_LEASE, t + 50_004)).toBeUndefined();
  });
});

describe('backoff', () => {
  it('waits a random time under a ceiling that doubles per attempt and stops at the cap', () => {
    const o = { baseMs: 250, capMs: 60_000 };
    expect([0, 1, 2, 3].map((n) => backoffDelay(n, o, undefined, () => 0.999999))).toEqual([249, 499, 999, 1999]);
    expect(backoffDelay(20, o, undefined, () => 0.999999)).toBe(59_999);
    expect(backoffDelay(5, o, undefined, () => 0)).toBe(0); // full jitter reaches down to zero
    // Spread: 1,000 tills retrying at attempt 4 do not come back together.
    const delays = Array.from({ length: 1000 }, () => backoffDelay(4, o));
    expect(Math.min(...delays)).toBeLessThan(400);
    expect(Math.max(...delays)).toBeGreaterThan(3600);
  });

  it('never retries sooner than HQ asked with Retry-After', () => {
    const o = { baseMs: 250, capMs: 60_000 };
    expect(backoffDelay(0, o, 5000, () => 0.5)).toBe(5000);
    expect(backoffDelay(10, o, 5000, () => 0.5)).toBe(30_000);
    expect(parseRetryAfter('7')).toBe(7000);
    expect(parseRetryAfter(new Date(Date.now() + 10_000).toUTCString())).toBeGreaterThan(8000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('which refusals are retried', () => {
  it('retries timeouts, rate limits and server errors; stops on bad request, bad token, forbidden and conflict', () => {
    expect([408, 429, 500, 502, 503, 504].map(failureKindOf)).toEqual(Array(6).fill('retry'));
    expect([400, 401, 403, 404, 409, 413].map(failureKindOf)).toEqual(Array(6).fill('fatal'));
  });
});

describe('the till token file', () => {
  it('is readable by its user only, even when someone loosened it', () => {
    const home = tempDir();
    dirs.push(home);
    writeToken(home, 'tok_abc');
    expect(statSync(tokenPath(home)).mode & 0o777).toBe(0o600);
    expect(readToken(home)).toBe('tok_abc');
    chmodSync(tokenPath(home), 0o644);
    expect(readToken(home)).toBe('tok_abc');
    expect(statSync(tokenPath(home)).mode & 0o777).toBe(0o600);
    writeFileSync(tokenPath(home), '\n');
    expect(readToken(home)).toBeUndefined();
  });
});
