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

export interface FetchAdapterSetup {
  /** Where warnings, upstream failures and the audit lines go. */
  log?: CoreLogger;
  /**
   * Where the routes are mounted, e.g. "/api/uploads". Without it a request is routed by its last path
   * segment, which fits a catch-all route (Next.js `app/api/uploads/[...path]/route.ts`).
   */
  basePath?: string;
  /**
   * The client's address for per-address rate limits. A `Request` carries none: pass the platform's
   * (Deno's `info.remoteAddr`, a trusted proxy header). Without it, callers the app's authentication did
   * not name share one budget.
   */
  address?: (request: Request) => string | undefined;
}

/** A Web-standard handler: Next.js route handlers, Hono, Deno, Bun, Cloudflare and other workers. */
export interface CosDirectFetchHandler {
  (request: Request): Promise<Response>;
  readonly core: CosDirect;
  /** Closes what the handler opened (its Redis connection); a core passed in is left to its owner. */
  close(): Promise<void>;
}

function responseOf(answer: TicketHttpResponse): Response {
  if (answer.body === undefined) return new Response(null, { status: answer.status, headers: answer.headers });
  return new Response(JSON.stringify(answer.body), {
    status: answer.status,
    headers: { ...answer.headers, 'content-type': 'application/json; charset=utf-8' },
  });
}

async function bodyOf(request: Request): Promise<unknown> {
  if (request.method === 'GET' || request.method === 'HEAD' || !request.body) return undefined;
  if (Number(request.headers.get('content-length') ?? 0) > BODY_LIMIT) throw new ServerError('SRV_ERR_BODY_TOO_LARGE');
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > BODY_LIMIT) {
      await reader.cancel();
      throw new ServerError('SRV_ERR_BODY_TOO_LARGE');
    }
    chunks.push(value);
  }
  return parseBody(Buffer.concat(chunks).toString('utf8'), request.headers.get('content-type') ?? undefined);
}

/**
 * `(Request) => Promise<Response>` for the ticket routes. Errors of the app's own hooks answer 500
 * `SRV_ERR_INTERNAL` and are logged; a path that is not a ticket route answers 404 `SRV_ERR_NOT_FOUND`.
 */
export function createFetchHandler(options: CoreOrOptions, setup: FetchAdapterSetup = {}): CosDirectFetchHandler {
  const { core, owned } = coreOf(options, setup.log ? { log: setup.log } : {});
  const http = new TicketHttp(core, setup.log);
  const base = (setup.basePath ?? '').replace(/\/+$/, '');
  const pathOf = (pathname: string) => {
    if (setup.basePath === undefined) return pathname.slice(pathname.lastIndexOf('/'));
    return pathname.startsWith(`${base}/`) ? pathname.slice(base.length) : undefined;
  };
  const handler = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const path = pathOf(url.pathname);
    try {
      if (path === undefined || !TicketHttp.routes(path))
        throw new ServerError('SRV_ERR_NOT_FOUND', `no route ${request.method} ${url.pathname}`);
      const answer = await http.handle({
        method: request.method,
        path,
        query: queryOf(url.searchParams),
        body: await bodyOf(request),
        origin: request.headers.get('origin') ?? undefined,
        address: setup.address?.(request),
        request,
        ...(setup.log ? { log: setup.log } : {}),
      });
      return responseOf(answer!);
    } catch (e) {
      if (e instanceof ServerError) return responseOf(render(e));
      setup.log?.error({ err: { message: (e as Error)?.message } }, 'unexpected error');
      return responseOf(render(new ServerError('SRV_ERR_INTERNAL')));
    }
  };
  return Object.assign(handler, { core, close: () => (owned ? core.close() : Promise.resolve()) });
}
