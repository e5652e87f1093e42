// Till settings a person sets with `till config set <key> <value>`, stored by conf in
// <home>/config.json. Every key is declared here once: its schema, default and help text.
import { z } from 'zod';
import { UserError } from './errors.js';
import { configPath, configValue, readConfigFile } from './config-file.js';

const url = z.string().url().refine((u) => /^https?:\/\//.test(u), 'must start with http:// or https://');

export const CONFIG_KEYS = {
  'printer.uri': {
    schema: z.string().regex(/^(tcp:\/\/[^:/]+(:\d+)?|\/dev\/\S+|file:\S+|preview|none)$/, 'use tcp://host:9100, /dev/usb/lp0, file:<path>, preview or none'),
    default: 'preview',
    help: 'where receipts go: tcp://host:9100, a device such as /dev/usb/lp0, file:<path>, preview (screen) or none',
  },
  'printer.width': { schema: z.coerce.number().refine((n) => n === 58 || n === 80, 'paper width is 58 or 80 (mm)'), default: 80, help: 'receipt paper width in mm: 58 or 80' },
  'printer.timeoutMs': {
    schema: z.coerce
      .number({ error: 'must be a whole number of milliseconds, e.g. 5000' })
      .int('must be a whole number of milliseconds, e.g. 5000')
      .min(500, 'must be at least 500 ms')
      .max(60000, 'must be at most 60000 ms (one minute)'),
    default: 5000,
    help: 'give up on an unresponsive printer after this many ms',
  },
  'receipt.footer': { schema: z.string().max(200), default: '谢谢惠顾，欢迎再次光临', help: 'line printed at the bottom of every receipt' },
  'hq.url': { schema: url, default: '', help: 'HQ address this till syncs with, e.g. https://hq.example.com' },
  'discount.limitPercent': { schema: z.coerce.number().min(0).max(100), default: 10, help: 'discounts above this percent need a supervisor PIN' },
  'tender.maxChange': {
    schema: z.string().regex(/^(|\d{1,7}(\.\d{1,2})?)$/, 'use an amount in yuan such as 100 or 50.00, or empty for the default rule'),
    default: '',
    help: 'cash change above this (yuan) asks the cashier to confirm; empty: more than ¥100 and more than the due amount rounded up to ¥100',
  },
  'weigh.manual': { schema: z.enum(['allow', 'supervisor', 'never']), default: 'supervisor', help: 'typed weights for weighed goods at the checkout: allow, supervisor (a supervisor approves each) or never' },
  lang: { schema: z.enum(['zh-CN', 'en']), default: 'zh-CN', help: 'cashier screen language: zh-CN or en' },
  'shift.blindClose': {
    schema: z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean({ error: 'must be true or false' })),
    default: false,
    help: 'blind close: the cashier counts the drawer without being shown the expected cash (true/false)',
  },
  'store.timeZone': {
    schema: z.string().refine(isTimeZone, 'is not a time zone; use an IANA name such as Asia/Shanghai'),
    default: 'Asia/Shanghai',
    help: "the store's time zone (IANA, e.g. Asia/Shanghai): business days and reports follow it",
  },
  'store.dayCutoff': {
    schema: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'is not a time of day: use HH:MM, e.g. 04:00'),
    default: '04:00',
    help: 'the local time a new business day starts (HH:MM): a 02:30 sale with 04:00 belongs to the day before',
  },
} satisfies Record<string, { schema: z.ZodType; default: unknown; help: string }>;

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export type ConfigKey = keyof typeof CONFIG_KEYS;
export type ConfigValues = { [K in ConfigKey]: z.infer<(typeof CONFIG_KEYS)[K]['schema']> };

export function isConfigKey(key: string): key is ConfigKey {
  return Object.hasOwn(CONFIG_KEYS, key);
}

export function assertConfigKey(key: string): ConfigKey {
  if (!isConfigKey(key)) throw new UserError(`Unknown setting "${key}". Known settings: ${Object.keys(CONFIG_KEYS).join(', ')}.`);
  return key;
}

/**
 * Reads go straight to <home>/config.json (re-read on every get, so a running checkout or sync
 * sees `till config set` at once). Writes go through conf (atomic writes), which is loaded only
 * when something is written: conf and its schema validator cost the checkout ~10 MiB and
 * start-up time it has no use for.
 */
export class TillConfig {
  readonly path: string;

  constructor(private readonly home: string) {
    this.path = configPath(home);
  }

  private async store() {
    const { default: Conf } = await import('conf');
    return new Conf<Record<string, unknown>>({ cwd: this.home, configName: 'config', projectName: 'till', projectSuffix: '' });
  }

  get<K extends ConfigKey>(key: K): ConfigValues[K] {
    return this.valueOf(readConfigFile(this.path), key);
  }

  private valueOf<K extends ConfigKey>(file: Record<string, unknown>, key: K): ConfigValues[K] {
    const raw = configValue(file, key);
    const def = CONFIG_KEYS[key];
    if (raw === undefined) return def.default as ConfigValues[K];
    const parsed = def.schema.safeParse(raw);
    // A hand-edited bad value falls back to the default rather than stopping a till.
    return (parsed.success ? parsed.data : def.default) as ConfigValues[K];
  }

  /** Validates and stores a value typed by a person; throws a UserError saying what is allowed. */
  async set(key: string, value: string): Promise<ConfigValues[ConfigKey]> {
    const k = assertConfigKey(key);
    const parsed = CONFIG_KEYS[k].schema.safeParse(value);
    if (!parsed.success) throw new UserError(`${k}: "${value}" ${parsed.error.issues[0]?.message ?? 'is not valid'}. (${CONFIG_KEYS[k].help})`);
    (await this.store()).set(k, parsed.data);
    return parsed.data as ConfigValues[ConfigKey];
  }

  async unset(key: string): Promise<void> {
    const k = assertConfigKey(key);
    (await this.store()).delete(k);
  }

  list(): Array<{ key: ConfigKey; value: unknown; isDefault: boolean; help: string }> {
    const raw = readConfigFile(this.path);
    return (Object.keys(CONFIG_KEYS) as ConfigKey[]).map((key) => ({
      key,
      value: this.valueOf(raw, key),
      isDefault: configValue(raw, key) === undefined,
      help: CONFIG_KEYS[key].help,
    }));
  }
}
