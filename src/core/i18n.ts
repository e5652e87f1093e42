// Every string the cashier sees, in zh-CN (the default) and en. `{name}` marks a parameter.
// The English table is the reference: the Chinese one must have exactly the same keys (the type
// says so), and a test checks that both use the same parameters. The tables are in messages/.
import { en } from './messages/en.js';
import { zh } from './messages/zh.js';

export type Lang = 'zh-CN' | 'en';
export const LANGS: Lang[] = ['zh-CN', 'en'];

export type MessageKey = keyof typeof en;

const TABLES: Record<Lang, Record<MessageKey, string>> = { en, 'zh-CN': zh };

export type Params = Record<string, string | number>;
export type Translate = (key: MessageKey, params?: Params) => string;

export function createTranslator(lang: Lang): Translate {
  const table = TABLES[lang];
  return (key, params) => {
    const s = table[key] ?? en[key] ?? key;
    if (!params) return s;
    // A detail in brackets — "（{error}）" — is left out, brackets and all, when it is empty.
    const bare = s.replace(/ ?[(（]\{(\w+)\}[)）]/g, (m, name: string) => (params[name] === '' ? '' : m));
    return bare.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
  };
}

/** The strings of one language (tests compare the tables). */
export function messages(lang: Lang): Readonly<Record<MessageKey, string>> {
  return TABLES[lang];
}

/**
 * The screen language: --lang, else TILL_LANG, else the till's `lang` setting, else zh-CN.
 * Returns undefined for a value that is no language (the caller says what to type).
 */
export function pickLang(...candidates: Array<string | undefined>): Lang | undefined {
  for (const c of candidates) {
    if (c === undefined || c === '') continue;
    const norm = c.toLowerCase();
    if (norm === 'en' || norm.startsWith('en-') || norm.startsWith('en_')) return 'en';
    if (norm === 'zh' || norm === 'zh-cn' || norm === 'zh_cn' || norm.startsWith('zh-hans')) return 'zh-CN';
    return undefined;
  }
  return 'zh-CN';
}
