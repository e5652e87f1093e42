// Bundles src/ into dist/ with esbuild. Code splitting keeps the checkout's Ink/React
// chunk out of admin commands: `till products show` must start like a plain script.
import { build } from 'esbuild';
import { renameSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

const root = new URL('..', import.meta.url).pathname;
// Build into a fresh folder and swap it in, so dist/ holds exactly this build's chunks and a
// failed build leaves the previous one in place.
const next = `dist.next-${process.pid}`;

// commander requires node:child_process at load time only for executable subcommands, which
// Till does not use; child_process drags in net, dgram and streams (~10 ms of every start).
// Hand commander a proxy that loads the real module on first use.
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      args.importer.includes('/node_modules/commander/') ? { path: 'lazy-child-process', namespace: 'till-lazy' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'till-lazy' }, () => ({
      contents: "let m; module.exports = new Proxy({}, { get: (_, k) => (m ??= require('node:child_process'))[k] });",
      loader: 'js',
    }));
  },
};

// string-width builds an Intl.Segmenter and Unicode-property regexes as it loads (~70 ms) and
// is slow on its first non-ASCII string: src/core/text-width.ts gives the same widths for plain
// text and loads string-width only for emoji and the like. Every import of it, Ink's included,
// gets that module.
const fastTextWidth = {
  name: 'fast-text-width',
  setup(b) {
    b.onResolve({ filter: /^string-width$/ }, () => ({ path: `${root}src/core/text-width.ts` }));
  },
};

// Ink's layout engine (yoga) carries its WebAssembly inline and, when a global fetch exists,
// "fetches" that data: URL, which loads Node's whole HTTP client (undici): ~55 ms of the
// checkout's start. Its loader gets a `fetch` of its own that is undefined, so it decodes the
// bytes itself (a yoga that no longer mentions fetch fails the build here, to be looked at).
const yogaWithoutFetch = {
  name: 'yoga-without-fetch',
  setup(b) {
    b.onLoad({ filter: /yoga-layout\/dist\/binaries\/[^/]+\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const contents = source.replace(/\bfetch\b/g, '__yogaNoFetch');
      if (contents === source) throw new Error(`${args.path} no longer mentions fetch: check yoga-without-fetch in scripts/build.mjs`);
      return { contents: `const __yogaNoFetch = undefined;\n${contents}`, loader: 'js' };
    });
  },
};

// Ink remembers the size and the wrapped form of every distinct text it has drawn, forever:
// on a till that is ~2 MiB per 10,000 scans, 7–15 MiB over a day of selling. Both caches are
// emptied when they pass INK_CACHE_LIMIT entries (a frame holds a few hundred texts). A changed Ink
// fails the build here, to be looked at.
const INK_CACHE_LIMIT = 5000;
const inkBoundedCaches = {
  name: 'ink-bounded-caches',
  setup(b) {
    const patches = {
      'measure-text.js': [['cache.set(text, dimensions);', `if (cache.size >= ${INK_CACHE_LIMIT}) cache.clear();\n    cache.set(text, dimensions);`]],
      'wrap-text.js': [
        ['const cache = {};', 'let cache = {};\nlet cached = 0;'],
        ['cache[cacheKey] = wrappedText;', `if (++cached > ${INK_CACHE_LIMIT}) {\n        cache = {};\n        cached = 1;\n    }\n    cache[cacheKey] = wrappedText;`],
      ],
    };
    b.onLoad({ filter: /[\\/]ink[\\/]build[\\/](measure-text|wrap-text)\.js$/ }, async (args) => {
      let contents = await readFile(args.path, 'utf8');
      for (const [from, to] of patches[args.path.split(/[\\/]/).pop()]) {
        if (!contents.includes(from)) throw new Error(`${args.path} changed (no "${from}"): check ink-bounded-caches in scripts/build.mjs`);
        contents = contents.replace(from, to);
      }
      return { contents, loader: 'js' };
    });
  },
};

try {
  await build({
    plugins: [lazyChildProcess, fastTextWidth, yogaWithoutFetch, inkBoundedCaches],
    absWorkingDir: root,
    entryPoints: { cli: 'src/cli.ts', 'sync-worker': 'src/sync/worker.ts' },
    outdir: next,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
    logLevel: 'warning',
    // Native or optional modules stay outside the bundle. better-sqlite3's JavaScript is bundled
    // (a dozen small CommonJS files cost ~9 ms of every start to resolve and compile one by one);
    // its addon is loaded by path (db/open.ts), so its `bindings` fallback stays external.
    external: ['bindings', 'pg-native', 'react-devtools-core'],
    banner: {
      // CommonJS dependencies inside an ESM bundle still call require() for builtins.
      js: "import { createRequire as __tillCreateRequire } from 'node:module'; const require = __tillCreateRequire(import.meta.url);",
    },
    // React and its reconciler in production mode: the development build is slower and keeps a
    // performance.measure entry per component render (the checkout's memory grew with every sale).
    define: { 'process.env.DEV': '"false"', 'process.env.NODE_ENV': '"production"' },
  });
} catch (e) {
  rmSync(`${root}${next}`, { recursive: true, force: true });
  throw e;
}

const old = `dist.old-${process.pid}`;
try {
  renameSync(`${root}dist`, `${root}${old}`);
} catch (e) {
  if (e.code !== 'ENOENT') throw e;
}
renameSync(`${root}${next}`, `${root}dist`);
rmSync(`${root}${old}`, { recursive: true, force: true });
