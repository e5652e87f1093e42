// Test helpers: a fresh till home, the real built CLI run as a child process, an open database.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase, type DB } from '../../src/db/open.js';
import { setSetting } from '../../src/db/settings.js';
import { createUser } from '../../src/db/users.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'till.js');

export function tempDir(prefix = 'till-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `till` binary (npm test builds first) with its own home. */
export function till(home: string, args: string[], opts: { input?: string; env?: Record<string, string> } = {}): CliResult {
  const r: SpawnSyncReturns<string> = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    input: opts.input ?? '',
    env: { ...process.env, TILL_HOME: home, TILL_LANG: '', ...opts.env },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A till home initialised through the real CLI (store S001, till T01, admin 1/1234). */
export function initTillHome(extra: string[] = []): string {
  const home = tempDir();
  const r = till(home, ['init', '--store', 'S001', '--till', 'T01', '--name', '测试便利店', '--admin-pin', '1234', ...extra]);
  if (r.code !== 0) throw new Error(`till init failed: ${r.stderr}`);
  return home;
}

/** An in-process database with a till identity and users: cashier 1001/1111, supervisor 9001/9999. */
export function memoryTill(): DB {
  const db = openDatabase(':memory:', { create: true });
  setSetting(db, 'store.code', 'S001');
  setSetting(db, 'till.code', 'T01');
  setSetting(db, 'store.name', '测试便利店');
  createUser(db, { id: '1001', name: '张三', role: 'cashier', pin: '1111' });
  createUser(db, { id: '9001', name: '李店长', role: 'supervisor', pin: '9999' });
  return db;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
