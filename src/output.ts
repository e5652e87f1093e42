// Output of the admin commands.
import { writeSync } from 'node:fs';

/**
 * Writes a command's output straight to stdout (1) or stderr (2). The first use of
 * process.stdout builds a stream and loads Node's stream modules, ~5 ms of a command that
 * prints one object. On Linux the streams write synchronously too, so mixing both keeps the
 * order; a non-blocking pipe that is full (EAGAIN) hands the rest to the stream.
 */
export function writeOut(fd: 1 | 2, text: string): void {
  const bytes = Buffer.from(text);
  let off = 0;
  try {
    while (off < bytes.length) off += writeSync(fd, bytes, off);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
    (fd === 1 ? process.stdout : process.stderr).write(bytes.subarray(off));
  }
}
