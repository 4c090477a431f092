import { SIGN_SERVER_PATHS } from '@cos-direct/protocol';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { authenticatorOf } from './auth.js';
import { type ConfirmedUpload, resolveOptions, type ResolvedServerOptions, type ServerOptions } from './config/index.js';
import { type ConfirmOutcome, ConfirmTokens, UploadConfirmer } from './confirm.js';
import { MemoryConfirmations, RedisConfirmations } from './confirmations.js';
import { CosClient, CosUpstreamError } from './cos-client.js';
import { ServerError } from './errors.js';
import { fallbackStore } from './rate-limit-store.js';
import { SharedRedis } from './redis.js';
import { StsClient, StsUnreachableError, StsUpstreamError } from './sts-client.js';
import { TicketService } from './tickets.js';

type Params = Record<string, unknown>;

/** Without RATE_LIMIT_CONFIRM_MAX: room for each ticket's confirmation and a few retries of it. */
const CONFIRMATIONS_PER_TICKET = 3;
const isConfirmation = (url = '') => url.endsWith(SIGN_SERVER_PATHS.confirm) || url.endsWith(SIGN_SERVER_PATHS.completeMultipart);

declare module 'fastify' {
  interface FastifyInstance {
    /** Why the instance cannot enforce what it promises across instances right now, if it cannot. */
    cosDirectDegraded?: () => string | undefined;
  }
}

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
      { sts: e instanceof StsUpstreamError || e instanceof StsUnreachableError ? e.detail : (e as Error).message },
      'refreshing a shared ticket key failed; retrying on demand',
    ),
  );
  const redis = options.redisUrl ? new SharedRedis(options.redisUrl, app.log) : undefined;
  if (redis) app.addHook('onClose', () => redis.close());
  const memory = new MemoryConfirmations(options.now);
  const confirmer = new UploadConfirmer(
    options,
    new CosClient({ ...options, timeoutMs: Math.max(options.stsTimeoutMs, 10_000) }),
    tokens,
    redis ? new RedisConfirmations(redis, memory) : memory,
  );
  // The app hears of each confirmed object once; when its hook fails the record is dropped again, so the
  // client's retry gets another chance to have it recorded.
  const confirmed = async (request: FastifyRequest, outcome: ConfirmOutcome): Promise<ConfirmedUpload> => {
    if (!outcome.first) return outcome.upload;
    try {
      await options.onUploadConfirmed?.(outcome.upload, request);
    } catch (e) {
      await confirmer.release(outcome.upload);
      throw e;
    }
    return outcome.upload;
  };
  // Health says when the shared limits are not enforced; the instance keeps serving (it fails open).
  if (!app.hasDecorator('cosDirectDegraded')) {
    app.decorate('cosDirectDegraded', () =>
      redis && !redis.up ? 'redis is unreachable: rate limits and confirmations are per instance' : undefined,
    );
  }
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
  // Confirmations have a budget of their own: a client that spent its tickets can still confirm what it
  // uploaded with them (or its multipart parts would be stranded), and a flood of confirmations is still bounded.
  type Issue = (p: Params, request: FastifyRequest) => Promise<unknown>;
  const routes: Array<[string, Issue, Array<'GET' | 'POST'>, 'tickets' | 'confirmations']> = [];
  const route = (
    path: string,
    issue: Issue,
    methods: Array<'GET' | 'POST'> = ['GET', 'POST'],
    budget: 'tickets' | 'confirmations' = 'tickets',
  ) => routes.push([path, issue, methods, budget]);
  const confirmLimit = options.rateLimit
    ? {
        rateLimit: {
          max: options.rateLimit.confirmMax ?? options.rateLimit.max * CONFIRMATIONS_PER_TICKET,
          timeWindow: options.rateLimit.timeWindow,
        },
      }
    : {};
  route(SIGN_SERVER_PATHS.directSign, (p) => tickets.direct(p.ext));
  route(SIGN_SERVER_PATHS.multipart, (p) => tickets.multipart(p.ext, typeof p.size === 'number' ? String(p.size) : p.size));
  route(SIGN_SERVER_PATHS.postPolicy, (p) => tickets.postPolicy(p.ext));
  // After the upload: the server checks with its own key what the ticket wrote, and reports it.
  route(
    SIGN_SERVER_PATHS.confirm,
    async (p, request) => confirmed(request, await confirmer.confirm(p.confirmToken)),
    ['POST'],
    'confirmations',
  );
  route(
    SIGN_SERVER_PATHS.completeMultipart,
    async (p, request) => confirmed(request, await confirmer.completeMultipart(p.confirmToken, p.uploadId)),
    ['POST'],
    'confirmations',
  );

  await app.register(async (scope) => {
    // Ticket errors render the same inside an app of one's own; anything else goes to that app's handler.
    scope.setErrorHandler((error, _request, reply) => {
      if (!(error instanceof ServerError)) throw error;
      return reply.code(error.statusCode).headers(error.headers).send({ code: error.code, message: error.message });
    });
    if (options.rateLimit) {
      await scope.register(rateLimit, {
        global: true,
        max: options.rateLimit.max,
        timeWindow: options.rateLimit.timeWindow,
        // With Redis the counters are shared; while it is unreachable each instance counts on its own.
        ...(redis ? { store: fallbackStore(redis, 'cos-direct-rl-') as never } : {}),
        errorResponseBuilder: (request, context) =>
          new ServerError(
            'SRV_ERR_RATE_LIMITED',
            `too many requests: at most ${context.max} ${isConfirmation(request.routeOptions.url) ? 'confirmations' : 'tickets'} per ${context.after}`,
          ),
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
    for (const [path, issue, methods, budget] of routes) {
      scope.route({
        method: methods,
        url: path,
        ...(budget === 'confirmations' ? { config: confirmLimit } : {}),
        // HEAD would run the whole handler (an STS call) to answer nothing: it gets 405 below instead.
        exposeHeadRoute: false,
        preHandler: guard,
        handler: async (request) => {
          try {
            return { code: 0, data: await issue(paramsOf(request), request) };
          } catch (e) {
            if (e instanceof StsUpstreamError) request.log.error({ sts: e.detail }, 'STS refused to issue a temporary key');
            if (e instanceof StsUnreachableError) request.log.error({ sts: e.detail }, 'STS could not be reached');
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
