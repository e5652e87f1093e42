// The status bar keeps a sale HQ does not hold as it was sold in view: a conflict (HQ holds
// other content at its seq) or a sale HQ quarantined, until HQ resolves it — never "0 pending".
import { afterEach, expect, it } from 'vitest';
import type { Background } from '../../src/ui/checkout-types.js';
import { renderCheckout, storeDb, tick, type Harness } from './helpers.js';

let h: Harness | undefined;
afterEach(() => h?.unmount());

function background(figures: { conflicts: number; quarantined: number }): Background {
  return { start() {}, stop() {}, status: () => ({ online: true, pending: 0, ...figures }) };
}

it('shows the sales HQ quarantined and the conflicts with HQ beside the pending count, in Chinese and English', async () => {
  h = renderCheckout(storeDb(), { background: background({ conflicts: 1, quarantined: 2 }), hqUrl: 'http://127.0.0.1:1', statusEveryMs: 10 });
  await h.login();
  const zh = await h.waitFor('总部隔离 2');
  expect(zh).toContain('与总部冲突 1');
  h.unmount();
  h = renderCheckout(storeDb(), { lang: 'en', background: background({ conflicts: 0, quarantined: 3 }), hqUrl: 'http://127.0.0.1:1', statusEveryMs: 10 });
  await h.login();
  const en = await h.waitFor('3 held at HQ');
  expect(en).not.toContain('conflict');
});

it('says nothing of conflicts or quarantine while HQ holds every sale', async () => {
  h = renderCheckout(storeDb(), { background: background({ conflicts: 0, quarantined: 0 }), hqUrl: 'http://127.0.0.1:1', statusEveryMs: 10 });
  await h.login();
  await tick(50);
  expect(h.frame()).not.toMatch(/总部隔离|与总部冲突/);
});
