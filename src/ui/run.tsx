// Mounts the checkout on the terminal and resolves when the cashier leaves. Loaded lazily by
// `till checkout`, so Ink and React are only ever loaded for the screen.
import React from 'react';
import { keepHeapSmall } from './heap.js';
import { render } from 'ink';
import type { Sale } from '../core/types.js';
import { CheckoutController, type Background, type CheckoutDeps, type CheckoutSettings, type PrintResult } from './checkout-controller.js';
import { CheckoutApp } from './components/CheckoutApp.js';

export interface RunCheckoutOptions extends Omit<CheckoutDeps, 'exit' | 'bell' | 'deferSettings'> {
  /**
   * Loads the settings after the first frame (the config store and its validation cost more
   * to load than the whole screen). Input typed meanwhile waits for it; nothing is lost.
   */
  loadSettings?: () => Promise<CheckoutSettings>;
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  /** Called with each frame's render time (benchmarks). */
  onRender?: (metrics: { renderTime: number }) => void;
  /** Called once the screen is drawn and reading input (benchmarks, tests). */
  onReady?: (controller: CheckoutController) => void;
}

export type { Background, CheckoutSettings, PrintResult, Sale };

/** Used when the settings cannot be read at all: the foundation's defaults. */
const FALLBACK_SETTINGS: CheckoutSettings = { discountLimitPercent: 10, printerUri: 'preview', hqUrl: '' };

export async function runCheckout(o: RunCheckoutOptions): Promise<void> {
  keepHeapSmall(); // idempotent: `till checkout` did it already, before loading this code
  const stdout = o.stdout ?? process.stdout;
  let leave = () => {};
  const controller = new CheckoutController({
    ...o,
    bell: () => stdout.write('\x07'),
    exit: () => leave(),
    deferSettings: o.loadSettings !== undefined,
  });
  const instance = render(<CheckoutApp controller={controller} />, {
    // Ink spreads these over its defaults: an explicit `stdin: undefined` would drop process.stdin.
    stdin: o.stdin ?? process.stdin,
    stdout,
    exitOnCtrlC: false,
    patchConsole: false,
    // Every frame rewrites the whole screen. Ink 6.8's incremental mode (only changed lines) left
    // stale rows behind when the cart grew under the hint line (tried in tmux).
    incrementalRendering: false,
    maxFps: 60,
    onRender: o.onRender,
  });
  // Grab the promise now: after an early exit() it would never resolve (Ink 6).
  const done = instance.waitUntilExit();
  leave = () => instance.unmount();
  const onSignal = () => leave();
  process.once('SIGTERM', onSignal);
  process.once('SIGHUP', onSignal);
  controller.start();
  o.onReady?.(controller);
  if (o.loadSettings) {
    const load = o.loadSettings;
    setImmediate(() => {
      load().then(
        (s) => controller.configure(s),
        // The cashier reads one language: the reason goes to the admin's `till config list`, not here.
        () => controller.configure(FALLBACK_SETTINGS, controller.t('msg.settingsFailed')),
      );
    });
  }
  try {
    await done;
  } finally {
    controller.dispose();
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
  }
}
