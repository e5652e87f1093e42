// <home>/config.json, where `till config` keeps the till's settings, read without the config
// store (conf) or the settings' schemas (zod): the checkout reads its language from here before
// its first frame, and TillConfig (config.ts) reads every setting through here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from './errors.js';

export function configPath(home: string): string {
  return join(home, 'config.json');
}

/** The file's settings; {} when there is none. A file that is not JSON is a UserError saying so. */
export function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw e;
  }
  try {
    const value = text.trim() === '' ? {} : JSON.parse(text);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    throw new UserError(`${path} is not valid JSON; fix it by hand or delete it to return to the defaults.`);
  }
}

/** The stored value of a dotted key: conf keeps "printer.width" at { printer: { width } }. */
export function configValue(file: Record<string, unknown>, key: string): unknown {
  return key.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), file);
}
