// Every --from/--to a person types, at the till and at HQ (CLI and HTTP query), goes through the
// one strict day parser: the last day of a year is a day, 31 February and 45 November are not,
// and a bad value is a usage error (exit 2) that says what to type.
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dateRange, dayPeriod } from '../../src/commands/options.js';
import { ExitCode, UsageError } from '../../src/errors.js';
import { buildHqServer } from '../../src/hq/server.js';
import { openHq } from '../../src/hq/open.js';
import type { HqStore } from '../../src/hq/store.js';
import { initTillHome, removeDir, tempDir, till } from '../helpers/till.js';

/** Today as the till reads a day: local time, YYYY-MM-DD. */
function localToday(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

let home: string;
let hqHome: string;
let hqDb: string;
beforeAll(() => {
  home = initTillHome();
  const add = till(home, ['products', 'add', '--name', '可口可乐500ml', '--price', '3.5', '--barcode', '6901234567892']);
  if (add.code !== 0) throw new Error(add.stderr);
  const sim = till(home, ['simulate', 'sales', '--count', '2']);
  if (sim.code !== 0) throw new Error(sim.stderr);
  hqHome = tempDir('till-hq-dates-');
  hqDb = join(hqHome, 'hq.db');
  const store = till(hqHome, ['hq', 'stores', 'add', 'S001', '--name', '一号店', '--db', hqDb]);
  if (store.code !== 0) throw new Error(store.stderr);
});
afterAll(() => {
  if (home) removeDir(home);
  if (hqHome) removeDir(hqHome);
});

describe('the --from/--to option parsers over the calendar', () => {
  it('take every day from 1900 to 2100: a till period spans that local day, an HQ period is that day', () => {
    let n = 0;
    for (let t = Date.UTC(1900, 0, 1); t <= Date.UTC(2100, 11, 31); t += 86_400_000) {
      const text = new Date(t).toISOString().slice(0, 10);
      const [y, m, d] = text.split('-').map(Number);
      const start = new Date(2000, 0, 1);
      start.setFullYear(y, m - 1, d);
      const end = new Date(2000, 0, 1);
      end.setFullYear(y, m - 1, d + 1);
      const r = dateRange(text, text);
      if (r.from !== start.toISOString() || r.to !== end.toISOString()) expect({ text, ...r }).toEqual({ text, from: start.toISOString(), to: end.toISOString() });
      if (dayPeriod(text, text).to !== text) expect(dayPeriod(text, text)).toEqual({ from: text, to: text });
      n++;
    }
    expect(n).toBe(73_414);
  });

  it('refuse every unreal day as a usage error (exit 2)', () => {
    for (const bad of ['2026-02-31', '2026-11-45', '2026-13-01', '2026-00-10', '2026-04-31', '1900-02-29', '2100-02-29', '2026-1-05', '2026/01/05']) {
      for (const parse of [() => dateRange(bad), () => dateRange(undefined, bad), () => dayPeriod(bad, undefined), () => dayPeriod(undefined, bad)]) {
        let err: unknown;
        try {
          parse();
        } catch (e) {
          err = e;
        }
        expect(err, bad).toBeInstanceOf(UsageError);
        expect((err as UsageError).exitCode).toBe(ExitCode.usage);
      }
    }
  });
});

const TILL_COMMANDS: Array<[string, string[]]> = [
  ['till sales list', ['sales', 'list', '--json']],
  ['till sales approvals', ['sales', 'approvals', '--json']],
  ['till export sales', ['export', 'sales', '--format', 'json']],
];

describe.each(TILL_COMMANDS)('%s --from/--to', (_name, args) => {
  it('takes the last day of a year as --to', () => {
    const r = till(home, [...args, '--to', '2026-12-31']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('refuses 31 February and 45 November with exit 2 and says what to type', () => {
    for (const bad of ['2026-02-31', '2026-11-45', '2026-13-01', '26-11-01', 'yesterday']) {
      const r = till(home, [...args, '--to', bad]);
      expect(r.code, bad).toBe(2);
      expect(r.stderr).toContain(`--to: "${bad}" is not a day of the calendar; type it as YYYY-MM-DD`);
      expect(r.stdout).toBe('');
    }
    const from = till(home, [...args, '--from', '2026-02-29']);
    expect(from.code).toBe(2);
    expect(from.stderr).toMatch(/--from: "2026-02-29" is not a day/);
  });

  it('refuses --from after --to with exit 2', () => {
    const r = till(home, [...args, '--from', '2026-12-02', '--to', '2026-12-01']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--from \(2026-12-02\) is after --to \(2026-12-01\)/);
  });
});

describe('a day as --to includes that whole day', () => {
  it('today’s sales are in --from today --to today, and not in a period that ends yesterday', () => {
    const today = localToday();
    const sales = JSON.parse(till(home, ['sales', 'list', '--from', today, '--to', today, '--json']).stdout);
    expect(sales).toHaveLength(2);
    const exported = till(home, ['export', 'sales', '--format', 'ndjson', '--to', today]);
    expect(exported.stdout.trim().split('\n')).toHaveLength(2);
    const before = JSON.parse(till(home, ['sales', 'list', '--to', '2000-12-31', '--json']).stdout);
    expect(before).toEqual([]);
  });

  it('an ISO time still works, and an impossible one is refused', () => {
    expect(till(home, ['sales', 'list', '--from', '2026-01-01T00:00:00Z', '--json']).code).toBe(0);
    const r = till(home, ['sales', 'list', '--from', '2026-02-31T00:00:00Z']);
    expect(r.code).toBe(2);
  });
});

describe.each([
  ['till hq sales list', ['hq', 'sales', 'list', '--json']],
  ['till hq sales report', ['hq', 'sales', 'report', '--json']],
])('%s --from/--to (business days)', (_name, args) => {
  it('takes 2026-12-31 as --to and refuses 2026-02-31 and 2026-11-45 with exit 2', () => {
    const ok = till(hqHome, [...args, '--db', hqDb, '--from', '2026-12-01', '--to', '2026-12-31']);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    for (const bad of ['2026-02-31', '2026-11-45']) {
      const r = till(hqHome, [...args, '--db', hqDb, '--to', bad]);
      expect(r.code, bad).toBe(2);
      expect(r.stderr).toContain(`--to: "${bad}" is not a day of the calendar; type it as YYYY-MM-DD`);
    }
  });

  it('refuses --from after --to with exit 2', () => {
    const r = till(hqHome, [...args, '--db', hqDb, '--from', '2026-12-31', '--to', '2026-01-01']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--from \(2026-12-31\) is after --to \(2026-01-01\)/);
  });
});

describe('HQ report query parameters', () => {
  let hq: HqStore;
  let app: FastifyInstance;
  let base: string;
  let admin: string;
  const dir = tempDir('till-hq-http-dates-');
  beforeAll(async () => {
    hq = await openHq({ home: dir, db: join(dir, 'hq.db'), create: true });
    admin = await hq.rotateAdminToken();
    app = buildHqServer(hq, { log: () => undefined });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await app?.close();
    await hq?.close();
    removeDir(dir);
  });

  const report = async (query: string) => {
    const r = await fetch(`${base}/v1/admin/sales/report?${query}`, { headers: { authorization: `Bearer ${admin}` } });
    return { status: r.status, body: (await r.json()) as any };
  };

  it('answers a period that ends on 31 December', async () => {
    const r = await report('from=2026-12-01&to=2026-12-31');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ salesCount: 0, from: '2026-12-01', to: '2026-12-31' });
  });

  it('answers 400 with what to type for a day that does not exist', async () => {
    for (const bad of ['2026-13-45', '2026-02-31', '2026-11-45']) {
      const r = await report(`from=${bad}`);
      expect(r.status, bad).toBe(400);
      expect(r.body.error.message).toBe(`Invalid request: from: "${bad}" is not a day of the calendar; use YYYY-MM-DD, e.g. 2026-11-26.`);
    }
  });

  it('answers 400 when from is after to', async () => {
    const r = await report('from=2026-12-31&to=2026-12-01');
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/from: is after to; put the earlier day first/);
  });
});
