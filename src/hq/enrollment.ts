// Enrollment and tokens: a one-time code an admin makes for a till code, spent by a till for
// its token (HQ keeps only hashes); the admin token; who a bearer token is.
import { NotFoundError, UserError } from '../errors.js';
import type { EnrollResponse } from '../sync/protocol.js';
import { forUpdate } from './storage/driver.js';
import { recordAlerts, type HqAlert } from './ingest.js';
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
 * A one-time code that enrolls a device as till `tillCode` of `storeCode` (the till row is
 * created if new). The device that spends it is a new stream unless it is one HQ knows (the
 * same installation enrolling again keeps its sales and hwm).
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
    const till = await q.get<{ id: number }>('SELECT id FROM hq_tills WHERE store_code = ? AND code = ?', [s, t]);
    await q.run('INSERT INTO hq_enroll_codes (code_hash, till_id, expires_at, created_at) VALUES (?, ?, ?, ?)', [enrollCodeHash(code), Number(till!.id), expiresAt, now.toISOString()]);
    const active = await q.get('SELECT id FROM hq_devices WHERE till_id = ? AND token_hash IS NOT NULL AND retired_at IS NULL', [Number(till!.id)]);
    return active !== undefined;
  });
  return { code, storeCode: s, tillCode: t, expiresAt, alreadyEnrolled };
}

/**
 * Spends a one-time code: the device gets a new token (HQ keeps its hash). `deviceId` is the
 * installation's id (protocol 2): one HQ knows under this till code is enrolled again (its
 * stream and hwm stay, a retirement is lifted); a new one becomes a new device whose seq starts
 * after the till code's highest (a replacement continues the numbering). Without it (a
 * protocol 1 till), the till code's one device with no known id is enrolled again.
 */
export async function enroll(ctx: HqContext, code: string, deviceId?: string): Promise<EnrollResponse> {
  const token = newTillToken();
  const now = ctx.now().toISOString();
  const alerts: HqAlert[] = [];
  const r = await ctx.db.transaction(async (q) => {
    const row = await q.get<{ till_id: number; expires_at: string; used_at: string | null }>(
      `SELECT till_id, expires_at, used_at FROM hq_enroll_codes WHERE code_hash = ?${forUpdate(q)}`,
      [enrollCodeHash(code)],
    );
    if (!row) throw new EnrollCodeError('HQ does not know this enrollment code; check it, or ask HQ for a new one (`till hq enroll-code --store <code> --till <code>`).');
    if (row.used_at) throw new EnrollCodeError(`This enrollment code was already used (${row.used_at}); ask HQ for a new one.`);
    if (row.expires_at <= now) throw new EnrollCodeError(`This enrollment code expired at ${row.expires_at}; ask HQ for a new one.`);
    const tillId = Number(row.till_id);
    const t = await q.get<{ store_code: string; code: string; name: string }>(
      `SELECT t.store_code, t.code, s.name FROM hq_tills t JOIN hq_stores s ON s.code = t.store_code WHERE t.id = ?${forUpdate(q)}`,
      [tillId],
    );
    await q.run('UPDATE hq_enroll_codes SET used_at = ? WHERE code_hash = ?', [now, enrollCodeHash(code)]);
    const known = deviceId
      ? await q.get<{ id: number; till_id: number }>('SELECT id, till_id FROM hq_devices WHERE device_uuid = ? AND till_id = ?', [deviceId, tillId])
      : await q.get<{ id: number; till_id: number }>('SELECT id, till_id FROM hq_devices WHERE till_id = ? AND device_uuid IS NULL ORDER BY id DESC LIMIT 1', [tillId]);
    const others = await q.all<{ device_uuid: string | null; id: number }>(
      'SELECT id, device_uuid FROM hq_devices WHERE till_id = ? AND token_hash IS NOT NULL AND retired_at IS NULL AND id <> ?',
      [tillId, known ? Number(known.id) : -1],
    );
    let deviceRowId: number;
    if (known) {
      deviceRowId = Number(known.id);
      await q.run('UPDATE hq_devices SET token_hash = ?, enrolled_at = ?, retired_at = NULL WHERE id = ?', [sha256(token), now, deviceRowId]);
    } else {
      const start = await q.get<{ m: number }>('SELECT coalesce(max(hwm), 0) AS m FROM hq_devices WHERE till_id = ?', [tillId]);
      const ins = await q.get<{ id: number }>(
        'INSERT INTO hq_devices (device_uuid, till_id, token_hash, hwm, enrolled_at, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id',
        [deviceId ?? null, tillId, sha256(token), Number(start?.m ?? 0), now, now],
      );
      deviceRowId = Number(ins!.id);
    }
    if (others.length > 0) {
      alerts.push({
        kind: 'second-device',
        storeCode: t!.store_code,
        tillCode: t!.code,
        deviceId: deviceId ?? null,
        seq: null,
        quarantineId: null,
        message: `till ${t!.store_code}/${t!.code} enrolled device ${deviceId ?? `#${deviceRowId}`} while ${others.map((o) => o.device_uuid ?? `#${o.id}`).join(', ')} is still active; if one is gone or not yours, retire it (\`till hq tills retire <device>\`)`,
      });
      await recordAlerts(q, alerts, deviceRowId, now);
    }
    return { storeCode: t!.store_code, storeName: t!.name, tillCode: t!.code, token, deviceId: deviceId ?? null };
  });
  for (const a of alerts) ctx.onAlert?.(a);
  return r;
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
  const till = await ctx.db.get<{ id: number; device_uuid: string | null; till_id: number; store_code: string; code: string }>(
    'SELECT d.id, d.device_uuid, t.id AS till_id, t.store_code, t.code FROM hq_devices d JOIN hq_tills t ON t.id = d.till_id WHERE d.token_hash = ?',
    [hash],
  );
  if (till) return { kind: 'till', till: { tillId: Number(till.till_id), storeCode: till.store_code, tillCode: till.code, deviceRowId: Number(till.id), deviceId: till.device_uuid } };
  const admin = await ctx.db.get('SELECT token_hash FROM hq_admin_tokens WHERE token_hash = ?', [hash]);
  return admin ? { kind: 'admin' } : null;
}
