// Where an export goes and how its bytes look: stdout or a file (written under a temporary
// name and renamed when complete, so a failed export never leaves a file that looks whole),
// UTF-8 or GB18030 (Excel on Chinese Windows), an optional BOM (Excel reads UTF-8 CSV as
// ANSI without one). Writes wait for the stream to drain, so exports of any size stream.
import { createWriteStream, renameSync, rmSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import iconv from 'iconv-lite';

export type OutputEncoding = 'utf-8' | 'gb18030';
export type Format = 'csv' | 'json' | 'ndjson';

export interface OutputOptions {
  /** A file path; undefined or "-" for stdout. */
  file?: string;
  encoding?: OutputEncoding;
  bom?: boolean;
}

/** The reader of stdout went away (EPIPE). */
export class OutputClosed extends Error {
  constructor() {
    super('the output was closed by its reader');
  }
}

export class Output {
  private stream: NodeJS.WritableStream;
  private tmp: string | undefined;
  private first = true;

  constructor(private opts: OutputOptions) {
    if (opts.file && opts.file !== '-') {
      this.tmp = `${opts.file}.${process.pid}.part`;
      this.stream = createWriteStream(this.tmp);
    } else this.stream = process.stdout;
    // A reader that stops early (`| head`) closes the pipe: end the export quietly.
    this.stream.on('error', (e: NodeJS.ErrnoException) => {
      this.broken = e.code === 'EPIPE' ? new OutputClosed() : e;
    });
  }

  private broken: Error | undefined;

  async write(text: string): Promise<void> {
    if (text === '') return;
    if (this.broken) throw this.broken;
    let buf: Buffer;
    if (this.opts.encoding === 'gb18030') buf = iconv.encode(text, 'gb18030');
    else buf = Buffer.from(this.first && this.opts.bom ? '\uFEFF' + text : text, 'utf8');
    this.first = false;
    if (!this.stream.write(buf)) {
      try {
        await once(this.stream as NodeJS.EventEmitter, 'drain');
      } catch (e) {
        throw this.broken ?? e;
      }
    }
  }

  /** Finishes the output: the file appears under its name only now. */
  async close(): Promise<void> {
    if (!this.tmp) return;
    const s = this.stream as WriteStream;
    s.end();
    await once(s, 'close');
    renameSync(this.tmp, this.opts.file!);
  }

  /** Drops a partial file. */
  async discard(): Promise<void> {
    if (!this.tmp) return;
    const s = this.stream as WriteStream;
    s.destroy();
    rmSync(this.tmp, { force: true });
  }
}
