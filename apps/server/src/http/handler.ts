import { SENDS_HEADERS_PARAM, SIGN_SERVER_PATHS } from '@cos-direct/protocol';
import type { AppRequest, ResolvedServerOptions, ServerOptions } from '../config/index.js';
import { ServerError } from '../errors.js';
import { type CoreLogger, CosDirect, type CosDirectSetup, callerIdOf } from '../service.js';
import { type Budget, RateLimits } from './rate-limits.js';

/** A ticket request as every adapter sees it, whatever framework it came through. */
export interface TicketHttpRequest {
  method: string;
  /** The route, relative to where the tickets are mounted: "/sts-direct-sign", "/confirm", … */
  path: string;
  query: Record<string, unknown>;
  /** The parsed body (JSON or form fields), or nothing. */
  body: unknown;
  /** The Origin header, for CORS. */
  origin?: string | undefined;
  /** The client's address, for rate limits of callers the app did not name. */
  address?: string | undefined;
  /** The framework's own request, handed to `authenticate`, `keyFolder` and `onUploadConfirmed`. */
  request: AppRequest;
  log?: CoreLogger | undefined;
}

/** What to answer: status, headers and a JSON body (none for HEAD and preflights). */
export interface TicketHttpResponse {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

type Params = Record<string, unknown>;

interface Route {
  methods: readonly string[];
  /** Which rate-limit budget the route spends; /limits spends none. */
  budget?: Budget;
  run(core: CosDirect, p: Params, caller: { user: unknown; request: AppRequest; log?: CoreLogger | undefined }): Promise<unknown>;
}

const TICKET = ['GET', 'POST'] as const;
const ROUTES: Record<string, Route> = {
  [SIGN_SERVER_PATHS.directSign]: {
    methods: TICKET,
    budget: 'tickets',
    run: (c, p, who) => c.direct({ ...who, ext: p.ext, sendsHeaders: p[SENDS_HEADERS_PARAM] }),
  },
  [SIGN_SERVER_PATHS.postPolicy]: { methods: TICKET, budget: 'tickets', run: (c, p, who) => c.postPolicy({ ...who, ext: p.ext }) },
  [SIGN_SERVER_PATHS.multipart]: {
    methods: TICKET,
    budget: 'tickets',
    run: (c, p, who) => c.multipart({ ...who, ext: p.ext, size: p.size }),
  },
  [SIGN_SERVER_PATHS.confirm]: {
    methods: ['POST'],
    budget: 'confirm',
    run: (c, p, who) => c.confirm({ ...who, confirmToken: p.confirmToken }),
  },
  [SIGN_SERVER_PATHS.completeMultipart]: {
    methods: ['POST'],
    budget: 'complete',
    run: (c, p, who) => c.completeMultipart({ ...who, confirmToken: p.confirmToken, uploadId: p.uploadId }),
  },
  [SIGN_SERVER_PATHS.multipartRefresh]: {
    methods: ['POST'],
    budget: 'refresh',
    run: (c, p, who) => c.refreshMultipart({ ...who, confirmToken: p.confirmToken, uploadId: p.uploadId }),
  },
  [SIGN_SERVER_PATHS.limits]: { methods: ['GET'], run: async (c) => c.limits() },
};

/** The routes every adapter mounts, relative to its mount point. */
export const TICKET_PATHS: readonly string[] = Object.keys(ROUTES);

/** The largest request body a ticket route reads: a confirmToken and an uploadId fit many times over. */
export const BODY_LIMIT = 16 * 1024;

export const render = (e: ServerError, headers: Record<string, string> = {}): TicketHttpResponse => ({
  status: e.statusCode,
  headers: { ...headers, ...e.headers },
  body: { code: e.code, message: e.message },
});

/**
 * The ticket routes over HTTP, without a framework: methods, CORS for these routes only, the app's
 * authentication, rate limits per user or address, and JSON errors with stable codes. Each adapter
 * turns its framework's request into a `TicketHttpRequest` and writes back the answer.
 */
export class TicketHttp {
  readonly core: CosDirect;
  readonly #limits: RateLimits | undefined;
  readonly #origins: readonly string[];

  constructor(core: CosDirect, log?: CoreLogger) {
    this.core = core;
    const o = core.options;
    if (!core.authenticator) {
      log?.warn(
        {},
        'the ticket endpoints are open to anyone: configure AUTH_TOKENS, JWT_SECRET or JWKS_URL (or pass authenticate) before exposing this server',
      );
    }
    this.#limits = o.rateLimit ? new RateLimits(o.rateLimit, core.redis) : undefined;
    this.#origins = o.corsOrigins;
  }

