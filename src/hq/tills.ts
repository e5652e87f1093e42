// HQ's stores and tills (the labels a device sells under): add and list them.
import { UserError } from '../errors.js';
import { isUniqueViolation, type SqlDriver } from './storage/driver.js';
import type { HqAlert } from './ingest.js';

export interface HqContext {
  db: SqlDriver;
  now: () => Date;
  onAlert?: (alert: HqAlert) => void;
}

export interface TillPrincipal {
  tillId: number;
  storeCode: string;
  tillCode: string;
}

export interface StoreSummary {
  code: string;
  name: string;
  createdAt: string;
  tills: Array<{ code: string; enrolled: boolean; enrolledAt: string | null; hwm: number; lastUploadAt: string | null }>;
}

const CODE_RE = /^[A-Za-z0-9_-]{1,16}$/;

export function checkCode(code: string, what: 'store' | 'till'): string {
  const c = String(code ?? '').trim();
  if (!CODE_RE.test(c)) throw new UserError(`A ${what} code is 1–16 letters, digits, "-" or "_", got "${code}".`);
  return c;
}

export async function addStore(ctx: HqContext, code: string, name: string): Promise<{ code: string; name: string; createdAt: string }> {
  const c = checkCode(code, 'store');
  const n = String(name ?? '').trim();
  if (!n || n.length > 100) throw new UserError('A store needs a name of 1–100 characters (--name).');
  const createdAt = ctx.now().toISOString();
  try {
    return await ctx.db.transaction(async (q) => {
      const exists = await q.get<{ name: string }>('SELECT name FROM hq_stores WHERE code = ?', [c]);
      if (exists) throw new UserError(`Store ${c} already exists (${exists.name}).`, 'E_DUPLICATE');
      await q.run('INSERT INTO hq_stores (code, name, created_at) VALUES (?, ?, ?)', [c, n, createdAt]);
      return { code: c, name: n, createdAt };
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new UserError(`Store ${c} already exists (added a moment ago).`, 'E_DUPLICATE');
    throw err;
  }
}

export async function listStores(ctx: HqContext): Promise<StoreSummary[]> {
  const stores = await ctx.db.all<{ code: string; name: string; created_at: string }>('SELECT code, name, created_at FROM hq_stores ORDER BY code');
  const tills = await ctx.db.all<{ store_code: string; code: string; token_hash: string | null; enrolled_at: string | null; hwm: number; last_upload_at: string | null }>(
    'SELECT store_code, code, token_hash, enrolled_at, hwm, last_upload_at FROM hq_tills ORDER BY store_code, code',
  );
  return stores.map((s) => ({
    code: s.code,
    name: s.name,
    createdAt: s.created_at,
    tills: tills
      .filter((t) => t.store_code === s.code)
      .map((t) => ({ code: t.code, enrolled: t.token_hash !== null, enrolledAt: t.enrolled_at, hwm: Number(t.hwm), lastUploadAt: t.last_upload_at })),
  }));
}
