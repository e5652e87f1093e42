// HQ's stores, tills and devices. A till code is a label; each installation enrolled under it
// is a device with its own stream (seq, hwm). Replacing hardware enrolls a new device for the
// till code; the old one is retired (its backlog is still taken, nothing it makes after).
import { NotFoundError, UserError } from '../errors.js';
import { isUniqueViolation, type SqlDriver } from './storage/driver.js';
import type { HqAlert } from './ingest.js';

export interface HqContext {
  db: SqlDriver;
  now: () => Date;
  onAlert?: (alert: HqAlert) => void;
  /** Plausibility cap per sale in fen (rules.ts; default ¥100,000, 0 = none). */
  maxSaleFen?: number;
  /** Stored quarantine rows per device before uploads are only counted (quarantine.ts). */
  quarantineCap?: number;
}

/** Who a till token is: the till code it sells under (tillId: hq_tills.id) and its device. */
export interface TillPrincipal {
  tillId: number;
  storeCode: string;
  tillCode: string;
  /** hq_devices.id: the stream this token uploads to. */
  deviceRowId: number;
  /** The installation's id from `till init` (null: an HQ-v1 till not heard from since). */
  deviceId: string | null;
}

export interface DeviceSummary {
  /** The installation's id, or `#<n>` (HQ's row) for a till HQ has not heard its id from. */
  device: string;
  storeCode: string;
  tillCode: string;
  status: 'enrolled' | 'retired' | 'not-enrolled';
  enrolledAt: string | null;
  retiredAt: string | null;
  hwm: number;
  lastUploadAt: string | null;
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
  // A till code's figures are those of its devices: enrolled if one is, its latest upload.
  const tills = await ctx.db.all<{ store_code: string; code: string; enrolled: number; enrolled_at: string | null; hwm: number; last_upload_at: string | null }>(
    `SELECT t.store_code, t.code, count(d.token_hash) AS enrolled, max(d.enrolled_at) AS enrolled_at, coalesce(max(d.hwm), 0) AS hwm, max(d.last_upload_at) AS last_upload_at
     FROM hq_tills t LEFT JOIN hq_devices d ON d.till_id = t.id AND d.retired_at IS NULL
     GROUP BY t.store_code, t.code ORDER BY t.store_code, t.code`,
  );
  return stores.map((s) => ({
    code: s.code,
    name: s.name,
    createdAt: s.created_at,
    tills: tills
      .filter((t) => t.store_code === s.code)
      .map((t) => ({ code: t.code, enrolled: Number(t.enrolled) > 0, enrolledAt: t.enrolled_at, hwm: Number(t.hwm), lastUploadAt: t.last_upload_at })),
  }));
}

type DeviceRow = {
  id: number;
  device_uuid: string | null;
  store_code: string;
  code: string;
  token_hash: string | null;
  enrolled_at: string | null;
  retired_at: string | null;
  hwm: number;
  last_upload_at: string | null;
};

const DEVICE_SELECT = `SELECT d.id, d.device_uuid, t.store_code, t.code, d.token_hash, d.enrolled_at, d.retired_at, d.hwm, d.last_upload_at
  FROM hq_devices d JOIN hq_tills t ON t.id = d.till_id`;

function deviceSummary(r: DeviceRow): DeviceSummary {
  return {
    device: r.device_uuid ?? `#${r.id}`,
    storeCode: r.store_code,
    tillCode: r.code,
    status: r.retired_at !== null ? 'retired' : r.token_hash !== null ? 'enrolled' : 'not-enrolled',
    enrolledAt: r.enrolled_at,
    retiredAt: r.retired_at,
    hwm: Number(r.hwm),
    lastUploadAt: r.last_upload_at,
  };
}

/** Every device, by store, till code and enrollment. */
export async function listDevices(ctx: HqContext, o: { storeCode?: string } = {}): Promise<DeviceSummary[]> {
  const rows = await ctx.db.all<DeviceRow>(
    `${DEVICE_SELECT} ${o.storeCode ? 'WHERE t.store_code = ?' : ''} ORDER BY t.store_code, t.code, d.enrolled_at, d.id`,
    o.storeCode ? [o.storeCode] : [],
  );
  return rows.map(deviceSummary);
}

/**
 * Retires a device (its installation id, or `#<n>`): HQ still takes the backlog it sold before
 * now, and quarantines what it makes after; enrolling it again lifts the retirement.
 */
export async function retireDevice(ctx: HqContext, device: string): Promise<DeviceSummary> {
  const at = ctx.now().toISOString();
  return ctx.db.transaction(async (q) => {
    const m = /^#(\d+)$/.exec(device.trim());
    const rows = await q.all<DeviceRow>(`${DEVICE_SELECT} WHERE ${m ? 'd.id = ?' : 'd.device_uuid = ?'} ORDER BY d.retired_at IS NULL DESC, d.id DESC`, [m ? Number(m[1]) : device.trim()]);
    const r = rows[0];
    if (!r) throw new NotFoundError(`HQ has no device ${device}; see \`till hq tills list\`.`);
    if (rows.filter((x) => x.retired_at === null).length > 1) {
      throw new UserError(`Device ${device} is enrolled under several till codes (${rows.map((x) => `#${x.id} ${x.store_code}/${x.code}`).join(', ')}); retire one by its #number.`, 'E_AMBIGUOUS');
    }
    if (r.retired_at !== null) throw new UserError(`Device ${device} of ${r.store_code}/${r.code} was already retired at ${r.retired_at}.`, 'E_RETIRED');
    await q.run('UPDATE hq_devices SET retired_at = ? WHERE id = ?', [at, Number(r.id)]);
    return deviceSummary({ ...r, retired_at: at });
  });
}
