// till users: a store admin adds the cashiers, sets their PINs and roles, disables, unlocks.
// PINs come from a prompt or one line on stdin; never from the command line.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open.js';
import { verifyLogin, weakPinReason } from '../../src/db/users.js';
import { initTillHome, removeDir, tempDir, till } from '../helpers/till.js';

let home: string;
beforeAll(() => {
  home = initTillHome();
});
afterAll(() => removeDir(home));

const users = () => JSON.parse(till(home, ['users', 'list', '--json']).stdout) as Array<{ id: string; name: string; role: string; active: boolean; locked: boolean }>;
const login = (id: string, pin: string) => {
  const db = openDatabase(join(home, 'till.db'));
  try {
    return verifyLogin(db, id, pin);
  } finally {
    db.close();
  }
};

describe('till users', () => {
  it('an admin adds a cashier with the PIN on stdin; the cashier is listed and signs in with it', () => {
    const r = till(home, ['users', 'add', '1001', '--name', '张三', '--role', 'cashier', '--pin-stdin'], { input: '2580\n' });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/Added cashier 1001/);
    expect(users()).toContainEqual(expect.objectContaining({ id: '1001', name: '张三', role: 'cashier', active: true, locked: false }));
    expect(login('1001', '2580').ok).toBe(true);
    const table = till(home, ['users', 'list']);
    expect(table.stdout).toMatch(/1001\s+张三\s+cashier\s+active/);
  });

  it('a PIN typed on the command line is refused with the reason, and nobody is added', () => {
    const r = till(home, ['users', 'add', '1002', '--name', '李四', '--role', 'cashier', '--pin', '2580']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/never given as an argument.*--pin-stdin/);
    expect(till(home, ['users', 'set-pin', '1001', '--pin=8642']).code).toBe(2);
    expect(users().map((u) => u.id)).not.toContain('1002');
  });

  it('guessable PINs are refused saying why: repeats, runs, the user id', () => {
    for (const [pin, why] of [
      ['0000', /digits are the same/],
      ['1212', /repeats/],
      ['1234', /run in order/],
      ['98765', /run in order/],
      ['1003', /user id/],
    ] as const) {
      const r = till(home, ['users', 'add', '1003', '--name', '王五', '--role', 'cashier', '--pin-stdin'], { input: `${pin}\n` });
      expect(r.code, pin).toBe(1);
      expect(r.stderr).toMatch(why);
    }
    expect(till(home, ['users', 'add', '1003', '--name', '王五', '--role', 'cashier', '--pin-stdin'], { input: '12a4\n' }).stderr).toMatch(/4 to 8 digits/);
    expect(weakPinReason('7391', '1003')).toBeNull();
    expect(users().map((u) => u.id)).not.toContain('1003');
  });

  it('without a terminal and without --pin-stdin there is no one to ask: a usage error, not a hang', () => {
    const r = till(home, ['users', 'add', '1004', '--name', '赵六', '--role', 'cashier']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--pin-stdin/);
  });

  it('a role that does not exist is a usage error; set-role makes a supervisor', () => {
    expect(till(home, ['users', 'add', '1005', '--name', 'x', '--role', 'boss', '--pin-stdin'], { input: '7391\n' }).code).toBe(2);
    expect(till(home, ['users', 'set-role', '1001', 'manager']).code).toBe(2);
    expect(till(home, ['users', 'set-role', '1001', 'supervisor']).code).toBe(0);
    expect(users().find((u) => u.id === '1001')?.role).toBe('supervisor');
    expect(till(home, ['users', 'set-role', '1001', 'cashier']).code).toBe(0);
  });

  it('a disabled cashier cannot sign in until enabled again; the last admin cannot be disabled or demoted', () => {
    expect(till(home, ['users', 'disable', '1001']).code).toBe(0);
    expect(users().find((u) => u.id === '1001')?.active).toBe(false);
    expect(login('1001', '2580')).toMatchObject({ ok: false, reason: 'inactive' });
    expect(till(home, ['users', 'enable', '1001']).code).toBe(0);
    expect(login('1001', '2580').ok).toBe(true);
    const last = till(home, ['users', 'disable', '1']);
    expect(last.code).toBe(1);
    expect(last.stderr).toMatch(/last active admin/);
    expect(till(home, ['users', 'set-role', '1', 'cashier']).stderr).toMatch(/last active admin/);
    const unknown = till(home, ['users', 'disable', '4242']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/No user 4242/);
  });

  it('a cashier locked out by wrong PINs is unlocked; set-pin replaces the PIN', () => {
    for (let i = 0; i < 5; i++) login('1001', '9999');
    expect(login('1001', '2580')).toMatchObject({ ok: false, reason: 'locked' });
    expect(users().find((u) => u.id === '1001')?.locked).toBe(true);
    expect(till(home, ['users', 'unlock', '1001']).code).toBe(0);
    expect(login('1001', '2580').ok).toBe(true);
    expect(till(home, ['users', 'set-pin', '1001', '--pin-stdin'], { input: '4826\n' }).code).toBe(0);
    expect(login('1001', '2580').ok).toBe(false);
    expect(login('1001', '4826').ok).toBe(true);
  });

  it('till init reads the first admin PIN from stdin too, so scripts keep it off the command line', () => {
    const own = tempDir();
    try {
      const r = till(own, ['init', '--store', 'S002', '--till', 'T01', '--admin-pin-stdin'], { input: '7391\n' });
      expect(r.code, r.stderr).toBe(0);
      const db = openDatabase(join(own, 'till.db'));
      expect(verifyLogin(db, '1', '7391').ok).toBe(true);
      db.close();
    } finally {
      removeDir(own);
    }
  });

  it('`till users roles` prints the one permission table', () => {
    const r = till(home, ['users', 'roles', '--json']);
    expect(JSON.parse(r.stdout)).toMatchObject({ refund: { cashier: 'approval', supervisor: 'allow' }, 'user-admin': { supervisor: 'deny', admin: 'allow' } });
  });
});
