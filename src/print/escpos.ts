// ESC/POS bytes for a laid-out receipt. node-thermal-printer builds the commands it gets right
// (initialise, alignment, bold, rules, CODE128, ASCII QR, cut); the rest we encode ourselves,
// measured on 4.6:
// - text: its CharacterSet.CHINA only sends ESC R 15 (an international set) and encodes with
//   EUC-CN, and one character outside EUC-CN (¥) switches the rest of the receipt to a Japanese
//   code page. We send FS & (Chinese mode) and GB18030 bytes from iconv-lite instead.
// - size: setTextSize(h, w) swaps the nibbles of GS ! and ESC ! does not reach Chinese
//   characters, so sizes are sent as GS ! n directly.
// - drawer: openCashDrawer() sends ESC p m without the two pulse-time bytes, so the printer eats
//   the next command's bytes as times. We send ESC p 0 t1 t2 in full.
// - QR: printQR counts the payload in UTF-16 units, wrong for non-ASCII; those are stored here.
// Loaded lazily: node-thermal-printer and iconv-lite stay out of the admin start-up path.
import iconv from 'iconv-lite';
import ntp from 'node-thermal-printer';
import { PAPER, type ReceiptDoc, type TextSize } from './layout.js';

export const ESC = 0x1b;
export const GS = 0x1d;
export const FS = 0x1c;
export const DLE = 0x10;

/** ESC @: initialise (clears Chinese mode on Chinese-capable printers). */
export const INIT = Buffer.from([ESC, 0x40]);
/** FS &: Chinese (double-byte) character mode on. */
export const CHINESE_ON = Buffer.from([FS, 0x26]);
/** ESC p 0 t1 t2: a 50 ms pulse on drawer pin 2, 500 ms off. */
export const DRAWER_KICK = Buffer.from([ESC, 0x70, 0x00, 25, 250]);
/** GS V 0: full cut. */
export const FULL_CUT = Buffer.from([GS, 0x56, 0x00]);

const SIZE: Record<TextSize, number> = { normal: 0x00, tall: 0x01, big: 0x11 };

export function gb18030(text: string): Buffer {
  return iconv.encode(text, 'gb18030');
}

type Printer = InstanceType<typeof ntp.ThermalPrinter>;

function newPrinter(columns: number): Printer {
  // No interface and no character set: the library only builds the buffer; we send it.
  const lib = ((ntp as unknown as { default?: typeof ntp }).default ?? ntp) as typeof ntp;
  // (Its typings demand an interface; the constructor does not.)
  const config = { type: lib.PrinterTypes.EPSON, width: columns } as ConstructorParameters<typeof lib.ThermalPrinter>[0];
  return new lib.ThermalPrinter(config);
}

/** CODE128 (code set B) of `data` at 2 dots per module, if it fits the printable width. */
function code128Fits(data: string, dots: number): boolean {
  // start + data + check symbols of 11 modules, stop of 13; the paper margin is the quiet zone.
  return /^[\x20-\x7e]+$/.test(data) && 2 * (11 * (data.length + 2) + 13) <= dots;
}

function printCode(p: Printer, data: string, dots: number): void {
  p.alignCenter();
  if (code128Fits(data, dots)) {
    // Height 64 dots (8 mm); human-readable digits below the bars.
    p.printBarcode(data, 73, { hriPos: 2, hriFont: 0, width: 2, height: 64 });
    p.newLine();
  } else {
    const payload = Buffer.from(data, 'utf8');
    const cellSize = dots >= 576 ? 6 : 5;
    if (payload.length === data.length) {
      p.printQR(data, { cellSize, correction: 'M', model: 2 });
    } else {
      const n = payload.length + 3;
      p.add(Buffer.from([GS, 0x28, 0x6b, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00])); // model 2
      p.add(Buffer.from([GS, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x43, cellSize]));
      p.add(Buffer.from([GS, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x45, 0x31])); // correction M
      p.add(Buffer.concat([Buffer.from([GS, 0x28, 0x6b, n % 256, Math.floor(n / 256), 0x31, 0x50, 0x30]), payload]));
      p.add(Buffer.from([GS, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x51, 0x30])); // print
    }
    p.newLine();
    // A QR code has no human-readable line of its own.
    p.add(gb18030(data));
    p.newLine();
  }
  p.alignLeft();
}

export interface EncodeOptions {
  /** Kick the cash drawer at the start, so it opens while the receipt prints. */
  openDrawer?: boolean;
}

/** The printer bytes of a receipt: Chinese mode on, GB18030 text, a cut, Chinese mode on again. */
export function encodeReceipt(doc: ReceiptDoc, opts: EncodeOptions = {}): Buffer {
  const p = newPrinter(doc.columns);
  const dots = PAPER[doc.paper].dots;
  p.add(INIT);
  p.add(CHINESE_ON);
  if (opts.openDrawer) p.add(DRAWER_KICK);
  for (const b of doc.blocks) {
    switch (b.kind) {
      case 'text': {
        if (b.align === 'center') p.alignCenter();
        else if (b.align === 'right') p.alignRight();
        const size = SIZE[b.size ?? 'normal'];
        if (size) p.add(Buffer.from([GS, 0x21, size]));
        if (b.bold) p.bold(true);
        p.add(gb18030(b.text));
        p.newLine();
        if (b.bold) p.bold(false);
        if (size) p.add(Buffer.from([GS, 0x21, 0x00]));
        if (b.align !== 'left') p.alignLeft();
        break;
      }
      case 'rule':
        p.drawLine(b.char);
        break;
      case 'code':
        printCode(p, b.data, dots);
        break;
      case 'feed':
        for (let i = 0; i < b.lines; i++) p.newLine();
        break;
      case 'cut':
        // cut() feeds 4 lines, cuts and sends ESC @, which leaves Chinese mode: turn it back on.
        p.cut({ verticalTabAmount: 1 });
        p.add(CHINESE_ON);
        break;
    }
  }
  return Buffer.from(p.getBuffer());
}

/** Only the drawer kick (`till print drawer`). */
export function encodeDrawerKick(): Buffer {
  return Buffer.concat([INIT, DRAWER_KICK]);
}
