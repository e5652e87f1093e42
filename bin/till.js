#!/usr/bin/env node
// Tiny launcher: the shipped program is the esbuild bundle in dist/ (a bundled Ink app
// starts in about a third of the time of the unbundled sources).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const entry = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
if (!existsSync(entry)) {
  process.stderr.write('till: the build is missing (dist/cli.js). Run `npm run build` in the till folder first.\n');
  process.exit(1);
}
// The bundle is minified: with --debug, stack traces point into src/ through its source maps.
if (process.argv.includes('--debug')) process.setSourceMapsEnabled(true);
const { main } = await import(pathToFileURL(entry).href);
await main(process.argv);
