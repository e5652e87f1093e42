// The screen's small texts (issue 11, finding 13): counts in the singular, dialog titles
// capitalised, prompts that name the line and the unit, the removed item named, the F1 line
// for F12 whole, F5–F12 still on the hint line at 60 columns, one language per message.
import React from 'react';
import { render } from 'ink';
import { stripVTControlCharacters as stripAnsi } from 'node:util';
import { afterEach, describe, expect, test } from 'vitest';
import { messages } from '../../src/core/i18n.js';
import { getIdentity } from '../../src/db/settings.js';
import { CheckoutController } from '../../src/ui/checkout-controller.js';
import { CheckoutApp } from '../../src/ui/components/CheckoutApp.js';
import { FakeKeyboard, FakeScreen } from '../helpers/terminal.js';
import { COLA, KEY, NOODLES, renderCheckout, storeDb, tick, type Harness } from './helpers.js';

let h: Harness | undefined;
const unmounts: Array<() => void> = [];
afterEach(() => {
  h?.unmount();
  h = undefined;
  while (unmounts.length) unmounts.pop()!();
});

async function mount(columns: number, rows: number, lang: 'zh-CN' | 'en') {
  const db = storeDb();
  const controller = new CheckoutController({ db, identity: getIdentity(db)!, lang, printerUri: 'preview', statusEveryMs: 0, searchDelayMs: 10 });
  const stdout = new FakeScreen(columns, rows);
  const stdin = new FakeKeyboard();
  const ink = render(<CheckoutApp controller={controller} />, { stdout: stdout as never, stdin: stdin as never, debug: true, exitOnCtrlC: false, patchConsole: false });
  controller.start();
  unmounts.push(() => {
    controller.dispose();
    ink.unmount();
  });
  const type = async (...chunks: string[]) => {
    for (const c of chunks) {
      stdin.write(c);
      await tick(5);
    }
    await tick(20);
  };
  await type('1001', KEY.enter, '1111', KEY.enter, `${COLA}\r`);
  return { type, last: () => stripAnsi(stdout.frames.at(-1) ?? '') };
}

describe('screen texts', () => {
  test('one item is "1 item"; dialog titles are capitalised; prompts name the line and the unit', async () => {
    h = renderCheckout(storeDb(), { lang: 'en' });
    await h.login();
    await h.write(`${COLA}\r`, KEY.ctrlC);
    await h.waitFor('A sale is in progress (1 item, ¥3.50)');
    await h.write(KEY.esc, `${NOODLES}\r`, KEY.ctrlC);
    await h.waitFor('(2 items, ¥8.00)');
    await h.write(KEY.esc, KEY.up, KEY.f2);
    await h.waitFor('│ Quantity');
    expect(h.frame()).toContain('Line 1 可口可乐500ml: quantity now 1. Type the new number of pieces');
    await h.write(KEY.esc, KEY.f4);
    await h.waitFor('│ Line discount');
    expect(h.frame()).toContain('Line 1 可口可乐500ml (¥3.50): type a percent such as 10% or an amount in yuan');
    await h.write(KEY.esc, KEY.f5);
    await h.waitFor('│ Sale discount');
    await h.write(KEY.esc, KEY.del);
    await h.waitFor('Removed: 可口可乐500ml.');
  });

  test('F1 shows the F12 line whole at 80 columns; F5–F12 stay on the hint line at 60', async () => {
    for (const lang of ['en', 'zh-CN'] as const) {
      const s = await mount(80, 24, lang);
      await s.type(KEY.f1);
      expect(s.last()).toContain(lang === 'en' ? 'reprint last receipt (COPY)' : '重印上一张小票');
      const narrow = await mount(60, 16, lang);
      const hint = narrow.last().trimEnd().split('\n').at(-1)!;
      for (const k of ['F1', 'F10', 'F5', 'F6', 'F7', 'F8', 'F9', 'F12']) expect(hint, `${lang}: ${hint}`).toContain(k);
    }
  });

  test('the Chinese screen names no setting or command line', () => {
    const zh = messages('zh-CN');
    for (const [key, text] of Object.entries(zh)) {
      const words = text.replace(/\{\w+\}/g, '').match(/[A-Za-z][A-Za-z.]{2,}/g) ?? [];
      expect(words.filter((w) => !['Esc', 'Till', 'kkkl', 'Del', 'Ctrl'].includes(w)), key).toEqual([]);
    }
  });
});
