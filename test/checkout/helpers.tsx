// Checkout test kit: a small store in memory, the real screen rendered by ink-testing-library,
// and a way to type and wait until the screen shows the result (React must flush between keys).
import React from 'react';
import { render } from 'ink-testing-library';
import { withCheckDigit } from '../../src/core/barcode.js';
import type { DB } from '../../src/db/open.js';
import { addProduct } from '../../src/db/products-write.js';
import { getIdentity } from '../../src/db/settings.js';
import { openShift } from '../../src/db/shifts.js';
import { CheckoutController, type CheckoutDeps } from '../../src/ui/checkout-controller.js';
import { CheckoutApp } from '../../src/ui/components/CheckoutApp.js';
import { memoryTill } from '../helpers/till.js';

export const COLA = '6901234567892'; // 可口可乐500ml ¥3.50
export const NOODLES = withCheckDigit('692015240077'); // 康师傅红烧牛肉面 ¥4.50
export const WATER = withCheckDigit('690000000001'); // 农夫山泉550ml ¥2.00
export const CHIPS = withCheckDigit('690000000002'); // 乐事薯片原味70g ¥7.80
export const GONE = withCheckDigit('690000000003'); // 已下架饼干 (inactive)
/** A scale label: 22 + PLU 10002 (香蕉 ¥6.98/kg) + 01250 g + check digit. */
export const BANANA_LABEL = withCheckDigit('221000201250');
export const WECHAT_CODE = '134567890123456789';
export const ALIPAY_CODE = '281234567890123456';

export const KEY = {
  enter: '\r',
  esc: '\x1b',
  up: '\x1b[A',
  down: '\x1b[B',
  del: '\x1b[3~',
  tab: '\t',
  ctrlC: '\x03',
  f1: '\x1bOP',
  f2: '\x1bOQ',
  f3: '\x1bOR',
  f4: '\x1bOS',
  f5: '\x1b[15~',
  f6: '\x1b[17~',
  f7: '\x1b[18~',
  f8: '\x1b[19~',
  f9: '\x1b[20~',
  f10: '\x1b[21~',
  f12: '\x1b[24~',
} as const;

/** The store with cashier 1001's shift open (float ¥200), as after their sign-in; `storeDb(false)`: no shift yet. */
export function storeDb(withShift = true): DB {
  const db = memoryTill();
  if (withShift) openShift(db, { cashierId: '1001', floatFen: 20000 });
  db.transaction(() => {
    addProduct(db, { name: '可口可乐500ml', priceFen: 350, barcodes: [COLA], unit: '瓶', category: '饮料' });
    addProduct(db, { name: '康师傅红烧牛肉面', priceFen: 450, barcodes: [NOODLES], unit: '桶', category: '方便食品' });
    addProduct(db, { name: '农夫山泉550ml', priceFen: 200, barcodes: [WATER], unit: '瓶', category: '饮料' });
    addProduct(db, { name: '乐事薯片原味70g', priceFen: 780, barcodes: [CHIPS], unit: '袋', category: '零食' });
    addProduct(db, { name: '香蕉', priceFen: 698, barcodes: [], unit: 'kg', category: '生鲜', weighed: true, plu: '10002' });
    addProduct(db, { name: '已下架饼干', priceFen: 500, barcodes: [GONE], active: false });
  })();
  return db;
}

export type Harness = ReturnType<typeof renderCheckout>;

export function renderCheckout(db: DB, deps: Partial<CheckoutDeps> = {}) {
  let bells = 0;
  let exited = false;
  const controller = new CheckoutController({
    db,
    identity: getIdentity(db)!,
    lang: 'zh-CN',
    discountLimitPercent: 10,
    printerUri: 'preview',
    hqUrl: '',
    searchDelayMs: 20,
    statusEveryMs: 0,
    bell: () => bells++,
    exit: () => {
      exited = true;
    },
    ...deps,
  });
  const ink = render(<CheckoutApp controller={controller} />);
  controller.start();
  const frame = () => ink.lastFrame() ?? '';
  const h = {
    controller,
    ink,
    frame,
    get bells() {
      return bells;
    },
    get exited() {
      return exited;
    },
    view: () => controller.view(),
    /** Writes raw input (as the terminal would hand it to Ink) and lets React flush. */
    async write(...chunks: string[]) {
      for (const c of chunks) {
        ink.stdin.write(c);
        await tick();
      }
    },
    /** Waits until the screen shows `text` (or fails with the last frame). */
    async waitFor(text: string | RegExp, timeoutMs = 3000) {
      const start = Date.now();
      for (;;) {
        const f = frame();
        if (typeof text === 'string' ? f.includes(text) : text.test(f)) return f;
        if (Date.now() - start > timeoutMs) throw new Error(`screen never showed ${String(text)}; last frame:\n${f}`);
        await tick(10);
      }
    },
    async login(id = '1001', pin = '1111') {
      await h.write(id, KEY.enter, pin, KEY.enter);
      await h.waitFor(/欢迎|Welcome/);
    },
    unmount() {
      controller.dispose();
      ink.unmount();
    },
  };
  return h;
}

export function tick(ms = 0): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
