// An in-process terminal for Ink (no TTY needed): a screen that keeps what is written to it and
// a keyboard that hands Ink one written chunk per read, as a real TTY in raw mode does.
import { EventEmitter } from 'node:events';

export class FakeScreen extends EventEmitter {
  readonly isTTY = true;
  /** Every write, in order (frames). */
  frames: string[] = [];
  /** Characters written in all. */
  written = 0;
  constructor(
    public columns = 80,
    public rows = 24,
    /** Keep the frames (tests); a benchmark only counts. */
    private readonly keep = true,
  ) {
    super();
  }
  write = (s: string, cb?: () => void) => {
    if (this.keep) this.frames.push(s);
    this.written += s.length;
    cb?.();
    return true;
  };
}

export class FakeKeyboard extends EventEmitter {
  readonly isTTY = true;
  private data: string | null = null;
  /** Types `s` as one input chunk. */
  write(s: string) {
    this.data = s;
    this.emit('readable');
  }
  read = () => {
    const d = this.data;
    this.data = null;
    return d;
  };
  setEncoding() {}
  setRawMode() {}
  ref() {}
  unref() {}
  resume() {}
  pause() {}
}
