// The HQ HTTP service (fastify). Routes are thin: authenticate, validate with the protocol's
// zod schemas, call HqStore, answer JSON. Every error is `{error: {code, message}}` with the
// right status — never a stack trace; unexpected ones are logged and answered 500.
// Authentication runs in onRequest, before a byte of the body is read (DESIGN.md, "HQ"): an
// unknown token costs one indexed lookup, never the parsing of an 8 MiB batch. Bodies are
// JSON only (415 otherwise), bounded in size (413) and in nesting depth (400).
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { networkInterfaces } from 'node:os';
import { parseDay } from '../core/dates.js';
import { z, ZodError } from 'zod';
import { NotFoundError, UserError } from '../errors.js';
import {
  AUTH_SCHEME,
  PROTOCOL_VERSION,
  adminRoutes,
  catalogQuerySchema,
  deviceIdSchema,
  enrollRequestSchema,
  heldRequestSchema,
  errorCodes,
  routes,
  uploadRequestSchema,
} from '../sync/protocol.js';
import { StorageUnavailableError } from './storage/driver.js';
import { EnrollCodeError, type HqStore, type Principal, type TillPrincipal } from './store.js';
import { exactJson } from './sums.js';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface HqServerOptions {
  /** Largest sales batch body in bytes (default 8 MiB); other bodies are limited to 64 KiB. */
  batchBodyLimit?: number;
  /** Where unexpected errors are logged (default: stderr). */
  log?: (line: string) => void;
}

const stateQuery = z.object({ device: deviceIdSchema.optional() });
const storeBody = z.object({ code: z.string(), name: z.string() });
const enrollCodeBody = z.object({ storeCode: z.string(), tillCode: z.string(), ttlMinutes: z.number().int().positive().optional() });
/** A business day as YYYY-MM-DD that exists in the calendar (src/core/dates.ts's one parser). */
const day = z.string().refine((v) => parseDay(v) !== null, { error: (iss) => `"${String(iss.input)}" is not a day of the calendar; use YYYY-MM-DD, e.g. 2026-11-26` });
const dayQuery = z
  .object({ from: day.optional(), to: day.optional(), store: z.string().max(16).optional() })
  .strict()
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'is after to; put the earlier day first', path: ['from'] });
const quarantineQuery = z
  .object({
    store: z.string().max(16).optional(),
    /** "S001/T01" */
    till: z.string().regex(/^[A-Za-z0-9_-]{1,16}\/[A-Za-z0-9_-]{1,16}$/, 'use <store>/<till>, e.g. S001/T01').optional(),
    limit: z.coerce.number().int().positive().max(1000).default(100),
    after: z.coerce.number().int().nonnegative().optional(),
  })
  .strict();

/** Deepest nesting a request body may have (a sales batch is 5 levels deep). */
export const MAX_BODY_DEPTH = 32;

/** Whether JSON text nests deeper than `max` arrays/objects (a scan, no parse, no recursion). */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > max) return true;
    } else if (c === 93 || c === 125) depth--;
  }
  return false;
}

type Auth = 'till' | 'admin';

