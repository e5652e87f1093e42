// Getting bytes to a printer within a hard deadline, and never again after it.
//
// node-thermal-printer's interfaces are not used for sending: its file interface rejects after
// 5 s but its write queue keeps retrying for minutes and can print the receipt late (a duplicate
// once the cashier has reprinted), and its network interface has no deadline for the whole job.
// Here every job has one deadline; when it passes, the socket or file is closed and nothing more
// is written. Nothing is retried automatically: a reprint is the cashier's decision.
import { constants, promises as fsp } from 'node:fs';
import net from 'node:net';
import { dirname, isAbsolute, resolve } from 'node:path';
import { UserError } from '../errors.js';

export type PrinterTarget =
  | { kind: 'tcp'; uri: string; host: string; port: number }
  | { kind: 'device'; uri: string; path: string }
  | { kind: 'file'; uri: string; path: string }
  | { kind: 'preview'; uri: 'preview' }
  | { kind: 'none'; uri: 'none' };

export const PRINTER_URI_HELP = 'use tcp://host:9100, a device such as /dev/usb/lp0, file:<path>, preview or none';

/** Reads a printer URI; a relative file: path is taken inside the till's home. */
export function parsePrinterUri(uri: string, home?: string): PrinterTarget {
  const u = uri.trim();
  if (u === 'preview') return { kind: 'preview', uri: 'preview' };
  if (u === 'none') return { kind: 'none', uri: 'none' };
  const tcp = /^tcp:\/\/([^:/\s]+)(?::(\d+))?\/?$/i.exec(u);
  if (tcp) {
    const port = tcp[2] === undefined ? 9100 : Number(tcp[2]);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UserError(`Printer "${uri}": the port must be 1 to 65535 (usually 9100).`, 'E_PRINTER_URI');
    return { kind: 'tcp', uri: u, host: tcp[1], port };
  }
  if (/^\/dev\/\S+$/.test(u)) return { kind: 'device', uri: u, path: u };
  const file = /^file:(\S+)$/.exec(u);
  if (file) {
    const path = file[1].replace(/^\/\/(?=\/)/, ''); // file:///x and file:/x both mean /x
    return { kind: 'file', uri: u, path: isAbsolute(path) || !home ? resolve(path) : resolve(home, path) };
  }
  throw new UserError(`Printer "${uri}" is not a printer address: ${PRINTER_URI_HELP}.`, 'E_PRINTER_URI');
}

export type FailureReason = 'unreachable' | 'timeout' | 'dropped' | 'paper-out' | 'cover-open' | 'offline' | 'not-a-printer' | 'io';

export type SendResult =
  | {
      ok: true;
      bytes: number;
      /** the printer acknowledged every byte (it reports status) */
      confirmed: boolean;
      /** the paper sensor says the roll is nearly used up */
      paperLow?: boolean;
    }
  | { ok: false; reason: FailureReason; detail: string; /** some of the receipt may have reached the printer */ partial: boolean };

// Real-time status requests (ESC/POS DLE EOT n, Epson's ESC/POS command reference). Each answer
// is one byte of the form 0xx1xx10 (bits 0 and 7 clear, bits 1 and 4 set); the x bits are:
//   n=1 printer status  bit 2 drawer pin 3 high · bit 3 offline · bit 5 waiting for recovery ·
//                       bit 6 feed button pressed
//   n=2 offline cause   bit 2 cover open · bit 3 feeding by button · bit 5 stopped at paper end ·
//                       bit 6 error
//   n=4 paper sensor    bits 2-3 roll near its end · bits 5-6 roll out
// Anything else on the line (an HTTP server's "HTTP/1.1 400 …") means it is not an ESC/POS
// printer: some of its bytes happen to fit the pattern ('R' is 0x52), so one misfit is enough.
export const DLE_EOT = (n: number) => [0x10, 0x04, n];
/** Offline cause (2) and roll paper sensor (4): asked before the receipt is sent. */
export const STATUS_QUERY = Buffer.from([...DLE_EOT(2), ...DLE_EOT(4)]);
/** Printer status (1): sent after the receipt; its answer proves every byte before it arrived. */
export const ACK_QUERY = Buffer.from(DLE_EOT(1));

export const isStatusByte = (b: number) => (b & 0x93) === 0x12;

export interface PrinterCondition {
  coverOpen: boolean;
  paper: 'ok' | 'near-end' | 'out';
  error: boolean;
}

/** Decodes the answers to DLE EOT 2 (offline cause) and DLE EOT 4 (paper sensor). */
export function decodeCondition(offlineCause: number, paperSensor: number): PrinterCondition {
  return {
    coverOpen: (offlineCause & 0x04) !== 0,
    paper: (paperSensor & 0x60) !== 0 || (offlineCause & 0x20) !== 0 ? 'out' : (paperSensor & 0x0c) !== 0 ? 'near-end' : 'ok',
    error: (offlineCause & 0x40) !== 0,
  };
}

