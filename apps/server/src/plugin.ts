import { SIGN_SERVER_PATHS } from '@cos-direct/protocol';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Redis } from 'ioredis';
import { authenticatorOf } from './auth.js';
import { type ConfirmedUpload, resolveOptions, type ResolvedServerOptions, type ServerOptions } from './config/index.js';
import { ConfirmTokens, UploadConfirmer } from './confirm.js';
import { CosClient, CosUpstreamError } from './cos-client.js';
import { ServerError } from './errors.js';
import { StsClient, StsUpstreamError } from './sts-client.js';
import { TicketService } from './tickets.js';

type Params = Record<string, unknown>;

function paramsOf(request: FastifyRequest): Params {
  const query = (request.query ?? {}) as Params;
  const body = request.body && typeof request.body === 'object' ? (request.body as Params) : {};
  return { ...query, ...body };
}

/** The ticket endpoints, with authentication, CORS, rate limiting and JSON errors, as one plugin. */
const ticketRoutes: FastifyPluginAsync<{ options: ServerOptions | Readonly<ResolvedServerOptions> }> = async (
  app: FastifyInstance,
  opts,
) => {
  // Options from resolveOptions or loadConfig are used as they are; anything else is validated here, once.
  const options = resolveOptions(opts.options);
  const sts = new StsClient({
    secretId: options.secretId,
    secretKey: options.secretKey,
    endpoint: options.stsEndpoint,
    region: options.region,
    timeoutMs: options.stsTimeoutMs,
    concurrency: options.stsConcurrency,
    queueLimit: options.stsQueueLimit,
    now: options.now,
  });
  const tokens = new ConfirmTokens(options.secretKey);
  const tickets = new TicketService(options, sts, tokens, (e) =>
    app.log.warn(
      { sts: e instanceof StsUpstreamError ? e.detail : (e as Error).message },
      'refreshing a shared ticket key failed; retrying on demand',
    ),
  );
  const confirmer = new UploadConfirmer(options, new CosClient({ ...options, timeoutMs: Math.max(options.stsTimeoutMs, 10_000) }), tokens);
  const confirmed = async (request: FastifyRequest, upload: ConfirmedUpload) => {
    await options.onUploadConfirmed?.(upload, request);
    return upload;
  };
  const authenticate = authenticatorOf(options);
  if (!authenticate) {
    app.log.warn(
      'the ticket endpoints are open to anyone: configure AUTH_TOKENS, JWT_SECRET or JWKS_URL (or pass authenticate) before exposing this server',
    );
  }

  if (options.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: options.corsOrigins.includes('*') ? true : options.corsOrigins,
      methods: ['GET', 'POST'],
      allowedHeaders: ['Authorization', 'Content-Type'],
      maxAge: 600,
    });
  }

  const guard = async (request: FastifyRequest) => {
    if (!authenticate) return;
    try {
      await authenticate(request);
    } catch (e) {
      if (e instanceof ServerError) throw e;
      // Anything else the app's hook throws may say more than a caller should learn (a database error, a
      // user's state): it is logged, and the caller gets the stable 401 with the default message.
      request.log.warn({ err: { message: e instanceof Error ? e.message : String(e) } }, 'authenticate refused the request');
      throw new ServerError('SRV_ERR_UNAUTHENTICATED');
    }
  };

  // The ticket routes live in a scope of their own, so that one rate limiter covers them all: a client
  // has one budget for tickets, not one per route (limit 5 means 5 tickets, whichever kind).
  type Issue = (p: Params, request: FastifyRequest) => Promise<unknown>;
  const routes: Array<[string, Issue, Array<'GET' | 'POST'>]> = [];
  const route = (path: string, issue: Issue, methods: Array<'GET' | 'POST'> = ['GET', 'POST']) => routes.push([path, issue, methods]);
  route(SIGN_SERVER_PATHS.directSign, (p) => tickets.direct(p.ext));
  route(SIGN_SERVER_PATHS.multipart, (p) => tickets.multipart(p.ext, typeof p.size === 'number' ? String(p.size) : p.size));
  route(SIGN_SERVER_PATHS.postPolicy, (p) => tickets.postPolicy(p.ext));
  // After the upload: the server checks with its own key what the ticket wrote, and reports it.
  route(SIGN_SERVER_PATHS.confirm, async (p, request) => confirmed(request, await confirmer.confirm(p.confirmToken)), ['POST']);
  route(
    SIGN_SERVER_PATHS.completeMultipart,
    async (p, request) => confirmed(request, await confirmer.completeMultipart(p.confirmToken, p.uploadId)),
    ['POST'],
  );

  await app.register(async (scope) => {
    // Ticket errors render the same inside an app of one's own; anything else goes to that app's handler.
    scope.setErrorHandler((error, _request, reply) => {
      if (!(error instanceof ServerError)) throw error;
      return reply.code(error.statusCode).headers(error.headers).send({ code: error.code, message: error.message });
    });
    if (options.rateLimit) {
      let redis: Redis | undefined;
      if (options.redisUrl) {
        redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000 });
        redis.on('error', (e) => scope.log.warn({ err: { message: e.message } }, 'redis error'));
        scope.addHook('onClose', async () => {
          await redis?.quit().catch(() => undefined);
        });
      }
      await scope.register(rateLimit, {
        global: true,
        max: options.rateLimit.max,
        timeWindow: options.rateLimit.timeWindow,
        ...(redis ? { redis, nameSpace: 'cos-direct-rl-' } : {}),
        errorResponseBuilder: (_req, context) =>
          new ServerError('SRV_ERR_RATE_LIMITED', `too many requests: at most ${context.max} tickets per ${context.after}`),
      });
    }
    // What a page can check before it asks for a ticket: which extensions and how many bytes a ticket allows.
    scope.get(SIGN_SERVER_PATHS.limits, { preHandler: guard, config: { rateLimit: false } }, async () => ({
      code: 0,
      data: {
        allowedExtensions: options.allowedExtensions,
        maxSize: options.maxSize ?? null,
        maxMultipartSize: options.maxMultipartSize,
        enforceContentType: options.enforceContentType,
      },
    }));
    for (const [path, issue, methods] of routes) {
      scope.route({
        method: methods,
        url: path,
        // HEAD would run the whole handler (an STS call) to answer nothing: it gets 405 below instead.
        exposeHeadRoute: false,
        preHandler: guard,
        handler: async (request) => {
          try {
            return { code: 0, data: await issue(paramsOf(request), request) };
          } catch (e) {
            if (e instanceof StsUpstreamError) request.log.error({ sts: e.detail }, 'STS refused to issue a temporary key');
            if (e instanceof CosUpstreamError) request.log.error({ cos: e.detail }, 'COS refused a request of the server');
            throw e;
          }
        },
      });
      scope.route({
        method: (['HEAD', 'GET', 'PUT', 'DELETE', 'PATCH'] as const).filter((m) => !(methods as string[]).includes(m)),
        url: path,
        exposeHeadRoute: false,
        config: { rateLimit: false },
        handler: async (request, reply) => {
          const e = new ServerError('SRV_ERR_METHOD_NOT_ALLOWED', `${request.method} is not allowed here; use ${methods.join(' or ')}`);
          return reply.code(e.statusCode).header('allow', methods.join(', ')).send({ code: e.code, message: e.message });
        },
      });
    }
  });
};

export const cosDirectTickets = fp(ticketRoutes, { name: '@cos-direct/server', fastify: '5.x' });