export function buildHqServer(store: HqStore, opts: HqServerOptions = {}): FastifyInstance {
  const log = opts.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const app = Fastify({
    logger: false,
    bodyLimit: 64 * 1024,
    requestTimeout: 60_000,
    // Errors are answered by our handler; fastify's own 404 and parser errors go there too.
    return503OnClosing: true,
  });

  function bearer(req: FastifyRequest): string {
    const header = req.headers.authorization ?? '';
    const [scheme, token] = header.split(' ');
    if (scheme !== AUTH_SCHEME || !token) throw new HttpError(401, errorCodes.unauthorized, `Send "Authorization: ${AUTH_SCHEME} <token>"; enroll the till first (till enroll <hq-url> --code <code>).`);
    return token.trim();
  }

  const unknownToken = () => new HttpError(401, errorCodes.unauthorized, 'HQ does not know this token; the till may have been re-enrolled elsewhere. Enroll it again.');
  const notATill = () => new HttpError(403, errorCodes.forbidden, 'This route is for enrolled tills; the admin token cannot use it.');

  // Who sent each request, found in onRequest (before the body is read).
  const principals = new WeakMap<FastifyRequest, Principal>();
  const auth = (kind: Auth) => ({ config: { auth: kind } });
  // Upload batches: tills known a moment ago skip the lookup here, because the ingest
  // transaction finds the till by its token again (one statement) and refuses a token revoked
  // meanwhile. A stranger's token is never cached: it costs one indexed lookup, nothing more.
  const recentTills = new Map<string, { p: Principal; until: number }>();
  const uploads = (token: string) => recentTills.get(token)?.until ?? 0;

  app.addHook('onRequest', async (req) => {
    const kind = (req.routeOptions.config as { auth?: Auth } | undefined)?.auth;
    if (!kind) return;
    const token = bearer(req);
    const batch = req.routeOptions.url === routes.sales;
    const now = Date.now();
    const p = batch && uploads(token) > now ? recentTills.get(token)!.p : await store.authenticate(token);
    if (!p) throw unknownToken();
    if (batch && p.kind === 'till') {
      if (recentTills.size >= 10_000) recentTills.clear();
      recentTills.set(token, { p, until: now + 30_000 });
    }
    if (kind === 'till' && p.kind !== 'till') throw notATill();
    if (kind === 'admin' && p.kind !== 'admin') throw new HttpError(403, errorCodes.forbidden, 'This route needs the HQ admin token (`till hq admin-token`); a till token may not use it.');
    principals.set(req, p);
  });

  function tillOf(req: FastifyRequest): TillPrincipal {
    const p = principals.get(req);
    if (p?.kind !== 'till') throw unknownToken();
    return p.till;
  }

  // JSON only: text/plain (fastify's other default) is refused with 415 before it is read.
  app.removeContentTypeParser('text/plain');
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (nestsDeeperThan(body as string, MAX_BODY_DEPTH)) {
      return done(new HttpError(400, errorCodes.badRequest, `Invalid request: the body nests deeper than ${MAX_BODY_DEPTH} levels.`), undefined);
    }
    json(req, body as string, done);
  });

  app.get(routes.health, async (_req, reply) => {
    try {
      await store.db.get('SELECT 1 AS ok');
    } catch (err) {
      throw new StorageUnavailableError((err as Error).message);
    }
    return reply.send({ ok: true, protocol: PROTOCOL_VERSION, storage: store.db.dialect });
  });

  app.post(routes.enroll, { bodyLimit: 4 * 1024 }, async (req) => {
    const { code, deviceId } = enrollRequestSchema.parse(req.body);
    return store.enroll(code, deviceId);
  });

  app.get(routes.state, auth('till'), async (req) => {
    const { device } = stateQuery.parse(req.query);
    return store.syncState(tillOf(req), device);
  });

  app.post(routes.held, auth('till'), async (req) => {
    const { seqs } = heldRequestSchema.parse(req.body);
    return { held: await store.held(tillOf(req), seqs) };
  });

  app.post(routes.sales, { ...auth('till'), bodyLimit: opts.batchBodyLimit ?? 8 * 1024 * 1024 }, async (req) => {
    const body = uploadRequestSchema.parse(req.body);
    // The hot path: the till is found (again) by its token inside the ingest transaction.
    const token = bearer(req);
    const r = await store.ingestByToken(token, body.sales);
    if (r) return r.response;
    recentTills.delete(token);
    throw unknownToken();
  });

  app.get(routes.catalog, auth('till'), async (req) => {
    const till = tillOf(req);
    const { since, limit } = catalogQuerySchema.parse(req.query);
    return store.catalog.page(till.storeCode, since, limit);
  });

  app.get(adminRoutes.stores, auth('admin'), async () => store.listStores());

  app.post(adminRoutes.stores, auth('admin'), async (req) => {
    const b = storeBody.parse(req.body);
    return store.addStore(b.code, b.name);
  });

  app.post(adminRoutes.enrollCodes, auth('admin'), async (req) => {
    const b = enrollCodeBody.parse(req.body);
    return store.createEnrollCode(b.storeCode, b.tillCode, b.ttlMinutes);
  });

  app.get(adminRoutes.salesReport, auth('admin'), async (req, reply) => {
    const qy = dayQuery.parse(req.query);
    const report = await store.salesReport({ from: qy.from, to: qy.to, storeCode: qy.store });
    // Sums beyond 2^53 fen are bigints, written as exact JSON numbers.
    return reply.type('application/json').send(exactJson(report));
  });

  app.get(adminRoutes.quarantine, auth('admin'), async (req) => {
    const qy = quarantineQuery.parse(req.query);
    const [storeCode, tillCode] = qy.till?.split('/') ?? [];
    return store.listQuarantine({ storeCode: qy.store, till: qy.till ? { storeCode, tillCode } : undefined, limit: qy.limit, afterId: qy.after });
  });

  app.setNotFoundHandler((req, reply) => {
    sendError(reply, 404, errorCodes.notFound, `No route ${req.method} ${req.url.split('?')[0]}.`);
  });

  app.setErrorHandler((err, req, reply) => {
    const [status, code, message] = classify(err);
    if (status >= 500 && status !== 503) log(`HQ: ${req.method} ${req.url.split('?')[0]} failed: ${(err as Error)?.stack ?? String(err)}`);
    if (status === 503) reply.header('retry-after', '5');
    sendError(reply, status, code, message);
  });

  return app;
}

