// users: cashiers, supervisors and admins with hashed PINs and a lockout after wrong PINs.
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import type { Role } from '../core/types.js';
import { UserError } from '../errors.js';
import type { DB } from './open.js';

export interface User {
  id: string;
  name: string;
  role: Role;
  active: boolean;
  lockedUntil: string | null;
}

export const MAX_PIN_ATTEMPTS = 5;
export const LOCKOUT_MS = 5 * 60 * 1000;
const ROLES: Role[] = ['cashier', 'supervisor', 'admin'];

export function hashPin(pin: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(pin, salt, 32);
  return `scrypt$${salt.toString('base64')}$${hash.toString('base64')}`;
}

function pinMatches(pin: string, stored: string): boolean {
  const [scheme, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = scryptSync(pin, Buffer.from(salt, 'base64'), expected.length);
  return timingSafeEqual(actual, expected);
}

export function validatePin(pin: string): string {
  if (!/^\d{4,8}$/.test(pin)) throw new UserError('A PIN is 4 to 8 digits.', 'E_PIN');
  return pin;
}

export function validateUserId(id: string): string {
  if (!/^[0-9A-Za-z]{1,16}$/.test(id)) throw new UserError(`A user id (cashier number) is 1 to 16 letters or digits, got "${id}".`);
  return id;
}

interface UserRow {
  id: string;
  name: string;
  role: Role;
  active: number;
  locked_until: string | null;
  pin_hash: string;
  failed_attempts: number;
}

const toUser = (r: UserRow): User => ({ id: r.id, name: r.name, role: r.role, active: r.active === 1, lockedUntil: r.locked_until });

export function createUser(db: DB, input: { id: string; name: string; role: Role; pin: string }): User {
  validateUserId(input.id);
  validatePin(input.pin);
  if (!ROLES.includes(input.role)) throw new UserError(`Role must be one of ${ROLES.join(', ')}.`);
  if (getUser(db, input.id)) throw new UserError(`User ${input.id} already exists.`, 'E_DUPLICATE');
  db.prepare('INSERT INTO users (id, name, role, pin_hash, created_at) VALUES (?, ?, ?, ?, ?)').run(
    input.id,
    input.name.trim() || input.id,
    input.role,
    hashPin(input.pin),
    new Date().toISOString(),
  );
  return getUser(db, input.id)!;
}

export function getUser(db: DB, id: string): User | undefined {
  const r = db.prepare('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
  return r && toUser(r);
}

export function listUsers(db: DB): User[] {
  return (db.prepare('SELECT * FROM users ORDER BY id').all() as UserRow[]).map(toUser);
}

export type LoginResult =
  | { ok: true; user: User }
  | { ok: false; reason: 'unknown' | 'inactive' | 'wrong-pin' | 'locked'; attemptsLeft?: number; lockedUntil?: string };

/**
 * Checks a PIN. Five wrong PINs in a row lock the user for LOCKOUT_MS; a right PIN resets the
 * count. An unknown id and a wrong PIN look alike to the caller's message where it matters.
 */
export function verifyLogin(db: DB, id: string, pin: string, now = new Date()): LoginResult {
  const r = db.prepare('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
  if (!r) return { ok: false, reason: 'unknown' };
  if (r.active !== 1) return { ok: false, reason: 'inactive' };
  if (r.locked_until && new Date(r.locked_until) > now) return { ok: false, reason: 'locked', lockedUntil: r.locked_until };
  if (pinMatches(pin, r.pin_hash)) {
    db.prepare('UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE id = ?').run(id);
    return { ok: true, user: toUser(r) };
  }
  const failed = r.failed_attempts + 1;
  if (failed >= MAX_PIN_ATTEMPTS) {
    const until = new Date(now.getTime() + LOCKOUT_MS).toISOString();
    db.prepare('UPDATE users SET failed_attempts = 0, locked_until = ? WHERE id = ?').run(until, id);
    return { ok: false, reason: 'locked', lockedUntil: until };
  }
  db.prepare('UPDATE users SET failed_attempts = ? WHERE id = ?').run(failed, id);
  return { ok: false, reason: 'wrong-pin', attemptsLeft: MAX_PIN_ATTEMPTS - failed };
}

/** A supervisor unlocks a cashier locked by wrong PINs (the attempts count starts again). */
export function unlockUser(db: DB, id: string): boolean {
  return db.prepare('UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE id = ?').run(id).changes > 0;
}
