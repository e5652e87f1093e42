// Where an enrolled till keeps what it needs to talk to HQ: the address in config (hq.url, so
// `till config set hq.url <url>` re-points it) and the till token in <home>/hq-token, a file
// only its user can read (mode 0600). HQ keeps only a hash of the token.
import { chmodSync, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';

export const TOKEN_FILE = 'hq-token';

export const tokenPath = (home: string) => join(home, TOKEN_FILE);

/** Writes the token atomically with mode 0600 (never readable by group or others, even briefly). */
export function writeToken(home: string, token: string): void {
  const file = tokenPath(home);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, token + '\n', { mode: 0o600, flag: 'w' });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

export function readToken(home: string): string | undefined {
  const file = tokenPath(home);
  if (!existsSync(file)) return undefined;
  if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) {
    // Someone loosened it by hand: tighten it again rather than keep a readable secret.
    chmodSync(file, 0o600);
  }
  const token = readFileSync(file, 'utf8').trim();
  return token || undefined;
}

export interface HqTarget {
  url: string;
  token: string;
}

/** Reads hq.url and the token fresh each call, so a re-pointed or re-enrolled till is picked up live. */
export class TargetSource {
  private config?: { get(key: 'hq.url'): string };

  constructor(readonly home: string) {}

  async load(): Promise<HqTarget | undefined> {
    if (!this.config) {
      const { TillConfig } = await import('../config.js');
      this.config = new TillConfig(this.home);
    }
    const url = this.config.get('hq.url');
    const token = readToken(this.home);
    if (!url || !token) return undefined;
    return { url, token };
  }
}

export const NOT_ENROLLED = 'This till is not enrolled with HQ; run `till enroll <hq-url> --code <code>` (ask HQ for a code with `till hq enroll-code`).';

export function notEnrolled(): UserError {
  return new UserError(NOT_ENROLLED, 'E_NOT_ENROLLED');
}
