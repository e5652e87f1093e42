// Test helper: reads ESC/POS bytes back into commands and GB18030 text lines, the way a printer
// would. Any command it does not know (for instance a code-page switch, ESC t / ESC R) is an
// error, so a test notices bytes the receipt should not contain.
import iconv from 'iconv-lite';

export type Op =
  | { op: 'init' }
  | { op: 'chinese-on' }
  | { op: 'align'; value: 'left' | 'center' | 'right' }
  | { op: 'bold'; on: boolean }
  | { op: 'size'; width: number; height: number }
  | { op: 'feed'; lines: number }
  | { op: 'cut'; mode: number }
  | { op: 'drawer'; pin: number; onMs: number; offMs: number }
  | { op: 'barcode-setting'; what: 'hri' | 'font' | 'width' | 'height'; value: number }
  | { op: 'barcode'; type: number; data: string }
  | { op: 'qr'; fn: number; data: Buffer }
  | { op: 'status-request'; n: number }
  | { op: 'line'; text: string; align: 'left' | 'center' | 'right'; bold: boolean; size: { width: number; height: number } };

export function decodeEscPos(buf: Buffer): Op[] {
  const ops: Op[] = [];
  let i = 0;
  let text: number[] = [];
  let align: 'left' | 'center' | 'right' = 'left';
  let bold = false;
  let size = { width: 1, height: 1 };
  const need = (n: number) => {
    if (i + n > buf.length) throw new Error(`truncated command at byte ${i}`);
  };
  const flushText = (force: boolean) => {
    if (text.length || force) {
      ops.push({ op: 'line', text: iconv.decode(Buffer.from(text), 'gb18030'), align, bold, size: { ...size } });
      text = [];
    }
  };
  while (i < buf.length) {
    const b = buf[i];
    if (b === 0x0a) {
      flushText(true);
      i += 1;
    } else if (b === 0x1b) {
      need(2);
      const c = buf[i + 1];
      if (text.length) throw new Error(`command ESC ${c.toString(16)} in the middle of a line at byte ${i}`);
      if (c === 0x40) (ops.push({ op: 'init' }), (align = 'left'), (bold = false), (size = { width: 1, height: 1 }), (i += 2));
      else if (c === 0x61) (need(3), (align = (['left', 'center', 'right'] as const)[buf[i + 2]]), ops.push({ op: 'align', value: align }), (i += 3));
      else if (c === 0x45) (need(3), (bold = buf[i + 2] === 1), ops.push({ op: 'bold', on: bold }), (i += 3));
      else if (c === 0x64) (need(3), ops.push({ op: 'feed', lines: buf[i + 2] }), (i += 3));
      else if (c === 0x70) (need(5), ops.push({ op: 'drawer', pin: buf[i + 2] === 0 ? 2 : 5, onMs: buf[i + 3] * 2, offMs: buf[i + 4] * 2 }), (i += 5));
      else throw new Error(`unknown command ESC 0x${c.toString(16)} at byte ${i}`);
    } else if (b === 0x1c) {
      need(2);
      if (buf[i + 1] !== 0x26) throw new Error(`unknown command FS 0x${buf[i + 1].toString(16)} at byte ${i}`);
      ops.push({ op: 'chinese-on' });
      i += 2;
    } else if (b === 0x1d) {
      need(2);
      const c = buf[i + 1];
      if (text.length) throw new Error(`command GS ${c.toString(16)} in the middle of a line at byte ${i}`);
      if (c === 0x21) {
        need(3);
        size = { width: (buf[i + 2] >> 4) + 1, height: (buf[i + 2] & 0x0f) + 1 };
        ops.push({ op: 'size', ...size });
        i += 3;
      } else if (c === 0x56) (need(3), ops.push({ op: 'cut', mode: buf[i + 2] }), (i += 3));
      else if (c === 0x48 || c === 0x66 || c === 0x77 || c === 0x68) {
        need(3);
        const what = ({ 0x48: 'hri', 0x66: 'font', 0x77: 'width', 0x68: 'height' } as const)[c];
        ops.push({ op: 'barcode-setting', what, value: buf[i + 2] });
        i += 3;
      } else if (c === 0x6b) {
        need(4);
        const type = buf[i + 2];
        if (type < 65) throw new Error(`barcode type ${type} (NUL-terminated form) not expected`);
        const n = buf[i + 3];
        need(4 + n);
        ops.push({ op: 'barcode', type, data: buf.subarray(i + 4, i + 4 + n).toString('latin1') });
        i += 4 + n;
      } else if (c === 0x28 && buf[i + 2] === 0x6b) {
        need(5);
        const len = buf[i + 3] + buf[i + 4] * 256;
        need(5 + len);
        const body = buf.subarray(i + 5, i + 5 + len);
        if (body[0] !== 0x31) throw new Error(`2D code other than QR at byte ${i}`);
        ops.push({ op: 'qr', fn: body[1], data: Buffer.from(body.subarray(2)) });
        i += 5 + len;
      } else throw new Error(`unknown command GS 0x${c.toString(16)} at byte ${i}`);
    } else if (b === 0x10) {
      need(3);
      if (buf[i + 1] !== 0x04) throw new Error(`unknown command DLE 0x${buf[i + 1].toString(16)} at byte ${i}`);
      ops.push({ op: 'status-request', n: buf[i + 2] });
      i += 3;
    } else if (b < 0x20) {
      throw new Error(`unexpected control byte 0x${b.toString(16)} at byte ${i}`);
    } else {
      text.push(b);
      i += 1;
    }
  }
  if (text.length) flushText(false);
  return ops;
}

export function lines(ops: Op[]): Extract<Op, { op: 'line' }>[] {
  return ops.filter((o): o is Extract<Op, { op: 'line' }> => o.op === 'line');
}

export function texts(ops: Op[]): string[] {
  return lines(ops).map((l) => l.text);
}
