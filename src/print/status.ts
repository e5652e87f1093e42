// How the printer is, asked within a deadline: the state the checkout's status bar shows and
// `till printer status` prints. "ready" only after a real status answer (DLE EOT 1, 2 and 4,
// decoded in transport.ts); a port where nothing listens is unreachable, one that answers with
// anything but status bytes is not a printer, and one that says nothing is unknown.
import { constants, promises as fsp } from 'node:fs';
import net from 'node:net';
import { dirname } from 'node:path';
import { conditionProblem, decodeCondition, deviceFailure, DLE_EOT, errText, isStatusByte, type PrinterTarget } from './transport.js';

export type PrinterState = 'ready' | 'paper-low' | 'paper-out' | 'cover-open' | 'offline' | 'unreachable' | 'not-a-printer' | 'unknown';

export interface PrinterStatusReport {
  uri: string;
  kind: PrinterTarget['kind'];
  /** What the checkout shows; `ready` and `paper-low` can print. */
  state: PrinterState;
  /** Can a receipt be sent now (connection made, device present and writable)? */
  reachable: boolean;
  /** Did the printer answer status requests? */
  reportsStatus: boolean;
  online?: boolean;
  coverOpen?: boolean;
  paper?: 'ok' | 'near-end' | 'out';
  error?: boolean;
  detail: string;
}

/** Asks the printer how it is (paper, cover, online), within the deadline. Never throws. */
export async function queryStatus(target: PrinterTarget, deadline: number): Promise<PrinterStatusReport> {
  const base = { uri: target.uri, kind: target.kind };
  switch (target.kind) {
    case 'preview':
      return { ...base, state: 'ready', reachable: true, reportsStatus: false, detail: 'receipts are shown on screen (no printer)' };
    case 'none':
      return { ...base, state: 'ready', reachable: true, reportsStatus: false, detail: 'receipts are not printed' };
    case 'device':
    case 'file': {
      const path = target.path;
      const checked = target.kind === 'file' ? await writableFile(path) : await fsp.access(path, constants.W_OK).then(() => null, (e: unknown) => e);
      if (checked) {
        const f = deviceFailure(checked, path, false);
        const state: PrinterState = f.ok ? 'unknown' : f.reason === 'paper-out' ? 'paper-out' : f.reason === 'offline' ? 'offline' : 'unreachable';
        return { ...base, state, reachable: false, reportsStatus: false, detail: f.ok ? '' : f.detail };
      }
      // A file takes whatever is written; a device that is present cannot tell paper or cover.
      if (target.kind === 'file') return { ...base, state: 'ready', reachable: true, reportsStatus: false, detail: `receipts are appended to ${path}` };
      return { ...base, state: 'unknown', reachable: true, reportsStatus: false, detail: `${path} is present and writable (this connection cannot report paper or cover)` };
    }
    case 'tcp':
      return tcpStatus(target, deadline);
  }
}

async function writableFile(path: string): Promise<unknown> {
  const exists = await fsp.access(path).then(() => true, () => false);
  return fsp.access(exists ? path : dirname(path), constants.W_OK).then(() => null, (e: unknown) => e);
}

/** The state three status answers (DLE EOT 1, 2, 4) describe. */
export function stateOf(printerStatus: number, offlineCause: number, paperSensor: number): Pick<PrinterStatusReport, 'state' | 'online' | 'coverOpen' | 'paper' | 'error' | 'detail'> {
  const c = decodeCondition(offlineCause, paperSensor);
  const online = (printerStatus & 0x08) === 0;
  const problem = conditionProblem(c);
  // The specific cause first: a printer with its cover open is offline too.
  const state: PrinterState = c.paper === 'out' ? 'paper-out' : c.coverOpen ? 'cover-open' : !online || c.error ? 'offline' : c.paper === 'near-end' ? 'paper-low' : 'ready';
  const detail = problem?.detail ?? (online ? (c.paper === 'near-end' ? 'ready; paper is running low' : 'ready') : 'offline');
  return { state, online, ...c, detail };
}

function tcpStatus(t: { uri: string; host: string; port: number }, deadline: number): Promise<PrinterStatusReport> {
  return new Promise((done) => {
    const base = { uri: t.uri, kind: 'tcp' as const };
    const replies: number[] = [];
    let connected = false;
    let settled = false;
    const socket = net.connect({ host: t.host, port: t.port });
    const finish = (r: PrinterStatusReport) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      done(r);
    };
    const unknown = (detail: string) => finish({ ...base, state: 'unknown', reachable: true, reportsStatus: false, detail });
    const timer = setTimeout(() => {
      if (!connected) finish({ ...base, state: 'unreachable', reachable: false, reportsStatus: false, detail: `no answer from ${t.host}:${t.port}` });
      else unknown(replies.length ? 'the printer answered only part of the status requests' : 'connected, but the printer does not report its status');
    }, Math.max(0, deadline - Date.now()));
    socket.on('connect', () => {
      connected = true;
      socket.write(Buffer.from([...DLE_EOT(1), ...DLE_EOT(2), ...DLE_EOT(4)]));
    });
    socket.on('data', (chunk: Buffer) => {
      for (const b of chunk) {
        if (isStatusByte(b)) replies.push(b);
        else return finish({ ...base, state: 'not-a-printer', reachable: true, reportsStatus: false, detail: `what answers on ${t.host}:${t.port} is not an ESC/POS printer (a web server?)` });
      }
      if (replies.length >= 3) finish({ ...base, reachable: true, reportsStatus: true, ...stateOf(replies[0], replies[1], replies[2]) });
    });
    socket.on('error', (err) => {
      if (connected) unknown(`${t.host}:${t.port}: ${errText(err)}`);
      else finish({ ...base, state: 'unreachable', reachable: false, reportsStatus: false, detail: `${t.host}:${t.port}: ${errText(err)}` });
    });
    socket.on('close', () => {
      if (connected) unknown('the other side closed the connection without answering');
      else finish({ ...base, state: 'unreachable', reachable: false, reportsStatus: false, detail: 'connection closed' });
    });
  });
}
