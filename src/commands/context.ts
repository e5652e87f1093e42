// What every command shares: the global options, the till's home and database, output helpers.
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { openDatabase, type DB } from '../db/open.js';
import { getIdentity, type TillIdentity } from '../db/settings.js';
import { dbPath, resolveHome } from '../home.js';
import { UserError } from '../errors.js';
import { writeOut } from '../output.js';

export { writeOut };

export interface GlobalOptions {
  home?: string;
  debug?: boolean;
  lang?: string;
}

export function globals(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals() as GlobalOptions;
}

export function homeOf(cmd: Command): string {
  return resolveHome(globals(cmd).home);
}

export interface TillContext {
  home: string;
  db: DB;
  identity: TillIdentity;
}

/** Opens an initialised till (its home and database must exist). */
export function openTill(cmd: Command): TillContext {
  const home = homeOf(cmd);
  const file = dbPath(home);
  if (!existsSync(file)) {
    throw new UserError(`No till at ${home}. Run \`till init --store <code> --till <code>\` first, or set --home / TILL_HOME.`, 'E_NOT_INITIALISED');
  }
  const db = openDatabase(file);
  const identity = getIdentity(db);
  if (!identity) {
    db.close();
    throw new UserError(`The till at ${home} is not initialised; run \`till init --store <code> --till <code>\`.`, 'E_NOT_INITIALISED');
  }
  return { home, db, identity };
}

export function printJson(value: unknown): void {
  writeOut(1, JSON.stringify(value, null, 2) + '\n');
}

/** Messages for people: stderr, so stdout stays clean data. */
export function say(message: string): void {
  writeOut(2, message + '\n');
}
