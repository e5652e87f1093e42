// Enrollment and tokens: a one-time code an admin makes for a till code, spent by a till for
// its token (HQ keeps only hashes); the admin token; who a bearer token is.
import { NotFoundError, UserError } from '../errors.js';
import type { EnrollResponse } from '../sync/protocol.js';
import { forUpdate } from './storage/driver.js';
import { checkCode, type HqContext, type TillPrincipal } from './tills.js';
import { enrollCodeHash, newAdminToken, newEnrollCode, newTillToken, sha256 } from './tokens.js';

export type Principal = { kind: 'till'; till: TillPrincipal } | { kind: 'admin' };

/** Raised to the HTTP layer as 401 enroll_code_invalid; the message says which problem. */
export class EnrollCodeError extends UserError {
  constructor(message: string) {
    super(message, 'E_ENROLL_CODE');
  }
}

/**
 * A one-time code that enrolls till `tillCode` of `storeCode` (the till row is created if
 * new). Enrolling again replaces the till's token; its sales and hwm stay.
 */
export async function createEnrollCode(ctx: HqContext, 
  storeCode: string,
  tillCode: string,
  ttlMinutes = 24 * 60,
): Promise<{ code: string; storeCode: string; tillCode: string; expiresAt: string; alreadyEnrolled: boolean }> {
  const s = checkCode(storeCode, 'store');
  const t = checkCode(tillCode, 'till');
  if (!Number.isInteger(ttlMinutes) || ttlMinutes < 1 || ttlMinutes > 30 * 24 * 60) throw new UserError('The code must expire in 1 minute to 30 days (--ttl).');
  const now = ctx.now();
  const expiresAt = new Date(now.getTime() + ttlMinutes * 60_000).toISOString();
  const code = newEnrollCode();
  const alreadyEnrolled = await ctx.db.transaction(async (q) => {
    const store = await q.get('SELECT code FROM hq_stores WHERE code = ?', [s]);
    if (!store) throw new NotFoundError(`No store ${s}; add it first with \`till hq stores add ${s} --name <name>\`.`);
    await q.run('INSERT INTO hq_tills (store_code, code, hwm, created_at) VALUES (?, ?, 0, ?) ON CONFLICT (store_code, code) DO NOTHING', [s, t, now.toISOString()]);
    const till = await q.get<{ id: number; token_hash: string | null }>('SELECT id, token_hash FROM hq_tills WHERE store_code = ? AND code = ?', [s, t]);
    await q.run('INSERT INTO hq_enroll_codes (code_hash, till_id, expires_at, created_at) VALUES (?, ?, ?, ?)', [enrollCodeHash(code), Number(till!.id), expiresAt, now.toISOString()]);
    return till!.token_hash !== null;
  });
  return { code, storeCode: s, tillCode: t, expiresAt, alreadyEnrolled };
}

/** Spends a one-time code: the till gets a new token (HQ keeps its hash). */
export async function enroll(ctx: HqContext, code: string): Promise<EnrollResponse> {
  const token = newTillToken();
  const now = ctx.now().toISOString();
  return ctx.db.transaction(async (q) => {
    const row = await q.get<{ till_id: number; expires_at: string; used_at: string | null }>(
      `SELECT till_id, expires_at, used_at FROM hq_enroll_codes WHERE code_hash = ?${forUpdate(q)}`,
      [enrollCodeHash(code)],
    );
    if (!row) throw new EnrollCodeError('HQ does not know this enrollment code; check it, or ask HQ for a new one (`till hq enroll-code --store <code> --till <code>`).');
    if (row.used_at) throw new EnrollCodeError(`This enrollment code was already used (${row.used_at}); ask HQ for a new one.`);
    if (row.expires_at <= now) throw new EnrollCodeError(`This enrollment code expired at ${row.expires_at}; ask HQ for a new one.`);
    await q.run('UPDATE hq_enroll_codes SET used_at = ? WHERE code_hash = ?', [now, enrollCodeHash(code)]);
    await q.run('UPDATE hq_tills SET token_hash = ?, enrolled_at = ? WHERE id = ?', [sha256(token), now, Number(row.till_id)]);
    const t = await q.get<{ store_code: string; code: string; name: string }>(
      'SELECT t.store_code, t.code, s.name FROM hq_tills t JOIN hq_stores s ON s.code = t.store_code WHERE t.id = ?',
      [Number(row.till_id)],
    );
    return { storeCode: t!.store_code, storeName: t!.name, tillCode: t!.code, token };
  });
}

/** A new admin token for the admin HTTP routes; earlier admin tokens stop working. */
export async function rotateAdminToken(ctx: HqContext): Promise<string> {
  const token = newAdminToken();
  await ctx.db.transaction(async (q) => {
    await q.run('DELETE FROM hq_admin_tokens');
    await q.run('INSERT INTO hq_admin_tokens (token_hash, created_at) VALUES (?, ?)', [sha256(token), ctx.now().toISOString()]);
  });
  return token;
}

export async function authenticate(ctx: HqContext, token: string): Promise<Principal | null> {
  if (!token || token.length > 200) return null;
  const hash = sha256(token);
  const till = await ctx.db.get<{ id: number; store_code: string; code: string }>('SELECT id, store_code, code FROM hq_tills WHERE token_hash = ?', [hash]);
  if (till) return { kind: 'till', till: { tillId: Number(till.id), storeCode: till.store_code, tillCode: till.code } };
  const admin = await ctx.db.get('SELECT token_hash FROM hq_admin_tokens WHERE token_hash = ?', [hash]);
  return admin ? { kind: 'admin' } : null;
}