function sendError(reply: FastifyReply, status: number, code: string, message: string): void {
  void reply.code(status).type('application/json').send({ error: { code, message } });
}

function classify(err: unknown): [number, string, string] {
  if (err instanceof HttpError) return [err.status, err.code, err.message];
  if (err instanceof ZodError) {
    const i = err.issues[0];
    const where = i.path.length ? i.path.join('.') : 'body';
    return [400, errorCodes.badRequest, `Invalid request: ${where}: ${i.message}.`];
  }
  if (err instanceof EnrollCodeError) return [401, errorCodes.enrollCodeInvalid, err.message];
  if (err instanceof NotFoundError) return [404, errorCodes.notFound, err.message];
  if (err instanceof UserError) return [400, errorCodes.badRequest, err.message];
  if (err instanceof StorageUnavailableError) return [503, errorCodes.unavailable, 'HQ cannot reach its database right now; retry later.'];
  const e = err as { statusCode?: number; code?: string; message?: string };
  if (e?.statusCode === 413 || e?.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return [413, errorCodes.payloadTooLarge, 'The request body is too large; send smaller batches.'];
  if (e?.statusCode === 415 || e?.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return [415, errorCodes.unsupportedMediaType, 'Send the body as application/json.'];
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return [e.statusCode, e.statusCode === 404 ? errorCodes.notFound : errorCodes.badRequest, `Invalid request: ${e.message ?? 'bad request'}.`];
  }
  return [500, errorCodes.internal, 'HQ hit an unexpected error and logged it; retry later.'];
}

/**
 * Where a listening HQ really is: the address it bound (e.g. http://0.0.0.0:8787) and, when
 * that is a wildcard, the URL of every address of this machine it then answers on.
 */
export function listeningUrls(app: FastifyInstance): { bound: string; reachable: string[] } {
  const a = app.server.address();
  if (!a || typeof a === 'string') return { bound: String(a), reachable: [] };
  const url = (host: string, family: string) => `http://${family === 'IPv6' || host.includes(':') ? `[${host}]` : host}:${a.port}`;
  const bound = url(a.address, a.family);
  const wildcard = a.address === '0.0.0.0' || a.address === '::';
  if (!wildcard) return { bound, reachable: [bound] };
  const reachable: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const i of list ?? []) {
      if (i.family === 'IPv4' || a.address === '::') reachable.push(url(i.address, i.family));
    }
  }
  return { bound, reachable };
}