  /** The route a path names, if it is one of ours. */
  static routes(path: string): boolean {
    return Object.hasOwn(ROUTES, path);
  }

  /**
   * The answer to one request of a ticket route; undefined for a path that is not one. Errors of the
   * app's own hooks (other than a ServerError) are thrown, for the framework's own error handling.
   */
  async handle(req: TicketHttpRequest): Promise<TicketHttpResponse | undefined> {
    const route = Object.hasOwn(ROUTES, req.path) ? ROUTES[req.path]! : undefined;
    if (!route) return undefined;
    const cors = this.#cors(req.origin);
    if (req.method === 'OPTIONS' && this.#origins.length > 0) {
      return {
        status: 204,
        headers: cors.vary
          ? {
              ...cors,
              'access-control-allow-methods': route.methods.join(', '),
              'access-control-allow-headers': 'Authorization, Content-Type',
              'access-control-max-age': '600',
            }
          : cors,
      };
    }
    if (!route.methods.includes(req.method)) {
      // HEAD would run the whole route (an STS call) to answer nothing: it gets 405 like any other method.
      const e = new ServerError('SRV_ERR_METHOD_NOT_ALLOWED', `${req.method} is not allowed here; use ${route.methods.join(' or ')}`);
      const answer = render(e, { ...cors, allow: route.methods.join(', ') });
      return req.method === 'HEAD' ? { status: answer.status, headers: answer.headers } : answer;
    }
    let headers = cors;
    try {
      const user = await this.#authenticate(req);
      if (route.budget && this.#limits) {
        const id = callerIdOf(user);
        const verdict = await this.#limits.hit(route.budget, id !== undefined ? `user:${id}` : `ip:${req.address ?? 'unknown'}`);
        headers = { ...cors, ...verdict.headers };
        if (verdict.over) throw new ServerError('SRV_ERR_RATE_LIMITED', verdict.message);
      }
      const params = { ...req.query, ...(req.body && typeof req.body === 'object' ? (req.body as Params) : {}) };
      const data = await route.run(this.core, params, { user, request: req.request, log: req.log });
      return { status: 200, headers, body: { code: 0, data } };
    } catch (e) {
      if (e instanceof ServerError) return render(e, headers);
      throw e;
    }
  }

  /** The caller as the app's authentication names it; failed attempts count against the address. */
  async #authenticate(req: TicketHttpRequest) {
    try {
      return await this.core.authenticate(req.request, req.log);
    } catch (e) {
      const refused = e instanceof ServerError && (e.code === 'SRV_ERR_UNAUTHENTICATED' || e.code === 'SRV_ERR_FORBIDDEN');
      if (refused && this.#limits) {
        const verdict = await this.#limits.hit('signin', `ip:${req.address ?? 'unknown'}`);
        if (verdict.over) throw new ServerError('SRV_ERR_RATE_LIMITED', verdict.message);
      }
      throw e;
    }
  }

  #cors(origin: string | undefined): Record<string, string> {
    if (this.#origins.length === 0) return {};
    const allowed = origin !== undefined && (this.#origins.includes('*') || this.#origins.includes(origin));
    return allowed ? { 'access-control-allow-origin': origin, vary: 'Origin' } : { vary: 'Origin' };
  }
}

/** What an adapter takes: options (validated once, here), or a core the app already made. */
export type CoreOrOptions = CosDirect | ServerOptions | Readonly<ResolvedServerOptions>;

/** The core an adapter works over, and whether the adapter made it (and so closes it). */
export function coreOf(given: CoreOrOptions, setup?: CosDirectSetup): { core: CosDirect; owned: boolean } {
  if (given instanceof CosDirect) return { core: given, owned: false };
  return { core: new CosDirect(given, setup), owned: true };
}

/** Fields of a request body: JSON, or an HTML form's urlencoded fields. */
export function parseBody(text: string, contentType: string | undefined): Params | undefined {
  if (text === '') return undefined;
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') return Object.fromEntries(new URLSearchParams(text));
  if (type === 'application/json' || type.endsWith('+json')) {
    try {
      return JSON.parse(text) as Params;
    } catch {
      throw new ServerError('SRV_ERR_BAD_REQUEST', 'the request is malformed: the body is not valid JSON');
    }
  }
  throw new ServerError('SRV_ERR_BAD_REQUEST', `the request is malformed: a body of type "${type || 'none'}" is not read; send JSON`);
}

/** The first value of each query parameter. */
export function queryOf(search: URLSearchParams): Params {
  const query: Params = {};
  for (const [k, v] of search) if (!(k in query)) query[k] = v;
  return query;
}
