// The screen fits the terminal: never more lines than rows-1 (Ink clears the screen on every
// frame otherwise), never a line wider than the columns, and columns line up with Chinese names.
import React from 'react';
import { render } from 'ink';
import stringWidth from 'string-width';
import { stripVTControlCharacters as stripAnsi } from 'node:util';
import { afterEach, describe, expect, test } from 'vitest';
import { getIdentity } from '../../src/db/settings.js';
import { CheckoutController } from '../../src/ui/checkout-controller.js';
import { CheckoutApp } from '../../src/ui/components/CheckoutApp.js';
import { CHIPS, COLA, KEY, NOODLES, WATER, storeDb, tick } from './helpers.js';
import { FakeKeyboard, FakeScreen } from '../helpers/terminal.js';

const unmounts: Array<() => void> = [];
afterEach(() => {
  while (unmounts.length) unmounts.pop()!();
});

async function mount(columns: number, rows: number, lang: 'zh-CN' | 'en' = 'zh-CN', training = false) {
  const db = storeDb();
  const controller = new CheckoutController({ db, identity: getIdentity(db)!, lang, discountLimitPercent: 10, printerUri: 'preview', hqUrl: '', statusEveryMs: 0, searchDelayMs: 10, training });
  const stdout = new FakeScreen(columns, rows);
  const stdin = new FakeKeyboard();
  const ink = render(<CheckoutApp controller={controller} />, { stdout: stdout as never, stdin: stdin as never, debug: true, exitOnCtrlC: false, patchConsole: false });
  controller.start();
  unmounts.push(() => {
    controller.dispose();
    ink.unmount();
  });
  const last = () => stripAnsi(stdout.frames.at(-1) ?? '').replace(/\n$/, '');
  const type = async (...chunks: string[]) => {
    for (const c of chunks) {
      stdin.write(c);
      await tick(5);
    }
  };
  return { controller, last, type, frames: stdout.frames };
}

function assertFits(frame: string, columns: number, rows: number) {
  const lines = frame.split('\n');
  expect(lines.length).toBeLessThanOrEqual(rows - 1);
  for (const l of lines) expect(stringWidth(l), `too wide: "${l}"`).toBeLessThanOrEqual(columns);
}

describe('layout', () => {
  for (const [columns, rows] of [
    [80, 24],
    [120, 40],
    [60, 16],
  ] as const) {
    test(`every screen fits ${columns}×${rows}`, async () => {
      const s = await mount(columns, rows);
      await s.type('1001', KEY.enter, '1111', KEY.enter);
      await tick(10);
      assertFits(s.last(), columns, rows);
      // A long cart (more lines than the screen) stays within the height.
      const codes = Array.from({ length: 60 }, (_, i) => `${(i % 9) + 1}*${[COLA, NOODLES, WATER, CHIPS][i % 4]}`);
      await s.type(codes.join('\r') + '\r');
      await tick(10);
      assertFits(s.last(), columns, rows);
      for (const keys of [[KEY.f1], [KEY.esc, 'kkkl'], [KEY.esc, KEY.f4], [KEY.esc, KEY.f5, '50%', KEY.enter], [KEY.esc, KEY.enter], [KEY.f3, '1', KEY.enter], [KEY.f1], [KEY.esc, KEY.ctrlC]]) {
        await s.type(...keys);
        await tick(30);
        assertFits(s.last(), columns, rows);
      }
    });
  }

  test('at 80×24 the price columns line up whatever the width of the names', async () => {
    const s = await mount(80, 24);
    await s.type('1001', KEY.enter, '1111', KEY.enter, `${COLA}\r${NOODLES}\r${WATER}\r`);
    await tick(10);
    const rows = s.last().split('\n').filter((l) => /^\s+\d+ (可口可乐500ml|康师傅红烧牛肉面|农夫山泉550ml)/.test(l));
    expect(rows).toHaveLength(3);
    // The line total ends at the same column on every row; the unit price too.
    const ends = rows.map((l) => stringWidth(l.trimEnd()));
    expect(new Set(ends).size).toBe(1);
    const priceEnds = rows.map((l) => stringWidth(l.slice(0, l.search(/\d+\.\d\d\s+\d+\.\d\d\s*$/)) + l.match(/\d+\.\d\d(?=\s+\d+\.\d\d\s*$)/)![0]));
    expect(new Set(priceEnds).size).toBe(1);
  });
});

describe('training mode', () => {
  test('is marked on the status bar at every width, 60 columns included', async () => {
    for (const [columns, rows] of [[60, 16], [80, 24], [120, 40]] as const) {
      const { last, type } = await mount(columns, rows, 'zh-CN', true);
      await type('1001', KEY.enter, '1111', KEY.enter);
      await tick(30);
      expect(last().split('\n')[0], `${columns} columns`).toContain('[练习]');
    }
  });
});

describe('the totals line', () => {
  test('never cuts the amount still due: with a discount and a part payment at 80 and 60 columns it is whole', async () => {
    for (const [columns, rows] of [[80, 24], [60, 16]] as const) {
      const { last, type } = await mount(columns, rows, 'en');
      await type('1001', KEY.enter, '1111', KEY.enter);
      await tick(20);
      await type(`10*${CHIPS}\r`, `5*${NOODLES}\r`, KEY.f5, '5', KEY.enter, KEY.f10, '20', KEY.enter);
      await tick(30);
      // 10 × 7.80 + 5 × 4.50 = 100.50, less 5.00 off = 95.50; 20.00 paid leaves 75.50 due.
      const line = last().split('\n').filter((l) => l.includes('TOTAL')).at(-1)!; // the bar above the input line
      expect(line, `${columns} columns`).toContain('Due ¥75.50');
      expect(line).toContain('TOTAL ¥95.50');
    }
  });
});
