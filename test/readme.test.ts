// Every command the README shows runs as written: each ```sh line, through bash, with `till` on
// the PATH the way `npm link` puts it there, against a temp TILL_HOME, in README order (the
// Use-it block makes the till, the HQ block the HQ, the sync block connects them). Only the
// placeholders below are replaced, and only the lines listed in EXCLUDED are not run.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from './hq/helpers.js';
import { deadPort, startFakePrinter, type FakePrinter } from './print/fake-printer.js';
import { BIN, ROOT, removeDir, tempDir } from './helpers/till.js';

// Lines not run, each with why: they install, build or run the suites (this test runs inside
// them), or open the interactive checkout (the tmux end-to-end tests drive it).
const EXCLUDED: Record<string, string> = {
  'npm install && npm run demo': 'installs packages, then opens the interactive checkout',
  'npm install': 'installs packages into the shared node_modules',
  'npm link': 'changes the global PATH (the test puts `till` on a PATH of its own instead)',
  'npm test': 'runs the whole suite, this file included',
  'npm run typecheck': 'the type check, run before each commit',
  'npm run bench': 'every benchmark: minutes of CPU',
  'npm run build': 'the build this test runs on',
};

/** The ```sh lines of the README, as written (comments included: bash drops them). */
function readmeLines(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const lines: string[] = [];
  for (const block of readme.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const line of block[1].split('\n')) if (line.trim()) lines.push(line.trim());
  }
  return lines;
}

