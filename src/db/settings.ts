// settings: small key/value facts about this till (store code, till code, store name, sync cursor…).
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
