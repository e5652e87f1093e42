// npm run bench: runs every benchmark (bench/*.bench.ts) one after another, each in its own
// process, and prints each figure beside a baseline measured in the same run, as a ratio.
// `npm run bench -- lookup` runs only the benchmarks whose file name contains "lookup".
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const filter = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filter.length === 0 || filter.some((w) => f.includes(w)))
  .sort();

let failed = 0;
for (const f of files) {
  process.stdout.write(`\n== ${f}\n`);
  // Code measured in-process runs as dist/ does: React's production build (NODE_ENV), and the
  // bundle's module substitutions (register-aliases.mjs).
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--import', `${dir}register-aliases.mjs`, '--expose-gc', `${dir}${f}`], {
    stdio: 'inherit',
    env: { ...process.env, TILL_BENCH: '1', NODE_ENV: 'production' },
  });
  if (r.status !== 0) {
    failed++;
    process.stdout.write(`!! ${f} exited with ${r.status}\n`);
  }
}
process.stdout.write(`\n${files.length - failed} benchmarks ran, ${failed} failed\n`);
process.exit(failed ? 1 : 0);
