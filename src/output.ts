// Output of the admin commands.
import { writeSync } from 'node:fs';

/**
 * Writes a command's output straight to stdout (1) or stderr (2). The first use of
 * process.stdout builds a stream and loads Node's stream modules, ~5 ms of a command that
 * prints one object. On Linux the streams write synchronously too, so mixing both keeps the
 * order; a non-blocking pipe that is full (EAGAIN) hands the rest to the stream. When the
 * reader has gone (`till products list --json | head`), the rest of the output is dropped
 * quietly, as `cat` would.
 */
export function writeOut(fd: 1 | 2, text: string): void {
  if (readerGone[fd]) return;
  const bytes = Buffer.from(text);
  let off = 0;
  try {
    while (off < bytes.length) off += writeSync(fd, bytes, off);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EPIPE') readerGone[fd] = true;
    else if (code === 'EAGAIN') (fd === 1 ? process.stdout : process.stderr).write(bytes.subarray(off));
    else throw err;
  }
}

const readerGone = { 1: false, 2: false };
