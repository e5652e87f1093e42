// A fault-injecting HTTP proxy on 127.0.0.1 between tills and HQ. With probability `rate`
// a request meets one of these faults (chosen uniformly, or from `kinds`):
//   reset          the connection is reset before HQ sees the request
//   timeout        the request is held and never answered (the till's timeout fires)
//   latency        the request waits 50–400 ms, then goes through
//   error-before   HTTP 500 without forwarding (HQ never saw it)
//   error-after    forwarded, HQ commits, the till gets HTTP 500 instead of the answer
//   drop-after     forwarded, HQ commits, the connection is reset instead of the answer
// Counts of every fault fired are kept for the test to print. Used by test/sync and bench/.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const FAULT_KINDS = ['reset', 'timeout', 'latency', 'error-before', 'error-after', 'drop-after'] as const;
/** `throttle`: a rate-limiting gateway answers 429 with Retry-After (seconds, `retryAfterS`). Not in the default mix. */
export type FaultKind = (typeof FAULT_KINDS)[number] | 'throttle';

export interface FaultProxyOptions {
  /** HQ's address; several addresses are served round-robin (a load balancer over HQ instances). */
  target: string | string[];
  rate: number;
  kinds?: readonly FaultKind[];
  /** Deterministic runs: a seeded generator. */
  random?: () => number;
  /** Called as a request is handed to HQ (e.g. to kill HQ while it works on a batch). */
  onForward?: (method: string, path: string) => void;
}

/** mulberry32: small seeded PRNG, so a failing fault run can be replayed (the demo catalog's). */
export { rng as seeded } from '../../src/demo/catalog.js';

export class FaultProxy {
  rate: number;
  readonly targets: URL[];
  private next = 0;
  readonly fired: Partial<Record<FaultKind, number>>;
  retryAfterS = 1;
  requests = 0;
  private server?: http.Server;
  private readonly kinds: readonly FaultKind[];
  private readonly random: () => number;
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  private held = new Set<http.ServerResponse>();
  private readonly onForward?: (method: string, path: string) => void;

  constructor(o: FaultProxyOptions) {
    this.rate = o.rate;
    this.targets = (Array.isArray(o.target) ? o.target : [o.target]).map((t) => new URL(t));
    this.kinds = o.kinds ?? FAULT_KINDS;
    this.fired = Object.fromEntries(this.kinds.map((k) => [k, 0]));
    this.random = o.random ?? Math.random;
    this.onForward = o.onForward;
  }

  get url(): string {
    const a = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${a.port}`;
  }

  get totalFaults(): number {
    return Object.values(this.fired).reduce((a, b) => a + (b ?? 0), 0);
  }

  async start(port = 0): Promise<this> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    return this;
  }

  /** The network heals: no more faults. */
  heal(): void {
    this.rate = 0;
  }

  async stop(): Promise<void> {
    for (const r of this.held) r.destroy();
    this.held.clear();
    this.agent.destroy();
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private pick(): FaultKind | undefined {
    if (this.rate <= 0 || this.random() >= this.rate) return undefined;
    return this.kinds[Math.floor(this.random() * this.kinds.length)];
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.requests++;
    const fault = this.pick();
    if (fault) this.fired[fault] = (this.fired[fault] ?? 0) + 1;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      switch (fault) {
        case 'reset':
          req.socket.destroy();
          return;
        case 'timeout':
          this.held.add(res);
          res.on('close', () => this.held.delete(res));
          return;
        case 'error-before':
          return sendError(res);
        case 'throttle':
          res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(this.retryAfterS) });
          res.end(JSON.stringify({ error: { code: 'rate_limited', message: 'slow down' } }));
          return;
        case 'latency':
          setTimeout(() => this.forward(req, body, res, undefined), 50 + Math.floor(this.random() * 350));
          return;
        default:
          this.forward(req, body, res, fault);
      }
    });
  }

  private forward(req: http.IncomingMessage, body: Buffer, res: http.ServerResponse, after: FaultKind | undefined): void {
    const target = this.targets[this.next++ % this.targets.length];
    const headers = { ...req.headers, host: target.host, 'content-length': String(body.length) };
    delete headers.connection;
    const up = http.request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers, agent: this.agent },
      (upRes) => {
        const parts: Buffer[] = [];
        upRes.on('data', (c: Buffer) => parts.push(c));
        upRes.on('error', () => res.destroy());
        upRes.on('end', () => {
          // HQ has answered, so whatever it did is committed: now lose the answer.
          if (after === 'error-after') return sendError(res);
          if (after === 'drop-after') return void req.socket.destroy();
          const out = Buffer.concat(parts);
          const h = { ...upRes.headers, 'content-length': String(out.length) };
          delete h['transfer-encoding'];
          delete h.connection;
          res.writeHead(upRes.statusCode ?? 502, h);
          res.end(out);
        });
      },
    );
    up.on('error', () => {
      // HQ is down (killed, restarting): what a till behind a gateway sees.
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'bad_gateway', message: 'HQ is unreachable' } }));
      } else res.destroy();
    });
    up.end(body, () => this.onForward?.(req.method ?? '', (req.url ?? '').split('?')[0]));
  }
}

function sendError(res: http.ServerResponse): void {
  res.writeHead(500, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { code: 'internal', message: 'injected fault' } }));
}
