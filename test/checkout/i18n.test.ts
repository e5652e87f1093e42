// Both languages say the same things: every message exists in zh-CN and en with the same
// parameters, so no screen shows a raw key or a "{amount}" left unfilled.
import { describe, expect, test } from 'vitest';
import { createTranslator, messages, pickLang } from '../../src/core/i18n.js';

const params = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('i18n', () => {
  test('zh-CN and en have the same keys and parameters, none empty', () => {
    const en = messages('en');
    const zh = messages('zh-CN');
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
    for (const key of Object.keys(en) as Array<keyof typeof en>) {
      expect(zh[key].trim(), key).not.toBe('');
      expect(params(zh[key]), key).toEqual(params(en[key]));
    }
  });

  test('parameters are filled in', () => {
    expect(createTranslator('zh-CN')('msg.wrongPin', { left: 3 })).toBe('密码错误。再错 3 次将锁定该工号。');
    expect(createTranslator('en')('msg.wrongPin', { left: 3 })).toBe('Wrong PIN. 3 tries left before this number locks.');
  });

  test('language: --lang, then TILL_LANG, then the setting, else zh-CN; nonsense is refused', () => {
    expect(pickLang(undefined, undefined, undefined)).toBe('zh-CN');
    expect(pickLang(undefined, 'en', 'zh-CN')).toBe('en');
    expect(pickLang('zh-CN', 'en')).toBe('zh-CN');
    expect(pickLang(undefined, '', 'en')).toBe('en');
    expect(pickLang('en_US.UTF-8')).toBe('en');
    expect(pickLang('fr')).toBeUndefined();
  });
});

describe('an error detail on the screen', () => {
  const zh = createTranslator('zh-CN');
  const en = createTranslator('en');
  test('the Chinese screen says in Chinese what happened; an English detail comes last, in brackets', () => {
    const text = zh('msg.commitFailed', { error: 'database is locked' });
    expect(text).toBe('交易未保存：没有记录任何数据，请重试。（database is locked）');
    expect(zh('msg.unexpected', { error: 'The database connection is not open' })).toMatch(/^出现意外错误。[^A-Za-z]+（The database connection is not open）$/);
    expect(en('msg.commitFailed', { error: 'database is locked.' })).toBe('The sale was NOT saved: nothing was recorded; try again. (database is locked.)');
  });

  test('a detail that adds nothing is left out, brackets and all', () => {
    expect(zh('msg.unexpected', { error: '' })).toBe('出现意外错误。没有保存半笔交易；可以继续操作，若反复出现请告诉主管。');
    expect(en('msg.commitFailed', { error: '' })).toBe('The sale was NOT saved: nothing was recorded; try again.');
  });
});
