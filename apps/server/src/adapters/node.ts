import type { IncomingMessage, ServerResponse } from 'node:http';
import { ServerError } from '../errors.js';
import {
  BODY_LIMIT,
  type CoreOrOptions,
  coreOf,
  parseBody,
  queryOf,
  render,
  type TicketHttpResponse,
  TicketHttp,
} from '../http/handler.js';
import type { CoreLogger, CosDirect } from '../service.js';

export interface NodeAdapterSetup {
  /** Where warnings, upstream failures and the audit lines go. */
  log?: CoreLogger;
  /** The client's address for per-address rate limits; by default Express's `req.ip`, else the socket's. */
  address?: (req: IncomingMessage) => string | undefined;
}

/** An Express/Connect middleware, also a plain `node:http` listener, that answers the ticket routes. */
export interface CosDirectMiddleware {
  (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void): void;
  readonly core: CosDirect;
  /** Closes what the middleware opened (its Redis connection); a core passed in is left to its owner. */
  close(): Promise<void>;
}

type BodyParsed = IncomingMessage & { body?: unknown; ip?: string };

/**
 * Reads the body unless a body parser (express.json(), urlencoded) already did; a parser that found
 * nothing to parse leaves the stream read or an empty object, and either way there is nothing left.
 */
async function bodyOf(req: BodyParsed): Promise<unknown> {
  if (req.body !== undefined && (typeof req.body !== 'object' || req.body === null || Object.keys(req.body).length > 0)) return req.body;
  if (req.readableEnded || req.method === 'GET' || req.method === 'HEAD') return undefined;
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > BODY_LIMIT) throw new ServerError('SRV_ERR_BODY_TOO_LARGE');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > BODY_LIMIT) throw new ServerError('SRV_ERR_BODY_TOO_LARGE');
    chunks.push(chunk as Buffer);
  }
  return parseBody(Buffer.concat(chunks).toString('utf8'), req.headers['content-type']);
}

function send(res: ServerResponse, answer: TicketHttpResponse): void {
  res.statusCode = answer.status;
  for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
  if (answer.body === undefined) {
    res.end();
    return;
  }
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(answer.body));
}

/**
 * The ticket routes for Express, Connect or `node:http`: `app.use('/uploads', cosDirectMiddleware(options))`.
 * Paths that are not ticket routes go on to `next` (without one: 404). Errors of the app's own hooks go to
 * `next(error)`, the framework's error handling; without `next` they answer 500 `SRV_ERR_INTERNAL`.
 */
export function cosDirectMiddleware(options: CoreOrOptions, setup: NodeAdapterSetup = {}): CosDirectMiddleware {
  const { core, owned } = coreOf(options, setup.log ? { log: setup.log } : {});
  const http = new TicketHttp(core, setup.log);
  const addressOf = setup.address ?? ((req: BodyParsed) => req.ip ?? req.socket?.remoteAddress);
  const middleware = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => {
    // Express and Connect strip the mount path from req.url; the query comes with it.
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!TicketHttp.routes(url.pathname)) {
      if (next) next();
      else send(res, render(new ServerError('SRV_ERR_NOT_FOUND', `no route ${req.method} ${url.pathname}`)));
      return;
    }
    (async () => {
      let answer: TicketHttpResponse | undefined;
      try {
        answer = await http.handle({
          method: req.method ?? 'GET',
          path: url.pathname,
          query: queryOf(url.searchParams),
          body: await bodyOf(req as BodyParsed),
          origin: req.headers.origin,
          address: addressOf(req),
          request: req,
          ...(setup.log ? { log: setup.log } : {}),
        });
      } catch (e) {
        if (e instanceof ServerError) answer = render(e);
        else if (next) return next(e);
        else {
          setup.log?.error({ err: { message: (e as Error)?.message } }, 'unexpected error');
          answer = render(new ServerError('SRV_ERR_INTERNAL'));
        }
      }
      send(res, answer!);
    })().catch((e) => (next ? next(e) : res.destroy(e as Error)));
  };
  return Object.assign(middleware, { core, close: () => (owned ? core.close() : Promise.resolve()) });
}
