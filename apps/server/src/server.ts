import { SIGN_SERVER_PATHS } from '@cos-direct/protocol';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { resolveOptions, type ResolvedServerOptions, type ServerOptions } from './config/index.js';
import { ServerError } from './errors.js';
import { cosDirectTickets } from './plugin.js';
import { createCosDirect } from './service.js';

/** While a check fails (or to confirm a passed one after a quiet while), the standalone server looks again this often. */
const RECHECK_EVERY_MS = 30_000;

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

  const core = createCosDirect(resolved, { log: app.log });
  app.addHook('onClose', () => core.close());

  // Liveness. Degraded still answers 200: the instance serves tickets (limits fall back to this instance),
  // so a load balancer should keep it; the body tells monitoring what is not shared, and how the
  // readiness checks last stood (without running them: a liveness probe must not wait for STS).
  app.get(SIGN_SERVER_PATHS.health, async () => {
    const degraded = core.degraded();
    const { ready, checks } = core.readinessReport();
    return { ...(degraded ? { status: 'degraded', reason: degraded } : { status: 'ok' }), ready, checks };
  });
  app.get(SIGN_SERVER_PATHS.live, async () => ({ status: 'ok' }));
  // Readiness: 503 until STS has issued a key and the bucket answered, and while STS is out of reach.
  app.get(SIGN_SERVER_PATHS.ready, async (_request, reply) => {
    const report = await core.checkReadiness();
    return reply.code(report.ready ? 200 : 503).send(report);
  });
  if (resolved.metrics) {
    app.get(SIGN_SERVER_PATHS.metrics, async (_request, reply) => reply.type(core.metricsContentType).send(await core.metrics()));
  }

  // The start-up checks run once the server listens, never before: a check that fails (no network, a
  // wrong key) is logged with its cause and the server still starts, not ready, and looks again.
  let timer: NodeJS.Timeout | undefined;
  app.addHook('onListen', async () => {
    if (!resolved.startupChecks || timer) return;
    const check = () => void core.checkReadiness().catch((e: unknown) => app.log.error({ err: e }, 'the readiness checks failed to run'));
    check();
    timer = setInterval(check, RECHECK_EVERY_MS).unref();
  });
  app.addHook('onClose', async () => clearInterval(timer));

  await app.register(cosDirectTickets, { options: core });
  return app;
}
