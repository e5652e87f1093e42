// The HQ HTTP service (fastify). Routes are thin: authenticate, validate with the protocol's
// zod schemas, call HqStore, answer JSON. Every error is `{error: {code, message}}` with the
// right status — never a stack trace; unexpected ones are logged and answered 500.
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z, ZodError } from 'zod';
import { parseDay } from '../core/dates.js';
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
// Business days in query parameters: the one strict parser (core/dates.ts), both ends inclusive.
const queryDay = z.string().refine((v) => parseDay(v) !== null, { error: (iss) => `"${String(iss.input)}" is not a day of the calendar; use YYYY-MM-DD, e.g. 2026-11-26` });
const dayQuery = z
  .object({ from: queryDay.optional(), to: queryDay.optional(), store: z.string().optional() })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'from is after to; put the earlier day first', path: ['from'] });

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

  async function principal(req: FastifyRequest): Promise<Principal> {
    const p = await store.authenticate(bearer(req));
    if (!p) throw unknownToken();
    return p;
  }

  async function tillOnly(req: FastifyRequest): Promise<TillPrincipal> {
    const p = await principal(req);
    if (p.kind !== 'till') throw notATill();
    return p.till;
  }

  async function adminOnly(req: FastifyRequest): Promise<void> {
    const p = await principal(req);
    if (p.kind !== 'admin') throw new HttpError(403, errorCodes.forbidden, 'This route needs the HQ admin token (`till hq admin-token`); a till token may not use it.');
  }

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

  app.get(routes.state, async (req) => {
    const till = await tillOnly(req);
    const { device } = stateQuery.parse(req.query);
    return store.syncState(till, device);
  });

  app.post(routes.held, async (req) => {
    const till = await tillOnly(req);
    const { seqs } = heldRequestSchema.parse(req.body);
    return { held: await store.held(till, seqs) };
  });

  app.post(routes.sales, { bodyLimit: opts.batchBodyLimit ?? 8 * 1024 * 1024 }, async (req) => {
    const token = bearer(req);
    const body = uploadRequestSchema.parse(req.body);
    // The hot path: the till is found by its token inside the ingest transaction.
    const r = await store.ingestByToken(token, body.sales);
    if (r) return r.response;
    throw (await store.authenticate(token))?.kind === 'admin' ? notATill() : unknownToken();
  });

  app.get(routes.catalog, async (req) => {
    const till = await tillOnly(req);
    const { since, limit } = catalogQuerySchema.parse(req.query);
    return store.catalog.page(till.storeCode, since, limit);
  });

  app.get(adminRoutes.stores, async (req) => {
    await adminOnly(req);
    return store.listStores();
  });

  app.post(adminRoutes.stores, async (req) => {
    await adminOnly(req);
    const b = storeBody.parse(req.body);
    return store.addStore(b.code, b.name);
  });

  app.post(adminRoutes.enrollCodes, async (req) => {
    await adminOnly(req);
    const b = enrollCodeBody.parse(req.body);
    return store.createEnrollCode(b.storeCode, b.tillCode, b.ttlMinutes);
  });

  app.get(adminRoutes.salesReport, async (req) => {
    await adminOnly(req);
    const qy = dayQuery.parse(req.query);
    return store.salesReport({ from: qy.from, to: qy.to, storeCode: qy.store });
  });

  app.get(adminRoutes.quarantine, async (req) => {
    await adminOnly(req);
    const qy = dayQuery.parse(req.query);
    return store.listQuarantine({ storeCode: qy.store });
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
