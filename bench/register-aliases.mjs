// Registers bench/bundle-aliases.mjs (the bundle's module substitutions) for a benchmark run.
import { register } from 'node:module';

register('./bundle-aliases.mjs', import.meta.url);
