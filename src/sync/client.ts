// The till's HTTP client for HQ (routes and schemas in protocol.ts). Every failure becomes an
// HqError that says whether retrying can help: timeouts, resets, 5xx and 429 can (`retry`);
// 400/401/403/409 and other refusals cannot (`fatal`) and must reach a person.
import {
  catalogPageSchema,
  enrollResponseSchema,
  errorBodySchema,
  heldResponseSchema,
  PROTOCOL_VERSION,
  routes,
  syncStateSchema,
  uploadResponseSchema,
  type CatalogPage,
  type EnrollResponse,
  type HeldResponse,
  type SyncState,
  type UploadResponse,
} from './protocol.js';
import type { z } from 'zod';

export type FailureKind = 'retry' | 'fatal';

export class HqError extends Error {
  constructor(
    message: string,
    readonly kind: FailureKind,
    readonly code: string,
    readonly status?: number,
    /** From a Retry-After header: the soonest a retry is welcome. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'HqError';
  }
}

export interface HqClientOptions {
  /** HQ's base address, e.g. https://hq.example.com (no trailing slash needed). */
  baseUrl: string;
  token?: string;
  /** Whole request, body included. */
  timeoutMs?: number;
}

const RETRY_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

/** Whether an HTTP refusal may go away by itself (retry) or needs a person (fatal: 400/401/403/409/…). */
export function failureKindOf(status: number): FailureKind {
  return RETRY_STATUS.has(status) || status >= 500 ? 'retry' : 'fatal';
}

/** Retry-After is seconds or an HTTP date; returns ms from now, or undefined. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export function normaliseBaseUrl(url: string): string {
  return url.trim().replace(/\/+$/, '');
}

export class HqClient {
  readonly baseUrl: string;
  private readonly token?: string;
  private readonly timeoutMs: number;

  constructor(o: HqClientOptions) {
    this.baseUrl = normaliseBaseUrl(o.baseUrl);
    this.token = o.token;
    this.timeoutMs = o.timeoutMs ?? 15_000;
  }

  enroll(code: string, signal?: AbortSignal, deviceId?: string): Promise<EnrollResponse> {
    return this.call('POST', routes.enroll, enrollResponseSchema, JSON.stringify(deviceId ? { code, deviceId } : { code }), signal);
  }

  /** `deviceId`: this installation's id, so that HQ learns it for a stream enrolled before it knew devices. */
  state(signal?: AbortSignal, deviceId?: string): Promise<SyncState> {
    return this.call('GET', deviceId ? `${routes.state}?device=${encodeURIComponent(deviceId)}` : routes.state, syncStateSchema, undefined, signal);
  }

  /** What HQ holds at these seqs of this device (at most 1000). */
  held(seqs: number[], signal?: AbortSignal): Promise<HeldResponse> {
    return this.call('POST', routes.held, heldResponseSchema, JSON.stringify({ seqs }), signal);
  }

  /** `body` is an UploadRequest already serialised (outbox payloads are spliced in as they are). */
  upload(body: string, signal?: AbortSignal): Promise<UploadResponse> {
    return this.call('POST', routes.sales, uploadResponseSchema, body, signal);
  }

  catalog(since: number, limit: number, signal?: AbortSignal): Promise<CatalogPage> {
    return this.call('GET', `${routes.catalog}?since=${since}&limit=${limit}`, catalogPageSchema, undefined, signal);
  }

  /** HQ answers at all (GET /healthz, no token): used to cut a long backoff short once HQ is back. */
  async reachable(signal?: AbortSignal): Promise<boolean> {
    try {
      const timeout = AbortSignal.timeout(Math.min(this.timeoutMs, 3000));
      const res = await fetch(this.baseUrl + routes.health, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
      await res.arrayBuffer();
      return res.ok;
    } catch {
      return false;
    }
  }

  /** `signal` cancels the request (the caller is stopping); the timeout still applies. */
  private async call<S extends z.ZodType>(method: 'GET' | 'POST', path: string, schema: S, body?: string, signal?: AbortSignal): Promise<z.infer<S>> {
    const url = this.baseUrl + path;
    const headers: Record<string, string> = { accept: 'application/json', 'x-till-protocol': String(PROTOCOL_VERSION) };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let res: Response;
    let text: string;
    try {
      const timeout = AbortSignal.timeout(this.timeoutMs);
      res = await fetch(url, { method, headers, body, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
      text = await res.text();
    } catch (err) {
      if (signal?.aborted) throw new HqError('sync was stopped', 'retry', 'E_STOPPED');
      throw networkError(err, url, this.timeoutMs);
    }
    if (!res.ok) throw statusError(res, text, method, path);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      // A captive portal or a misconfigured proxy answers 200 with HTML: the network is not there yet.
      throw new HqError(`HQ at ${this.baseUrl} answered ${path} with something that is not JSON; is hq.url the HQ service?`, 'retry', 'E_HQ_BAD_RESPONSE', res.status);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new HqError(`HQ's answer to ${path} does not match protocol v${PROTOCOL_VERSION}: ${parsed.error.issues[0]?.message ?? 'invalid'}`, 'retry', 'E_HQ_BAD_RESPONSE', res.status);
    }
    return parsed.data;
  }
}

function networkError(err: unknown, url: string, timeoutMs: number): HqError {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') {
    return new HqError(`HQ did not answer within ${timeoutMs} ms (${url})`, 'retry', 'E_HQ_TIMEOUT');
  }
  const why = e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
  return new HqError(`cannot reach HQ at ${new URL(url).origin} (${why})`, 'retry', 'E_HQ_UNREACHABLE');
}

function statusError(res: Response, text: string, method: string, path: string): HqError {
  let detail = '';
  let code = `E_HQ_${res.status}`;
  try {
    const body = errorBodySchema.safeParse(JSON.parse(text));
    if (body.success) {
      detail = body.data.error.message;
      code = body.data.error.code;
    }
  } catch {
    // not JSON: keep the status alone
  }
  const what = `HQ refused ${method} ${path} with ${res.status}${detail ? `: ${detail}` : ''}`;
  if (failureKindOf(res.status) === 'retry') {
    return new HqError(what, 'retry', code, res.status, parseRetryAfter(res.headers.get('retry-after')));
  }
  const hint =
    res.status === 401 || res.status === 403
      ? ' — the till token was not accepted; enroll again with `till enroll <hq-url> --code <code>`'
      : res.status === 404
        ? ' — check hq.url (`till config set hq.url <url>`)'
        : '';
  return new HqError(what + hint, 'fatal', code, res.status);
}
