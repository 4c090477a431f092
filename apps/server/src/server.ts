import { SIGN_SERVER_PATHS } from '@cos-direct/protocol';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { resolveOptions, type ResolvedServerOptions, type ServerOptions } from './config/index.js';
import { ServerError } from './errors.js';
import { cosDirectTickets } from './plugin.js';

// Fields a log line must never show: credentials of callers, and anything a ticket carries.
const REDACT = ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-cos-security-token"]', 'res.headers["set-cookie"]'];

const isLogger = (v: unknown) =>
  typeof v === 'object' &&
  v !== null &&
  ['child', 'info', 'warn', 'error'].every((m) => typeof (v as Record<string, unknown>)[m] === 'function');

/** The sign server as a Fastify instance, ready to `listen`. */
export async function createServer(options: ServerOptions | Readonly<ResolvedServerOptions>): Promise<FastifyInstance> {
  const resolved = resolveOptions(options);
  const own = resolved.logger;
  const logger = own === false ? false : { ...(own === true ? {} : own), redact: { paths: REDACT, censor: '[redacted]' } };
  const app = Fastify({
    // A pino logger the app made is used as it is (its own redaction included); options make a new one.
    ...(isLogger(own) ? { loggerInstance: own as unknown as FastifyBaseLogger } : { logger: logger as unknown as boolean }),
    trustProxy: resolved.trustProxy as never,
    bodyLimit: 16 * 1024,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });

  app.setErrorHandler((error, request, reply) => {
    let e: ServerError;
    if (error instanceof ServerError) e = error;
    else if ((error as { code?: string }).code === 'FST_ERR_CTP_BODY_TOO_LARGE') e = new ServerError('SRV_ERR_BODY_TOO_LARGE');
    else if ((error as { statusCode?: number }).statusCode === 429) e = new ServerError('SRV_ERR_RATE_LIMITED');
    else if ((error as { statusCode?: number }).statusCode && (error as { statusCode: number }).statusCode < 500) {
      e = new ServerError('SRV_ERR_BAD_REQUEST', `the request is malformed: ${(error as Error).message}`);
    } else {
      request.log.error({ err: error }, 'unexpected error');
      e = new ServerError('SRV_ERR_INTERNAL');
    }
    if (e.statusCode >= 500) request.log.warn({ code: e.code }, e.message);
    return reply.code(e.statusCode).headers(e.headers).send({ code: e.code, message: e.message });
  });
  app.setNotFoundHandler((request, reply) => {
    const e = new ServerError('SRV_ERR_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`);
    return reply.code(e.statusCode).send({ code: e.code, message: e.message });
  });

  // Degraded still answers 200: the instance serves tickets (limits fall back to this instance), so a
  // load balancer should keep it; the body tells monitoring what is not shared.
  app.get(SIGN_SERVER_PATHS.health, async () => {
    const degraded = app.cosDirectDegraded?.();
    return degraded ? { status: 'degraded', reason: degraded } : { status: 'ok' };
  });
  await app.register(cosDirectTickets, { options: resolved });
  return app;
}
