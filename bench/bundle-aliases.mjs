// Module hooks for benchmarks that run the sources in-process: the same substitutions
// scripts/build.mjs makes in the bundle, so the figures are those of the code that ships.
// Every import of string-width (Ink's included) gets src/core/text-width.ts.
// Registered by `--import ./bench/register-aliases.mjs` (bench/run.mjs).
export async function resolve(specifier, context, next) {
  if (specifier === 'string-width') return next(new URL('../src/core/text-width.ts', import.meta.url).href, context);
  return next(specifier, context);
}
