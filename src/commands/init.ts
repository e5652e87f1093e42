// till init: creates a till's home, database and first admin user. Never wipes an existing till.
import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { openDatabase } from '../db/open.js';
import { getIdentity, newDeviceIdentity, setSetting } from '../db/settings.js';
import { dbPath } from '../home.js';
import { UsageError, UserError } from '../errors.js';
import { homeOf, say } from './context.js';

export const CODE_RE = /^[A-Za-z0-9]{1,16}$/;

export function validateCode(what: string, code: string): string {
  if (!CODE_RE.test(code)) throw new UserError(`The ${what} code must be 1 to 16 letters or digits (no spaces or dashes), got "${code}".`);
  return code;
}

export interface InitOptions {
  home: string;
  store: string;
  till: string;
  name?: string;
  address?: string;
  adminId: string;
  adminPin: string;
}

/** Creates the till; returns its device id (a new one: the installation's identity at HQ). */
export async function initTill(o: InitOptions): Promise<{ deviceId: string }> {
  // node:crypto and readline load only when a till is created, not on every command.
  const { createUser, validatePin, validateUserId } = await import('../db/users.js');
  validateCode('store', o.store);
  validateCode('till', o.till);
  validateUserId(o.adminId);
  validatePin(o.adminPin);
  const file = dbPath(o.home);
  if (existsSync(file)) {
    const db = openDatabase(file);
    const id = getIdentity(db);
    db.close();
    if (id) throw new UserError(`${o.home} already holds till ${id.storeCode}/${id.tillCode}; nothing was changed. Use another --home for a new till.`, 'E_EXISTS');
  }
  const db = openDatabase(file, { create: true });
  try {
    return db.transaction(() => {
      setSetting(db, 'store.code', o.store);
      setSetting(db, 'till.code', o.till);
      setSetting(db, 'store.name', o.name?.trim() || o.store);
      if (o.address) setSetting(db, 'store.address', o.address);
      const device = newDeviceIdentity(db);
      createUser(db, { id: o.adminId, name: 'Admin', role: 'admin', pin: o.adminPin });
      return { deviceId: device.id };
    })();
  } finally {
    db.close();
  }
}

export const initCommand = new Command('init')
  .description('create this till: its home, database and first admin user')
  .requiredOption('--store <code>', 'store code (letters/digits), e.g. S001')
  .requiredOption('--till <code>', 'till code within the store, e.g. T01')
  .option('--name <name>', 'store name printed on receipts')
  .option('--address <address>', 'store address printed on receipts')
  .option('--admin-id <id>', 'id (number) of the first admin user', '1')
  .option('--admin-pin <pin>', 'PIN of the first admin user (4–8 digits); asked on a terminal when missing')
  .option('--admin-pin-stdin', 'read the admin PIN as one line on stdin (scripts; keeps it out of the shell history)')
  .action(async (opts, cmd: Command) => {
    const home = homeOf(cmd);
    const { validatePin } = await import('../db/users.js');
    const { askSecret } = await import('./prompt.js');
    // Refuse early, before asking for a PIN, when this home already holds a till.
    if (existsSync(dbPath(home))) {
      const db = openDatabase(dbPath(home));
      const id = getIdentity(db);
      db.close();
      if (id) throw new UserError(`${home} already holds till ${id.storeCode}/${id.tillCode}; nothing was changed. Use another --home for a new till.`, 'E_EXISTS');
    }
    if (opts.adminPinStdin && opts.adminPin !== undefined) throw new UsageError('Give the admin PIN once: --admin-pin-stdin or --admin-pin, not both.');
    if (opts.adminPinStdin) opts.adminPin = (await import('node:fs')).readFileSync(0, 'utf8').split(/\r?\n/)[0].trim();
    let pin: string = opts.adminPin ?? (await askSecret(`PIN for admin ${opts.adminId} (4–8 digits): `, '--admin-pin <pin>'));
    validatePin(pin);
    if (!opts.adminPin) {
      const again = await askSecret('Type the PIN again: ', '--admin-pin <pin>');
      if (again !== pin) throw new UserError('The two PINs differ; run `till init` again.');
    }
    const { deviceId } = await initTill({ home, store: opts.store, till: opts.till, name: opts.name, address: opts.address, adminId: opts.adminId, adminPin: pin });
    pin = '';
    say(`Till ${opts.store}/${opts.till} created in ${home} (device ${deviceId}). Admin user: ${opts.adminId}.`);
  });