export function conditionProblem(c: PrinterCondition): { reason: FailureReason; detail: string } | null {
  if (c.paper === 'out') return { reason: 'paper-out', detail: 'out of paper' };
  if (c.coverOpen) return { reason: 'cover-open', detail: 'cover open' };
  if (c.error) return { reason: 'offline', detail: 'the printer reports an error' };
  return null;
}

/** How long to wait for a printer to answer a status request before printing without it. */
export function statusWaitMs(timeoutMs: number): number {
  return Math.min(1000, Math.floor(timeoutMs / 3));
}

const NET_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused: is the printer switched on?',
  EHOSTUNREACH: 'no route to the printer: check its cable and IP address',
  ENETUNREACH: 'no network: check the cable',
  ENOTFOUND: 'unknown host name',
  EAI_AGAIN: 'the host name could not be looked up',
  ETIMEDOUT: 'no answer',
  ECONNRESET: 'the printer reset the connection',
  EPIPE: 'the printer closed the connection',
};

export function errText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return (e?.code && NET_ERRORS[e.code]) ?? e?.code ?? e?.message ?? String(err);
}

/**
 * Sends `data` to the printer, finishing (or giving up) by `deadline` (epoch ms). Never throws.
 * A printer that answers status requests is asked about paper and cover first, and the job
 * counts as delivered only when it acknowledges the last byte.
 */
export async function sendToPrinter(target: PrinterTarget, data: Buffer, deadline: number): Promise<SendResult> {
  try {
    switch (target.kind) {
      case 'tcp':
        return await sendTcp(target, data, deadline);
      case 'device':
        return await sendFile(target.path, data, deadline, false);
      case 'file':
        return await sendFile(target.path, data, deadline, true);
      case 'preview':
      case 'none':
        return { ok: true, bytes: 0, confirmed: false };
    }
  } catch (err) {
    return { ok: false, reason: 'io', detail: errText(err), partial: false };
  }
}

// Printers that did not answer a status request in this process: later jobs do not wait for an
// answer again (until one arrives), so a printer that cannot tell costs the wait only once.
const silent = new Set<string>();

