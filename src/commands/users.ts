// till users: the till's cashiers, supervisors and admins. A PIN is typed at a prompt (twice) or
// given as one line on stdin with --pin-stdin; never as an argument, where the shell history and
// the process list would keep it.
import { Argument, Command, Option } from 'commander';
import { ACTIONS, PERMISSIONS, ROLES } from '../core/permissions.js';
import type { Role } from '../core/types.js';
import { UsageError, UserError } from '../errors.js';
import { openTill, printJson, say, writeOut } from './context.js';

interface PinOptions {
  pinStdin?: boolean;
  pin?: string;
}

/** The hidden --pin option exists only to say why it is refused. */
const pinTrap = () => new Option('--pin <pin>').hideHelp();
const pinStdin = () => new Option('--pin-stdin', 'read the PIN as one line on stdin (scripts) instead of a prompt');

function refusePinArgument(o: PinOptions): void {
  if (o.pin !== undefined) {
    throw new UsageError('A PIN is never given as an argument (the shell history and the process list would keep it): type it at the prompt, or pipe it with --pin-stdin.');
  }
}

/** Reads a new PIN for `userId` and checks it: 4–8 digits, not trivially guessable. */
async function readNewPin(o: PinOptions, userId: string): Promise<string> {
  refusePinArgument(o);
  const { validatePin, weakPinReason } = await import('../db/users.js');
  let pin: string;
  if (o.pinStdin) {
    pin = await (await import('./prompt.js')).readStdinLine();
    if (!pin) throw new UserError('--pin-stdin: stdin held no PIN; pipe one line, e.g. `printf "%s\\n" "$PIN" | till users …`.');
  } else {
    const { askSecret } = await import('./prompt.js');
    pin = await askSecret(`New PIN for ${userId} (4–8 digits): `, '--pin-stdin');
    validatePin(pin);
    if ((await askSecret('Type the PIN again: ', '--pin-stdin')) !== pin) throw new UserError('The two PINs differ; nothing was changed.');
  }
  validatePin(pin);
  const weak = weakPinReason(pin, userId);
  if (weak) throw new UserError(`That PIN is too easy to guess (${weak}); choose another 4–8 digits.`, 'E_WEAK_PIN');
  return pin;
}

const roleOption = () => new Option('--role <role>', 'what the user may do').choices(ROLES as string[]).makeOptionMandatory();

const add = new Command('add')
  .description('add a user; the PIN is asked at a prompt (or read from stdin with --pin-stdin)')
  .argument('<id>', 'user id: the number typed at sign-in (1–16 letters or digits)')
  .requiredOption('--name <name>', 'name printed on receipts')
  .addOption(roleOption())
  .addOption(pinStdin())
  .addOption(pinTrap())
  .action(async (id: string, o: PinOptions & { name: string; role: Role }, cmd: Command) => {
    refusePinArgument(o);
    const { createUser, getUser, validateUserId } = await import('../db/users.js');
    const { db } = openTill(cmd);
    try {
      validateUserId(id);
      if (getUser(db, id)) throw new UserError(`User ${id} already exists; \`till users set-pin ${id}\` or \`set-role\` change it.`, 'E_DUPLICATE');
      const pin = await readNewPin(o, id);
      const u = createUser(db, { id, name: o.name, role: o.role, pin });
      say(`Added ${u.role} ${u.id} (${u.name}).`);
    } finally {
      db.close();
    }
  });

const list = new Command('list')
  .description('list the users of this till')
  .option('--json', 'print JSON on stdout')
  .action(async (o: { json?: boolean }, cmd: Command) => {
    const { listUsers } = await import('../db/users.js');
    const { db } = openTill(cmd);
    try {
      const now = new Date().toISOString();
      const users = listUsers(db).map((u) => ({ ...u, locked: u.lockedUntil !== null && u.lockedUntil > now }));
      if (o.json) return printJson(users);
      const { renderTable } = await import('../core/table.js');
      const rows = users.map((u) => [u.id, u.name, u.role, u.active ? 'active' : 'disabled', u.locked ? `locked until ${u.lockedUntil}` : '']);
      writeOut(1, renderTable([{ header: 'ID' }, { header: 'NAME', max: 20 }, { header: 'ROLE' }, { header: 'STATUS' }, { header: '' }], rows) + '\n');
    } finally {
      db.close();
    }
  });

function userChange(name: string, description: string, change: (db: import('../db/open.js').DB, id: string) => Promise<string>): Command {
  return new Command(name)
    .description(description)
    .argument('<id>', 'user id')
    .action(async (id: string, _o, cmd: Command) => {
      const { db } = openTill(cmd);
      try {
        say(await change(db, id));
      } finally {
        db.close();
      }
    });
}

const disable = userChange('disable', 'stop a user from signing in (their sales stay theirs)', async (db, id) => {
  const { setUserActive } = await import('../db/users.js');
  setUserActive(db, id, false);
  return `User ${id} is disabled.`;
});

const enable = userChange('enable', 'let a disabled user sign in again', async (db, id) => {
  const { setUserActive } = await import('../db/users.js');
  setUserActive(db, id, true);
  return `User ${id} is enabled.`;
});

const unlock = userChange('unlock', 'lift the lockout after too many wrong PINs', async (db, id) => {
  const { unlockUser } = await import('../db/users.js');
  if (!unlockUser(db, id)) throw new UserError(`No user ${id}; \`till users list\` shows the users of this till.`, 'E_NOT_FOUND');
  return `User ${id} is unlocked.`;
});

const setPin = new Command('set-pin')
  .description("change a user's PIN (asked at a prompt, or read from stdin with --pin-stdin); lifts a lockout")
  .argument('<id>', 'user id')
  .addOption(pinStdin())
  .addOption(pinTrap())
  .action(async (id: string, o: PinOptions, cmd: Command) => {
    refusePinArgument(o);
    const { getUser, setUserPin } = await import('../db/users.js');
    const { db } = openTill(cmd);
    try {
      if (!getUser(db, id)) throw new UserError(`No user ${id}; \`till users list\` shows the users of this till.`, 'E_NOT_FOUND');
      setUserPin(db, id, await readNewPin(o, id));
      say(`The PIN of ${id} is changed.`);
    } finally {
      db.close();
    }
  });

const setRole = new Command('set-role')
  .description("change a user's role")
  .argument('<id>', 'user id')
  .addArgument(new Argument('<role>', 'cashier, supervisor or admin').choices(ROLES as string[]))
  .action(async (id: string, role: Role, _o, cmd: Command) => {
    const { setUserRole } = await import('../db/users.js');
    const { db } = openTill(cmd);
    try {
      setUserRole(db, id, role);
      say(`User ${id} is now ${role}.`);
    } finally {
      db.close();
    }
  });

const roles = new Command('roles')
  .description('what each role may do: alone, with a supervisor’s approval, or not at all')
  .option('--json', 'print JSON on stdout')
  .action(async (o: { json?: boolean }) => {
    if (o.json) return printJson(PERMISSIONS);
    const { renderTable } = await import('../core/table.js');
    writeOut(1, renderTable([{ header: 'ACTION' }, ...ROLES.map((r) => ({ header: r.toUpperCase() }))], ACTIONS.map((a) => [a, ...ROLES.map((r) => PERMISSIONS[a][r])])) + '\n');
  });

export const usersCommand = new Command('users')
  .description('cashiers, supervisors and admins of this till')
  .addCommand(add)
  .addCommand(list)
  .addCommand(disable)
  .addCommand(enable)
  .addCommand(setPin)
  .addCommand(setRole)
  .addCommand(unlock)
  .addCommand(roles);
