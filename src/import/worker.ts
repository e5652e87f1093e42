// Worker thread of `till products import` (see service.ts): reads, validates and spells the
// pinyin of the file's rows and hands them over a batch at a time, at most WORKER_AHEAD
// batches ahead of the thread writing them to the database.
import { parentPort, workerData } from 'node:worker_threads';
import { TillError } from '../errors.js';
import { type CsvInfo, type ParseOptions, type ParsedRow, openProductCsv } from './csv.js';

export type WorkerMessage =
  | { type: 'info'; info: CsvInfo }
  | { type: 'batch'; rows: ParsedRow[]; bytes: number }
  | { type: 'done' }
  | { type: 'error'; message: string; user: boolean };

/** Batches read ahead of the writer: enough to keep both threads busy, bounded memory. */
const WORKER_AHEAD = 2;

const port = parentPort!;
const { path, opts } = workerData as { path: string; opts: ParseOptions };
let credits = WORKER_AHEAD;
let wake: (() => void) | undefined;
port.on('message', (m) => {
  if (m === 'ack') {
    credits++;
    wake?.();
  }
});
const send = (m: WorkerMessage) => port.postMessage(m);

try {
  const csv = await openProductCsv(path, opts);
  send({ type: 'info', info: csv.info });
  for await (const rows of csv.batches()) {
    while (credits === 0) await new Promise<void>((r) => (wake = r));
    credits--;
    send({ type: 'batch', rows, bytes: csv.bytesRead() });
  }
  send({ type: 'done' });
} catch (e) {
  send({ type: 'error', message: (e as Error).message, user: e instanceof TillError });
}
// The importing thread terminates this worker once it has read 'done' or 'error'.