function sendTcp(t: { host: string; port: number }, data: Buffer, deadline: number): Promise<SendResult> {
  const key = `${t.host}:${t.port}`;
  return new Promise<SendResult>((done) => {
    type Stage = 'connect' | 'status' | 'send' | 'ack';
    let stage: Stage = 'connect';
    let settled = false;
    let statusKnown = false;
    let paperLow = false;
    let sent = false;
    const replies: number[] = [];
    let statusTimer: NodeJS.Timeout | undefined;

    const socket = net.connect({ host: t.host, port: t.port });
    socket.setNoDelay(true);

    const finish = (r: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(statusTimer);
      // On failure, reset: the kernel drops whatever it still holds for the printer, so after
      // the deadline not one more byte leaves this till.
      // (A socket still connecting is destroyed plainly: resetAndDestroy would wait for it.)
      if (r.ok || socket.connecting) socket.destroy();
      else socket.resetAndDestroy();
      done(r);
    };
    const timer = setTimeout(
      () => {
        if (stage === 'connect') finish({ ok: false, reason: 'unreachable', detail: 'no answer to the connection', partial: false });
        else finish({ ok: false, reason: 'timeout', detail: sent ? 'the printer did not confirm the receipt' : 'the printer did not take the receipt', partial: sent });
      },
      Math.max(0, deadline - Date.now()),
    );

    const sendReceipt = () => {
      if (settled || stage !== 'status') return;
      clearTimeout(statusTimer);
      stage = 'send';
      sent = true;
      socket.write(statusKnown ? Buffer.concat([data, ACK_QUERY]) : data, (err) => {
        if (err || settled) return;
        if (statusKnown) {
          stage = 'ack';
          checkAck();
        } else {
          // A printer that does not report status: delivered once the kernel has it all.
          socket.end(() => finish({ ok: true, bytes: data.length, confirmed: false }));
        }
      });
    };
    const checkAck = () => {
      if (stage === 'ack' && replies.length >= 3) finish({ ok: true, bytes: data.length, confirmed: true, ...(paperLow ? { paperLow } : {}) });
    };

    socket.on('connect', () => {
      stage = 'status';
      socket.write(STATUS_QUERY);
      const wait = silent.has(key) ? 0 : statusWaitMs(deadline - Date.now());
      statusTimer = setTimeout(() => {
        if (stage === 'status') silent.add(key);
        sendReceipt();
      }, Math.max(0, Math.min(wait, deadline - Date.now())));
    });
    socket.on('data', (chunk: Buffer) => {
      let misfit = false;
      for (const b of chunk) {
        if (isStatusByte(b)) replies.push(b);
        else misfit = true;
      }
      if (misfit && stage === 'status') {
        return finish({ ok: false, reason: 'not-a-printer', detail: 'what answers on that port is not an ESC/POS printer', partial: false });
      }
      if (replies.length > 0) silent.delete(key);
      if (stage === 'status' && replies.length >= 2) {
        statusKnown = true;
        const condition = decodeCondition(replies[0], replies[1]);
        paperLow = condition.paper === 'near-end';
        const problem = conditionProblem(condition);
        if (problem) finish({ ok: false, ...problem, partial: false });
        else sendReceipt();
      } else checkAck();
    });
    socket.on('error', (err) => {
      if (stage === 'connect') finish({ ok: false, reason: 'unreachable', detail: errText(err), partial: false });
      else finish({ ok: false, reason: 'dropped', detail: errText(err), partial: sent });
    });
    socket.on('close', () => {
      if (stage === 'connect') finish({ ok: false, reason: 'unreachable', detail: 'connection closed', partial: false });
      else finish({ ok: false, reason: 'dropped', detail: 'the printer closed the connection', partial: sent });
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `promise`, or `undefined` once the deadline passes (the promise may still settle later). */
async function beforeDeadline<T>(promise: Promise<T>, deadline: number): Promise<{ value: T } | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), Math.max(0, deadline - Date.now()))));
  try {
    return await Promise.race([promise.then((value) => ({ value })), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** What open/write errors on a printer device mean to a person. */
export function deviceFailure(err: unknown, path: string, partial: boolean): SendResult {
  const code = (err as NodeJS.ErrnoException)?.code;
  const detail = errText(err);
  switch (code) {
    case 'ENOENT':
      return { ok: false, reason: 'unreachable', detail: `${path} does not exist (is the printer plugged in and switched on?)`, partial };
    case 'ENXIO':
    case 'ENODEV':
      return { ok: false, reason: 'unreachable', detail: `${path} is not ready (printer off or disconnected)`, partial };
    case 'EACCES':
    case 'EPERM':
      return { ok: false, reason: 'io', detail: `no permission to write ${path} (add this user to the lp or dialout group)`, partial };
    case 'ENOSPC':
      // The Linux USB printer driver answers writes with ENOSPC when the printer is out of paper.
      return { ok: false, reason: 'paper-out', detail: 'out of paper', partial };
    case 'EIO':
      return { ok: false, reason: 'offline', detail: 'the printer reports an error or is offline', partial };
    default:
      return { ok: false, reason: 'io', detail, partial };
  }
}

/**
 * Writes to a device (/dev/usb/lp0, a serial port) or a file without ever blocking: the file is
 * opened non-blocking, a full device answers EAGAIN and is polled until the deadline, and the
 * file is closed at the deadline — the Linux printer driver then drops what it has not sent, so
 * nothing comes out late.
 */
async function sendFile(path: string, data: Buffer, deadline: number, isFile: boolean): Promise<SendResult> {
  const flags = constants.O_WRONLY | constants.O_NONBLOCK | constants.O_NOCTTY | (isFile ? constants.O_CREAT | constants.O_APPEND : 0);
  if (isFile) await fsp.mkdir(dirname(path), { recursive: true }).catch(() => undefined);
  let handle: fsp.FileHandle;
  try {
    const opened = await beforeDeadline(fsp.open(path, flags, 0o644), deadline);
    if (!opened) return { ok: false, reason: 'timeout', detail: `${path} did not open in time`, partial: false };
    handle = opened.value;
  } catch (err) {
    return deviceFailure(err, path, false);
  }
  let written = 0;
  let pending: Promise<unknown> | undefined;
  try {
    while (written < data.length) {
      if (Date.now() >= deadline) return { ok: false, reason: 'timeout', detail: `the printer took ${written} of ${data.length} bytes`, partial: written > 0 };
      try {
        pending = handle.write(data, written, Math.min(4096, data.length - written));
        const r = await beforeDeadline(pending as Promise<{ bytesWritten: number }>, deadline);
        if (!r) return { ok: false, reason: 'timeout', detail: `the printer took ${written} of ${data.length} bytes`, partial: true };
        pending = undefined;
        written += r.value.bytesWritten;
      } catch (err) {
        pending = undefined;
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') {
          await sleep(Math.min(20, Math.max(0, deadline - Date.now())));
          continue;
        }
        return deviceFailure(err, path, written > 0);
      }
    }
    if (!isFile) {
      // The USB printer driver answers a write while the previous one is still on the wire with
      // EAGAIN, and close() cancels what is in flight: wait until an empty write is accepted.
      for (;;) {
        try {
          await handle.write(Buffer.alloc(0));
          break;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') return deviceFailure(err, path, true);
          if (Date.now() >= deadline) return { ok: false, reason: 'timeout', detail: 'the printer did not finish taking the receipt', partial: true };
          await sleep(Math.min(20, Math.max(0, deadline - Date.now())));
        }
      }
    }
    return { ok: true, bytes: written, confirmed: false };
  } finally {
    // Close after an in-flight write settles (closing under it would be a use-after-close).
    const close = () => handle.close().catch(() => undefined);
    if (pending) void pending.then(close, close);
    else await close();
  }
}
