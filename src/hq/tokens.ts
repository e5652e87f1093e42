// Secrets HQ hands out: till and admin tokens (256 bits, stored as sha256 — plenty for random
// tokens, no slow hash needed) and one-time enrollment codes short enough to type at a till.
import { createHash, randomBytes, randomInt } from 'node:crypto';

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function newTillToken(): string {
  return `till_${randomBytes(32).toString('base64url')}`;
}

export function newAdminToken(): string {
  return `hqadmin_${randomBytes(32).toString('base64url')}`;
}

// Crockford base32: no I, L, O or U, so a code read aloud or typed is hard to get wrong.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** 12 symbols = 60 bits, shown as XXXX-XXXX-XXXX. */
export function newEnrollCode(): string {
  let s = '';
  for (let i = 0; i < 12; i++) s += ALPHABET[randomInt(32)];
  return `${s.slice(0, 4)}-${s.slice(4, 8)}-${s.slice(8)}`;
}

/** What a person typed → the canonical code: case, spaces and dashes ignored, O→0, I/L→1. */
export function normalizeEnrollCode(input: string): string {
  return input
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
}

export function enrollCodeHash(input: string): string {
  return sha256(`enroll:${normalizeEnrollCode(input)}`);
}
