// Where a till or HQ keeps its database, config and backups: --home, else TILL_HOME, else the
// platform's data folder (the same place `conf` picks for config, under "till").
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export function defaultHome(): string {
  const home = homedir();
  if (process.platform === 'darwin') return join(home, 'Library', 'Application Support', 'till');
  if (process.platform === 'win32') return join(process.env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), 'till');
  return join(process.env.XDG_DATA_HOME || join(home, '.local', 'share'), 'till');
}

export function resolveHome(explicit?: string): string {
  return resolve(explicit ?? process.env.TILL_HOME ?? defaultHome());
}

export const DB_FILE = 'till.db';
export const dbPath = (home: string) => join(home, DB_FILE);
