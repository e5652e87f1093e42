// `till enroll <hq-url> --code <code>`: trade a one-time code from HQ for this till's identity
// and token. The token goes to a file only this user can read; the address to hq.url.
import { UserError, clause } from '../errors.js';
import type { DB } from '../db/open.js';
import { getDeviceIdentity, getIdentity, setSetting } from '../db/settings.js';
import { continueAfter, getCatalogCursor, getEnrollment, setEnrollment } from '../db/sync-state.js';
import { HqClient, HqError, normaliseBaseUrl } from './client.js';
import { writeToken } from './credentials.js';

export interface EnrollOptions {
  home: string;
  db: DB;
  url: string;
  code: string;
  timeoutMs?: number;
}

export interface EnrollResult {
  url: string;
  storeCode: string;
  storeName: string;
  tillCode: string;
  /** The till took HQ's store/till codes (it had no sales under its own). */
  renamed: boolean;
  /** Enrolled before under another store/till or HQ: the catalog is pulled again from 0. */
  catalogReset: boolean;
  /** HQ had sales from these codes (a till this one replaces): this till's continue after that seq. */
  continuesAfterSeq: number | null;
  /** This installation's id: HQ keeps its sales as the stream of this device. */
  deviceId: string | null;
}

function checkUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    throw new UserError(`"${raw}" is not an address; give HQ's URL, e.g. https://hq.example.com or http://192.168.1.10:8787.`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UserError(`HQ's address must start with http:// or https://, got "${raw}".`);
  return normaliseBaseUrl(u.toString());
}

export async function enrollTill(o: EnrollOptions): Promise<EnrollResult> {
  const url = checkUrl(o.url);
  const code = o.code.trim();
  if (code.length < 4 || code.length > 64) throw new UserError(`The enrollment code must be 4 to 64 characters, got "${o.code}"; copy it from \`till hq enroll-code\`.`);
  const identity = getIdentity(o.db);
  if (!identity) throw new UserError('This till is not initialised; run `till init --store <code> --till <code>` first.', 'E_NOT_INITIALISED');

  let res;
  try {
    res = await new HqClient({ baseUrl: url, timeoutMs: o.timeoutMs ?? 15_000 }).enroll(code, undefined, getDeviceIdentity(o.db)?.id);
  } catch (e) {
    if (!(e instanceof HqError)) throw e;
    // HQ's own message ends in a full stop (and may already say to ask for a new code): one sentence, said once.
    const why = clause(e.message.replace(/ — the till token.*$/, ''));
    if (e.kind === 'retry' && e.status === undefined) throw new UserError(`Cannot reach HQ: ${why}. Check the address and the network, then run \`till enroll\` again.`, e.code);
    const advice = /ask HQ for a new/i.test(why) ? '' : ' Ask HQ for a new code (`till hq enroll-code`) if this one expired or was used.';
    throw new UserError(`HQ did not enroll this till: ${why}.${advice}`, e.code);
  }

  const sameCodes = res.storeCode === identity.storeCode && res.tillCode === identity.tillCode;
  const salesCount = (o.db.prepare('SELECT count(*) AS n FROM sales').get() as { n: number }).n;
  if (!sameCodes && salesCount > 0) {
    throw new UserError(
      `The code enrolls till ${res.storeCode}/${res.tillCode}, but this till has already recorded ${salesCount} sale(s) as ${identity.storeCode}/${identity.tillCode}; ask HQ for a code for ${identity.storeCode}/${identity.tillCode} (the used code is spent).`,
      'E_IDENTITY',
    );
  }
  const { TillConfig } = await import('../config.js');
  const config = new TillConfig(o.home);
  const prevUrl = config.get('hq.url');
  const prev = getEnrollment(o.db);
  const catalogReset = prev !== undefined && (prev.storeCode !== res.storeCode || prev.tillCode !== res.tillCode || normaliseBaseUrl(prevUrl) !== url);

  writeToken(o.home, res.token);
  await config.set('hq.url', url);
  const { beginCatalogReset } = await import('../db/hq-catalog.js');
  o.db.transaction(() => {
    if (!sameCodes) {
      setSetting(o.db, 'store.code', res.storeCode);
      setSetting(o.db, 'till.code', res.tillCode);
    }
    if (res.storeName) setSetting(o.db, 'store.name', res.storeName);
    setEnrollment(o.db, { storeCode: res.storeCode, tillCode: res.tillCode, enrolledAt: new Date().toISOString() });
    if (catalogReset) beginCatalogReset(o.db, getCatalogCursor(o.db));
  })();
  // A till replacing one whose sales HQ has numbers its own after them. Asked now so that it
  // is known before the first sale; if HQ does not answer, the first sync's handshake asks.
  let continuesAfterSeq: number | null = null;
  if (salesCount === 0) {
    try {
      const state = await new HqClient({ baseUrl: url, token: res.token, timeoutMs: o.timeoutMs ?? 15_000 }).state();
      if (continueAfter(o.db, state.hwm, state.lastReceiptNo)) continuesAfterSeq = state.hwm;
    } catch (e) {
      if (!(e instanceof HqError)) throw e;
    }
  }
  return {
    url,
    storeCode: res.storeCode,
    storeName: res.storeName,
    tillCode: res.tillCode,
    renamed: !sameCodes,
    catalogReset,
    continuesAfterSeq,
    deviceId: getDeviceIdentity(o.db)?.id ?? null,
  };
}
