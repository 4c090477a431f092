import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { CosErrors } from './errors/index.js';
import { caseResponseHeaders } from './http/header-case.js';
import type { AppDeps } from './pipeline/deps.js';
import { requestHandler } from './pipeline/handle.js';
import { logRequest, logResponse } from './pipeline/log-request.js';
import { refuseError, refuseFrameworkError } from './pipeline/refuse.js';
import { admit, opaqueId } from './pipeline/request-state.js';

const METHODS = ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'OPTIONS'];

/** Builds one listener's Fastify app; the http and https listeners share stores and STS. */
export function buildApp(deps: AppDeps, protocol: 'http' | 'https', https?: { key: string; cert: string }): FastifyInstance {
  const app = Fastify({
    logger: deps.config.logger as never,
    ...(https ? { https } : {}),
    genReqId: opaqueId,
    requestIdHeader: false,
    exposeHeadRoutes: false,
    routerOptions: { maxParamLength: 65535 },
    // One line per request is written by the onResponse hook instead, without the query (which can hold a token).
    logController: new LogController({ disableRequestLogging: true }),
    forceCloseConnections: true,
    return503OnClosing: true,
    // Bodies stream straight to the stores; this only bounds what Fastify itself would buffer.
    bodyLimit: 1024 * 1024,
    frameworkErrors: (error, request, reply) => refuseFrameworkError(deps.refusals, error, request, reply),
  }) as unknown as FastifyInstance;
  caseResponseHeaders(app.server);

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, _payload, done) => done(null));
  app.decorateRequest('cos', null);

  // Hooks take callbacks rather than being async: a promise per hook per request is measurable on small requests.
  app.addHook('onRequest', (request, reply, done) => {
    admit(request);
    reply.raw.once('close', () => logRequest(deps.requests, request, reply));
    done();
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    const cors = request.cos?.cors;
    if (cors) for (const k in cors) if (!reply.hasHeader(k)) reply.header(k, cors[k]);
    done(null, payload);
  });
  app.addHook('onResponse', (request, reply, done) => {
    logResponse(request, reply);
    done();
  });

  const handle = requestHandler({ ...deps, protocol });
  app.route({ method: METHODS, url: '/*', handler: handle });
  app.route({ method: METHODS, url: '/', handler: handle });
  app.setNotFoundHandler((request) => {
    throw CosErrors.methodNotAllowed(`${request.method} is not a COS method`);
  });
  app.setErrorHandler((error, request, reply) => refuseError(deps.refusals, error, request, reply));
  return app;
}
