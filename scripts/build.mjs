// Bundles src/ into dist/ with esbuild. Code splitting keeps the checkout's Ink/React
// chunk out of admin commands: `till products show` must start like a plain script.
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;

await build({
  absWorkingDir: root,
  entryPoints: { cli: 'src/cli.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
  // Native or optional modules stay outside the bundle.
  external: ['better-sqlite3', 'pg-native', 'react-devtools-core'],
  banner: {
    // CommonJS dependencies inside an ESM bundle still call require() for builtins.
    js: "import { createRequire as __tillCreateRequire } from 'node:module'; const require = __tillCreateRequire(import.meta.url);",
  },
  define: { 'process.env.DEV': '"false"' },
});
