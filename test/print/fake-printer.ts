// A network receipt printer on 127.0.0.1 for tests: records every byte it receives, answers
// ESC/POS real-time status requests (DLE EOT n) like a real one, and can be made silent, slow,
// out of paper, or to drop the connection part-way through a receipt.
import net from 'node:net';

export interface FakePrinterOptions {
  /** Answer DLE EOT status requests (most ESC/POS printers do). Default true. */
  answersStatus?: boolean;
  paper?: 'ok' | 'near-end' | 'out';
  coverOpen?: boolean;
  offline?: boolean;
  /** Wait this long before each status answer. */
  answerDelayMs?: number;
  /** Answer the paper/cover requests but never the one that follows the receipt (a stuck printer). */
  stallAfterStatus?: boolean;
  /** Reset the connection once this many bytes have arrived. */
  dropAfterBytes?: number;
}

export interface FakePrinter {
  port: number;
  uri: string;
  /** Bytes received, one buffer per connection. */
  connections: Buffer[];
  all(): Buffer;
  close(): Promise<void>;
}

export async function startFakePrinter(opts: FakePrinterOptions = {}): Promise<FakePrinter> {
  const connections: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const index = connections.push(Buffer.alloc(0)) - 1;
    let scanned = 0;
    let answered = 0;
    socket.on('data', (chunk: Buffer) => {
      let data = Buffer.concat([connections[index], chunk]);
      if (opts.dropAfterBytes !== undefined && data.length >= opts.dropAfterBytes) {
        data = data.subarray(0, opts.dropAfterBytes);
        connections[index] = data;
        socket.resetAndDestroy();
        return;
      }
      connections[index] = data;
      // Look for DLE EOT n, including one split across chunks.
      for (; scanned + 2 < data.length; scanned++) {
        if (data[scanned] !== 0x10 || data[scanned + 1] !== 0x04) continue;
        const n = data[scanned + 2];
        scanned += 2;
        if (opts.answersStatus === false) continue;
        answered += 1;
        if (opts.stallAfterStatus && answered > 2) continue;
        const reply = Buffer.from([statusByte(n, opts)]);
        if (opts.answerDelayMs) {
          const t = setTimeout(() => {
            timers.delete(t);
            if (!socket.destroyed) socket.write(reply);
          }, opts.answerDelayMs);
          timers.add(t);
        } else socket.write(reply);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    uri: `tcp://127.0.0.1:${port}`,
    connections,
    all: () => Buffer.concat(connections),
    close: async () => {
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function statusByte(n: number, o: FakePrinterOptions): number {
  const base = 0x12;
  if (n === 1) return base | (o.offline || o.coverOpen || o.paper === 'out' ? 0x08 : 0);
  if (n === 2) return base | (o.coverOpen ? 0x04 : 0) | (o.paper === 'out' ? 0x20 : 0);
  if (n === 4) return base | (o.paper === 'out' ? 0x60 : o.paper === 'near-end' ? 0x0c : 0);
  return base;
}

/** A port on 127.0.0.1 where nothing listens: a printer that is switched off. */
export async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * An HTTP server on a port where a printer is expected (a misconfigured printer.uri): it answers
 * the status requests with "HTTP/1.1 400 Bad Request", some of whose bytes look like status bytes.
 */
export async function startHttpServer(): Promise<{ uri: string; close: () => Promise<void> }> {
  const http = await import('node:http');
  const server = http.createServer((_req, res) => res.end('hello'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    uri: `tcp://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
