// The rejects file: every refused row with its line number and reason, then the row's own
// cells under the file's own header — fix the cells and import the rejects file itself (the
// line/reason columns are ignored on import). Written in the input's encoding so Excel opens
// it the way it opened the original; built under a temporary name and renamed when complete.
import { closeSync, existsSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import iconv from 'iconv-lite';
import { formatFen } from '../core/money.js';
import type { ProductInput } from '../db/products-write.js';
import { UserError } from '../errors.js';
import type { Layout } from './columns.js';
import type { TextEncoding } from './encoding.js';

const HEADER_START = 'line,reason';

export class RejectsFile {
  private fd: number | undefined;
  private tmp: string;
  count = 0;

  constructor(
    readonly path: string,
    private header: string[],
    private encoding: TextEncoding,
    private bom: boolean,
  ) {
    this.tmp = `${path}.${process.pid}.tmp`;
  }

  add(rows: Array<{ line: number; reason: string; cells?: string[] }>): void {
    if (rows.length === 0) return;
    let text = '';
    if (this.fd === undefined) {
      try {
        this.fd = openSync(this.tmp, 'w');
      } catch (e) {
        throw new UserError(`Cannot write the rejects file ${this.path} (${(e as NodeJS.ErrnoException).code}); pass --rejects <path> to put it elsewhere.`);
      }
      text += stringify([['line', 'reason', ...this.header]]);
    }
    text += stringify(rows.map((r) => [String(r.line), r.reason, ...(r.cells ?? [])]));
    this.write(text);
    this.count += rows.length;
  }

  private first = true;
  private write(text: string): void {
    let buf: Buffer;
    if (this.encoding === 'utf-8') buf = Buffer.from((this.first && this.bom ? '\uFEFF' : '') + text, 'utf8');
    else buf = iconv.encode(text, this.encoding, { addBOM: this.first && this.bom });
    this.first = false;
    writeSync(this.fd!, buf);
  }

  /** Completes the file; with no rejects, removes a rejects file an earlier run left there. */
  close(): string | undefined {
    if (this.fd === undefined) {
      if (existsSync(this.path) && isRejectsFile(this.path)) rmSync(this.path);
      return undefined;
    }
    closeSync(this.fd);
    this.fd = undefined;
    renameSync(this.tmp, this.path);
    return this.path;
  }

  /** Drops the partial file (the import failed). */
  discard(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
    rmSync(this.tmp, { force: true });
  }
}

/** Only a file this import wrote (it starts with our header) is ever removed. */
function isRejectsFile(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(64);
    const n = readSync(fd, buf, 0, 64, 0);
    const head = buf.subarray(0, n);
    // UTF-8 (with or without BOM) and GB18030 spell this ASCII header alike; UTF-16 does not.
    const text = head.toString('utf8').replace(/^\uFEFF/, '');
    const wide = head.toString('utf16le').replace(/^\uFEFF/, '');
    return text.startsWith(HEADER_START) || wide.startsWith(HEADER_START);
  } finally {
    closeSync(fd);
  }
}

/**
 * A valid row that the catalog then refused (its barcode belongs to another product, …): its
 * cells rebuilt from the product, under the file's header, so the rejects file can be fixed.
 */
export function cellsOf(p: Omit<ProductInput, 'barcodes'> & { barcodes?: string[] }, header: string[], layout: Layout): string[] {
  const cells = header.map(() => '');
  const { index } = layout;
  const put = (i: number | undefined, v: string | undefined) => {
    if (i !== undefined && v !== undefined) cells[i] = v;
  };
  put(index.barcode, p.barcodes?.join('|'));
  put(index.name, p.name);
  put(index.price, formatFen(p.priceFen));
  put(index.unit, p.unit);
  put(index.category, p.category);
  put(index.weighed, p.weighed === undefined ? undefined : p.weighed ? 'yes' : 'no');
  put(index.plu, p.plu ?? undefined);
  return cells;
}
