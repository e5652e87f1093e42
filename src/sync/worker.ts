// The checkout's background sync, in its worker thread (started by background.ts; bundled as
// dist/sync-worker.js). Own database connection, own event loop: the engine's work never
// touches the thread that reads the scanner.
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../db/open.js';
import { dbPath } from '../home.js';
import { plainEvent, runBackground, type FromWorker, type ToWorker, type WorkerData } from './background.js';
import { TargetSource } from './credentials.js';
import { engineFor } from './service.js';

const data = workerData as WorkerData;
const port = parentPort!;
const post = (m: FromWorker) => port.postMessage(m);

const db = openDatabase(dbPath(data.home));
const engine = engineFor(data.home, db, data.options);
const source = new TargetSource(data.home);
const ac = new AbortController();
let online: boolean | null = null;

engine.on((e) => {
  if (engine.isOnline !== online) {
    online = engine.isOnline;
    post({ type: 'online', online });
  }
  post({ type: 'event', event: plainEvent(e) });
});

port.on('message', (m: ToWorker) => {
  if (m.type === 'stop') ac.abort();
  else if (m.type === 'notify') engine.notify();
});

// Load the catalog writer (pinyin dictionary) before the first price change arrives.
void import('../db/hq-catalog.js').catch(() => undefined);

try {
  await runBackground(engine, () => source.load(), ac.signal, data);
} catch (e) {
  post({ type: 'failed', message: (e as Error)?.message ?? String(e) });
} finally {
  try {
    engine.releaseLease();
    db.close();
  } catch {
    // already closed
  }
  port.close();
}
