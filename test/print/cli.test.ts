// `till config`, `till print …` and `till printer status` as a person runs them (the built CLI).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open.js';
import { recordSale } from '../../src/db/sales.js';
import { dbPath } from '../../src/home.js';
import { BIN, initTillHome, removeDir, tempDir, till, type CliResult } from '../helpers/till.js';
import { decodeEscPos, texts } from './escpos-decoder.js';
import { deadPort, startFakePrinter, startHttpServer } from './fake-printer.js';
import { MIXED_DRAFT, SOLD_AT } from './fixtures.js';

/** Runs the CLI without blocking this process, so an in-process fake printer can answer it. */
function tillAsync(home: string, args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, TILL_HOME: home, TILL_LANG: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let home: string;
let receiptNo: string;

beforeAll(() => {
  home = initTillHome(['--address', '北京市朝阳区建国路88号']);
  const db = openDatabase(dbPath(home));
  try {
    receiptNo = recordSale(db, MIXED_DRAFT, SOLD_AT).receiptNo;
  } finally {
    db.close();
  }
});
afterAll(() => removeDir(home));

describe('till config', () => {
  it('lists every setting with its default, as a table or JSON', () => {
    const r = till(home, ['config', 'list', '--json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<{ key: string; value: unknown; isDefault: boolean }>;
    expect(rows.find((x) => x.key === 'printer.uri')).toMatchObject({ value: 'preview', isDefault: true });
    expect(rows.find((x) => x.key === 'printer.width')).toMatchObject({ value: 80 });
    const table = till(home, ['config', 'list']);
    expect(table.stdout).toMatch(/printer\.timeoutMs\s+5000\s+\(default\)/);
  });

  it('sets, gets and unsets a value', () => {
    const own = tempDir();
    try {
      expect(till(own, ['config', 'set', 'printer.width', '58']).code).toBe(0);
      expect(till(own, ['config', 'get', 'printer.width']).stdout).toBe('58\n');
      expect(JSON.parse(till(own, ['config', 'get', 'printer.width', '--json']).stdout)).toEqual({ key: 'printer.width', value: 58, isDefault: false });
      expect(till(own, ['config', 'unset', 'printer.width']).code).toBe(0);
      expect(till(own, ['config', 'get', 'printer.width']).stdout).toBe('80\n');
    } finally {
      removeDir(own);
    }
  });

  it('refuses a bad value or key with one line saying what is allowed, and keeps the old value', () => {
    const own = tempDir();
    try {
      till(own, ['config', 'set', 'printer.uri', 'tcp://10.0.0.9:9100']);
      const bad = till(own, ['config', 'set', 'printer.uri', 'lpt1']);
      expect(bad.code).toBe(1);
      expect(bad.stderr.trim().split('\n')).toHaveLength(1);
      expect(bad.stderr).toContain('tcp://host:9100');
      const port = till(own, ['config', 'set', 'printer.uri', 'tcp://10.0.0.9:99999']);
      expect(port.code).toBe(1);
      expect(port.stderr).toContain('1 to 65535');
      const timeout = till(own, ['config', 'set', 'printer.timeoutMs', 'soon']);
      expect(timeout.code).toBe(1);
      expect(timeout.stderr).toContain('must be a whole number of milliseconds');
      const width = till(own, ['config', 'set', 'printer.width', '76']);
      expect(width.code).toBe(1);
      expect(width.stderr).toContain('58 or 80');
      expect(till(own, ['config', 'get', 'printer.uri']).stdout).toBe('tcp://10.0.0.9:9100\n');
      const key = till(own, ['config', 'get', 'printer.colour']);
      expect(key.code).toBe(1);
      expect(key.stderr).toContain('Known settings: printer.uri');
    } finally {
      removeDir(own);
    }
  });
});

describe('till print', () => {
  it('test: shows the test page on screen in preview mode', () => {
    const r = till(home, ['print', 'test', '--width', '58']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('12345678901234567890123456789012\n');
    expect(r.stdout).toContain('测试便利店');
  });

  it('reprint last: the copy goes to the printer given with --printer, marked COPY, without opening the drawer', () => {
    const r = till(home, ['print', 'reprint', 'last', '--printer', 'file:copies.bin']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`Reprinted ${receiptNo}`);
    const ops = decodeEscPos(readFileSync(join(home, 'copies.bin')));
    expect(texts(ops)).toContain('重印 / COPY');
    expect(texts(ops)).toContain(`单号 ${receiptNo}`);
    expect(ops.some((o) => o.op === 'drawer')).toBe(false);
  });

  it('reprint by receipt number in preview shows the copy on stdout', () => {
    const r = till(home, ['print', 'reprint', receiptNo]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('重印 / COPY');
    expect(r.stdout).toContain(receiptNo);
  });

  it('reprint of an unknown receipt: exit 1; a bad --printer or --width: exit 2 (usage); each says what to do', () => {
    const unknown = till(home, ['print', 'reprint', 'S001-T01-20990101-0001']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('till sales list');
    const printer = till(home, ['print', 'reprint', 'last', '--printer', 'usb']);
    expect(printer.code).toBe(2);
    expect(printer.stderr).toContain('is not a printer address');
    const width = till(home, ['print', 'test', '--width', '57']);
    expect(width.code).toBe(2);
    expect(width.stderr).toContain('58 or 80');
  });

  it('reprint to a printer that is off: exit 1, the message names the printer and the reprint command', async () => {
    const port = await deadPort();
    const r = await tillAsync(home, ['--lang', 'en', 'print', 'reprint', 'last', '--printer', `tcp://127.0.0.1:${port}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Printer tcp://127.0.0.1:${port} is not reachable`);
    expect(r.stderr).toContain(`till print reprint ${receiptNo}`);
  });

  it('drawer: kicks the drawer on a real printer, and refuses in preview mode', () => {
    const r = till(home, ['print', 'drawer', '--printer', 'file:drawer.bin']);
    expect(r.code).toBe(0);
    expect(decodeEscPos(readFileSync(join(home, 'drawer.bin')))).toEqual([{ op: 'init' }, { op: 'drawer', pin: 2, onMs: 50, offMs: 500 }]);
    const preview = till(home, ['print', 'drawer']);
    expect(preview.code).toBe(1);
    expect(preview.stderr).toContain('no printer for a cash drawer');
  });
});

describe('till printer status', () => {
  it('reports a ready printer (exit 0) and one out of paper (exit 1)', async () => {
    const ok = await startFakePrinter();
    const out = await startFakePrinter({ paper: 'out' });
    try {
      const a = await tillAsync(home, ['printer', 'status', '--printer', ok.uri, '--json']);
      expect(a.code).toBe(0);
      expect(JSON.parse(a.stdout)).toMatchObject({ uri: ok.uri, state: 'ready', ready: true, paper: 'ok', online: true });
      const b = await tillAsync(home, ['printer', 'status', '--printer', out.uri]);
      expect(b.code).toBe(1);
      expect(b.stdout).toMatch(/State\s+paper-out/);
      expect(b.stdout).toMatch(/Ready\s+no/);
      expect(b.stdout).toMatch(/Paper\s+out/);
    } finally {
      await ok.close();
      await out.close();
    }
  });

  it('reports a printer that is off as not ready', async () => {
    const port = await deadPort();
    const r = await tillAsync(home, ['printer', 'status', '--printer', `tcp://127.0.0.1:${port}`, '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ state: 'unreachable', reachable: false, ready: false });
  });

  it('reports a web server on the printer port as not a printer (exit 1)', async () => {
    const web = await startHttpServer();
    try {
      const r = await tillAsync(home, ['printer', 'status', '--printer', web.uri, '--json']);
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout)).toMatchObject({ state: 'not-a-printer', ready: false });
    } finally {
      await web.close();
    }
  });
});
