import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ConfigError } from './config/index.js';
import { ServerError } from './errors.js';
import { BODY_LIMIT, type CoreOrOptions, coreOf, TICKET_PATHS, TicketHttp } from './http/handler.js';
import type { CosDirect } from './service.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Why the instance cannot enforce what it promises across instances right now, if it cannot. */
    cosDirectDegraded?: () => string | undefined;
  }
}

export interface CosDirectPluginOptions {
  /** Options (validated here, once), or a core made with `createCosDirect` to share with other routes. */
  options: CoreOrOptions;
  /** Where the routes go: `/uploads` serves `/uploads/sts-direct-sign`, and so on. */
  prefix?: string;
}

// Mount points taken by the plugin, per app: a second registration at the same one would
// collide route by route, so it is refused up front with one message that says what to do.
const mounted = new WeakMap<object, Set<string>>();

/**
 * The ticket routes as a Fastify plugin: a thin adapter over `TicketHttp`. Its routes, CORS and error
 * answers live in a scope of their own under `prefix`, so the host app's other routes are untouched.
 */
const ticketRoutes: FastifyPluginAsync<CosDirectPluginOptions> = async (app, opts) => {
  const { core, owned } = coreOf(opts.options, { log: app.log });
  if (owned) app.addHook('onClose', () => core.close());
  const http = new TicketHttp(core, app.log);
  // Health says when the shared limits are not enforced; the instance keeps serving (it fails open).
  if (!app.hasDecorator('cosDirectDegraded')) app.decorate('cosDirectDegraded', () => core.degraded());

  const prefix = `${app.prefix}${(opts.prefix ?? '').replace(/\/+$/, '')}`;
  // Every instance of one app shares its http.Server, encapsulated or not.
  const taken = mounted.get(app.server) ?? new Set<string>();
  mounted.set(app.server, taken);
  if (taken.has(prefix)) {
    throw new ConfigError([
      {
        code: 'SRV_ERR_CONFIG_CONFLICT',
        option: 'prefix',
        message: `the ticket routes are already registered at "${prefix || '/'}": register them once, or again under another prefix`,
      },
    ]);
  }
  taken.add(prefix);

  await app.register(
    async (scope) => {
      // Ticket errors render the same inside an app of one's own; anything else goes to that app's handler.
      scope.setErrorHandler((error, _request, reply) => {
        if (!(error instanceof ServerError)) throw error;
        return reply.code(error.statusCode).headers(error.headers).send({ code: error.code, message: error.message });
      });
      for (const path of TICKET_PATHS) {
        scope.route({
          method: ['GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'],
          url: path,
          exposeHeadRoute: false,
          bodyLimit: BODY_LIMIT,
          handler: async (request: FastifyRequest, reply) => {
            const answer = await http.handle({
              method: request.method,
              path,
              query: (request.query ?? {}) as Record<string, unknown>,
              body: request.body,
              origin: request.headers.origin,
              address: request.ip,
              request,
              log: request.log,
            });
            reply.code(answer!.status).headers(answer!.headers);
            return answer!.body === undefined ? reply.send() : reply.send(answer!.body);
          },
        });
      }
    },
    { prefix: opts.prefix ?? '' },
  );
};

export const cosDirectTickets = fp(ticketRoutes, { name: '@cos-direct/server', fastify: '5.x' });

export type { CosDirect };
