// The printer on the status bar (issue 11, finding 9): "ready" only after the printer answered
// a status request; asked at start, after each receipt and now and then (never on a scan). A
// failed receipt says, in a line that fits, that the sale is saved and F12 reprints.
import { afterEach, describe, expect, test } from 'vitest';
import { textWidth } from '../../src/core/text-width.js';
import type { PrinterState } from '../../src/ui/checkout-controller.js';
import { COLA, KEY, renderCheckout, storeDb, tick, type Harness } from './helpers.js';

let h: Harness | undefined;
afterEach(() => {
  h?.unmount();
  h = undefined;
});

const TCP = 'tcp://127.0.0.1:9100';

describe('printer status', () => {
  test('a printer that has not answered is not "ready"; its answer is shown', async () => {
    let answer: PrinterState = 'unreachable';
    let asked = 0;
    h = renderCheckout(storeDb(), { printerUri: TCP, printerState: async () => (asked++, answer), print: async () => ({ ok: true }) });
    await h.waitFor('打印机 连不上');
    expect(h.frame()).not.toContain('就绪');
    await h.login();
    answer = 'paper-out';
    await h.write(`${COLA}\r`);
    await h.waitFor('可口可乐500ml ×1');
    const beforeSale = asked;
    expect(beforeSale).toBe(1); // scanning never asks the printer
    await h.write(KEY.enter, KEY.enter);
    await h.waitFor('打印机 缺纸');
    expect(asked).toBe(beforeSale + 1); // asked again after the receipt
  });

  test('without any answer yet, a real printer shows as not checked', async () => {
    h = renderCheckout(storeDb(), { printerUri: TCP, printerState: () => new Promise(() => {}) });
    await h.waitFor('打印机 未确认');
    h.unmount();
    h = renderCheckout(storeDb(), { printerUri: TCP, lang: 'en', printerState: async () => 'ready' });
    await h.waitFor('Printer ready');
  });

  test('a failed receipt: short, the sale saved once, F12 to reprint, no command line', async () => {
    const message = '打印机 tcp://127.0.0.1:9100 连接不上（connect ECONNREFUSED 127.0.0.1:9100）。交易已保存；打印机恢复后可用 `till print reprint S001-T01-20261208-0001` 补打。';
    h = renderCheckout(storeDb(), { printerUri: TCP, print: async () => ({ ok: false, reason: 'unreachable', message }) });
    await h.login();
    await h.write(`${COLA}\r`, KEY.enter, KEY.enter);
    await h.waitFor('小票未打印：打印机连接不上。交易已保存，按 F12 补打。');
    const text = h.view().message!.text;
    expect(text).not.toContain('till ');
    expect(text.match(/已保存/g)).toHaveLength(1);
    expect(textWidth(text)).toBeLessThanOrEqual(60);
  });

  test('the paper-low warning of a printed receipt reaches the screen', async () => {
    h = renderCheckout(storeDb(), { printerUri: TCP, lang: 'en', print: async () => ({ ok: true, warning: 'The paper of printer tcp://127.0.0.1:9100 is running low. Have a roll ready.' }) });
    await h.login();
    await h.write(`${COLA}\r`, KEY.enter, KEY.enter);
    await h.waitFor('Receipt printed. The paper of printer tcp://127.0.0.1:9100 is running low.');
    expect(h.frame()).toContain('PAPER LOW');
    await tick(10);
  });

});
