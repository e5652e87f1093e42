// settings: small key/value facts about this till (store code, till code, store name, device id, sync cursor…).
import { randomUUID } from 'node:crypto';
import { dirname } from 'node:path';
import { configPath, configValue, readConfigFile } from '../config-file.js';
import { DEFAULT_BUSINESS_DAY, type BusinessDayRule } from '../core/dates.js';
import { stmt, type DB } from './open.js';

export interface TillIdentity {
  storeCode: string;
  tillCode: string;
  storeName: string;
  storeAddress: string;
}

export function getSetting(db: DB, key: string): string | undefined {
  const row = stmt(db, 'SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value;
}

export function setSetting(db: DB, key: string, value: string): void {
  db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
}

export function getJsonSetting<T>(db: DB, key: string): T | undefined {
  const v = getSetting(db, key);
  return v === undefined ? undefined : (JSON.parse(v) as T);
}

export function setJsonSetting(db: DB, key: string, value: unknown): void {
  setSetting(db, key, JSON.stringify(value));
}

export function getIdentity(db: DB): TillIdentity | undefined {
  const storeCode = getSetting(db, 'store.code');
  const tillCode = getSetting(db, 'till.code');
  if (!storeCode || !tillCode) return undefined;
  return {
    storeCode,
    tillCode,
    storeName: getSetting(db, 'store.name') ?? storeCode,
    storeAddress: getSetting(db, 'store.address') ?? '',
  };
}

const DEVICE_ID = 'device.id';

/**
 * This installation's identity: HQ numbers, acknowledges (and, with the security issue,
 * verifies) its stream by it. Today an id alone; the Ed25519 key pair joins it here (the
 * public key beside the id, the private key in the home folder, never in the database).
 */
export interface DeviceIdentity {
  id: string;
}

/** The device id (migration 34 gives every database one). */
export function getDeviceIdentity(db: DB): DeviceIdentity | undefined {
  const id = getSetting(db, DEVICE_ID);
  return id ? { id } : undefined;
}

/** A new device id for a new installation (`till init`): a copied database must not keep its source's. */
export function newDeviceIdentity(db: DB): DeviceIdentity {
  const id = randomUUID();
  setSetting(db, DEVICE_ID, id);
  return { id };
}

/**
 * The store's business-day rule from the till's config (store.timeZone, store.dayCutoff, next
 * to its database), read at each sale so that `till config set` applies at once. A database
 * without a home (in memory) or a bad value gets the default: Asia/Shanghai, 04:00.
 */
export function businessDayRuleOf(db: DB): BusinessDayRule {
  if (!db.name || db.memory) return DEFAULT_BUSINESS_DAY;
  let file: Record<string, unknown>;
  try {
    file = readConfigFile(configPath(dirname(db.name)));
  } catch {
    return DEFAULT_BUSINESS_DAY;
  }
  const tz = configValue(file, 'store.timeZone');
  const cutoff = configValue(file, 'store.dayCutoff');
  const m = typeof cutoff === 'string' ? /^([01]\d|2[0-3]):([0-5]\d)$/.exec(cutoff) : null;
  let timeZone = DEFAULT_BUSINESS_DAY.timeZone;
  if (typeof tz === 'string') {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      timeZone = tz;
    } catch {
      // a hand-edited bad zone falls back to the default rather than stopping a sale
    }
  }
  return { timeZone, cutoffMinutes: m ? Number(m[1]) * 60 + Number(m[2]) : DEFAULT_BUSINESS_DAY.cutoffMinutes };
}