const withoutComment = (line: string) => line.replace(/\s+#.*$/, '');

/** Commands that keep running: started, awaited until they say they are up, stopped at the end. */
const LONG_RUNNING: Array<{ match: RegExp; ready: RegExp; keep: boolean }> = [
  { match: /^till hq serve --port/, ready: /HQ listening on/, keep: true }, // the HQ the tills below sync with
  { match: /^till hq serve --db postgres/, ready: /HQ listening on .*postgres/, keep: false }, // a second instance, on PostgreSQL
  { match: /^till sync --watch/, ready: /uploaded|catalog:|pending/, keep: false },
];

/** What a command is expected to exit with when it is not 0, and why. */
const EXIT: Array<[RegExp, number, string]> = [
  [/^till products import supplier\.csv/, 3, 'supplier.csv has a row with no valid price: exit 3, as the README says'],
];

let work: string;
let home: string;
let pathDir: string;
let printer: FakePrinter;
let pg: TestDb;
let hqPort: number;
let pgPort: number;
let enrollCode = '';
const running: ChildProcess[] = [];

function ean13(twelve: string): string {
  const sum = [...twelve].reduce((a, d, i) => a + Number(d) * (i % 2 ? 3 : 1), 0);
  return twelve + ((10 - (sum % 10)) % 10);
}

/** The placeholders of the README and what the test puts in their place. */
function substitute(line: string): string {
  return line
    .replace('tcp://192.168.1.50:9100', printer.uri)
    .replace('https://hq.example.com', `http://127.0.0.1:${hqPort}`)
    .replace('<code>', enrollCode)
    .replace('postgres://user@db-host/till', `'${pg.db}'`)
    .replace('--port 8787', `--port ${line.includes('postgres') ? pgPort : hqPort}`);
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

// The environment of a person at a shell: no HQ database chosen from outside.
const { TILL_HQ_DB: _ignored, ...env } = process.env;

function start(line: string): { child: ChildProcess; out: { stdout: string; stderr: string }; done: Promise<Run> } {
  const child = spawn('bash', ['-c', `exec ${line}`], {
    cwd: work,
    env: { ...env, PATH: `${pathDir}:${process.env.PATH}`, TILL_HOME: home, TILL_LANG: '', TILL_SYNC_BACKOFF_MS: '100' },
  });
  const out = { stdout: '', stderr: '' };
  child.stdout!.on('data', (b: Buffer) => (out.stdout += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out.stderr += b.toString()));
  const done = new Promise<Run>((resolve) => child.on('close', (code) => resolve({ code, ...out })));
  return { child, out, done };
}

async function waitFor(out: { stdout: string; stderr: string }, re: RegExp, done: Promise<Run>, ms = 20_000): Promise<void> {
  const t0 = Date.now();
  let exited = false;
  void done.then(() => (exited = true));
  while (!re.test(out.stdout + out.stderr)) {
    if (exited) throw new Error(`exited before ${re}: ${out.stderr}`);
    if (Date.now() - t0 > ms) throw new Error(`no ${re} within ${ms} ms: ${out.stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `till init` asks for the admin PIN twice on a terminal: answered through a pseudo-terminal. */
async function runInit(line: string): Promise<Run> {
  const r = start(`script -qfec ${JSON.stringify(line)} /dev/null`);
  await waitFor(r.out, /PIN for admin/, r.done);
  r.child.stdin!.write('1234\r');
  await waitFor(r.out, /Type the PIN again/, r.done);
  r.child.stdin!.write('1234\r');
  return r.done;
}

beforeAll(async () => {
  work = tempDir('till-readme-');
  home = join(work, 'home');
  pathDir = join(work, 'bin');
  mkdirSync(pathDir);
  symlinkSync(BIN, join(pathDir, 'till')); // what `npm link` does
  writeFileSync(
    join(work, 'supplier.csv'),
    ['条码,名称,售价,单位', `${ean13('690000000001')},农夫山泉550ml,2,瓶`, `${ean13('690000000002')},康师傅红烧牛肉面,4.5,袋`, `${ean13('690000000003')},没有价格的商品,abc,个`].join('\n') + '\n',
  );
  printer = await startFakePrinter();
  pg = await createTestDb('postgres');
  hqPort = await deadPort();
  pgPort = await deadPort();
});

afterAll(async () => {
  for (const c of running) c.kill('SIGTERM');
  await Promise.all(running.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('close', r)))));
  await printer?.close();
  await pg?.drop();
  if (work) removeDir(work);
});

describe('the README', () => {
  const lines = readmeLines();

  it('shows only till commands and the npm lines listed as not run here', () => {
    expect(lines.length).toBeGreaterThan(20);
    for (const line of lines) {
      if (!line.startsWith('till ')) expect(Object.keys(EXCLUDED), line).toContain(withoutComment(line));
    }
  });

  it('every till command it shows runs as written, in order', { timeout: 240_000 }, async () => {
    for (const shown of lines.filter((l) => l.startsWith('till '))) {
      const line = substitute(shown);
      const long = LONG_RUNNING.find((l) => l.match.test(shown));
      if (long) {
        const r = start(line);
        await waitFor(r.out, long.ready, r.done);
        if (long.keep) running.push(r.child);
        else {
          r.child.kill(shown.includes('--watch') ? 'SIGINT' : 'SIGTERM');
          const end = await r.done;
          expect(end.code, `${shown}\n${end.stderr}`).toBe(0);
        }
        continue;
      }
      const r = shown.startsWith('till init') ? await runInit(line) : await start(line).done;
      const expected = EXIT.find(([re]) => re.test(shown))?.[1] ?? 0;
      expect(r.code, `${shown}\n${r.stdout}\n${r.stderr}`).toBe(expected);
      if (/^till hq enroll-code/.test(shown)) enrollCode = r.stdout.trim();
    }
    // What the commands above promised: the rejected row is where the README says.
    expect(existsSync(join(work, 'supplier.rejects.csv'))).toBe(true);
    expect(readFileSync(join(work, 'supplier.rejects.csv'), 'utf8')).toContain('没有价格的商品');
    // … and --help names the rejects file the same way.
    for (const help of ['till products import --help', 'till hq products import --help']) {
      expect((await start(help).done).stdout.replace(/\s+/g, ' '), help).toContain('<name>.rejects.csv beside the file, e.g. supplier.rejects.csv');
    }
    expect(existsSync(join(work, 'catalog.csv'))).toBe(true);
    expect(printer.connections.length).toBeGreaterThan(0);
  });
});
