import type { IncomingMessage, OutgoingHttpHeaders, Server, ServerResponse } from 'node:http';

/**
 * Response header names as COS spells them on the wire. Fastify keeps header names lower case, which
 * HTTP allows, but clients that read headers into a plain case-sensitive map (the official Python SDK
 * and coscmd look up `ETag` and `Content-Length`) break on that. COS sends the standard headers in
 * their canonical case and its own `x-cos-*` headers in lower case, so a name missing here is left as
 * it was set (lower case).
 */
export const COS_HEADER_CASE: Readonly<Record<string, string>> = {
  'accept-ranges': 'Accept-Ranges',
  'access-control-allow-credentials': 'Access-Control-Allow-Credentials',
  'access-control-allow-headers': 'Access-Control-Allow-Headers',
  'access-control-allow-methods': 'Access-Control-Allow-Methods',
  'access-control-allow-origin': 'Access-Control-Allow-Origin',
  'access-control-expose-headers': 'Access-Control-Expose-Headers',
  'access-control-max-age': 'Access-Control-Max-Age',
  allow: 'Allow',
  'cache-control': 'Cache-Control',
  connection: 'Connection',
  'content-disposition': 'Content-Disposition',
  'content-encoding': 'Content-Encoding',
  'content-language': 'Content-Language',
  'content-length': 'Content-Length',
  'content-md5': 'Content-MD5',
  'content-range': 'Content-Range',
  'content-type': 'Content-Type',
  date: 'Date',
  etag: 'ETag',
  expires: 'Expires',
  'keep-alive': 'Keep-Alive',
  'last-modified': 'Last-Modified',
  location: 'Location',
  'retry-after': 'Retry-After',
  server: 'Server',
  'transfer-encoding': 'Transfer-Encoding',
  vary: 'Vary',
  'www-authenticate': 'WWW-Authenticate',
  'x-accel-buffering': 'X-Accel-Buffering',
};

const cased = (name: string) => COS_HEADER_CASE[name.toLowerCase()] ?? name;

type WriteHead = ServerResponse['writeHead'];
const originalWriteHead = Symbol('writeHead');
type Patched = ServerResponse & { [originalWriteHead]: WriteHead };

function caseHeaderArgument(headers: unknown): unknown {
  if (!headers || typeof headers !== 'object') return headers;
  if (Array.isArray(headers)) {
    // Either a flat [name, value, name, value, …] list or a list of [name, value] pairs.
    if (headers.length > 0 && Array.isArray(headers[0])) return headers.map(([n, v]: [string, unknown]) => [cased(n), v]);
    return headers.map((item, i) => (i % 2 === 0 ? cased(String(item)) : item));
  }
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) out[cased(name)] = value as OutgoingHttpHeaders[string];
  return out;
}

function casedWriteHead(this: Patched, statusCode: number, ...rest: unknown[]) {
  // Headers set earlier with setHeader keep the name they were set with: set them again under COS's.
  for (const name of this.getHeaderNames()) {
    const want = COS_HEADER_CASE[name];
    if (want) this.setHeader(want, this.getHeader(name)!);
  }
  const at = typeof rest[0] === 'string' ? 1 : 0;
  if (rest.length > at) rest[at] = caseHeaderArgument(rest[at]);
  return (this[originalWriteHead] as (...args: unknown[]) => ServerResponse).call(this, statusCode, ...rest);
}

/**
 * Every response of `server` leaves with COS's header-name case, whichever layer set the header
 * (handlers, errors, CORS, STS, the admin endpoints, Fastify itself): the names are rewritten where
 * Node writes the status line, the one place every response passes through.
 */
export function caseResponseHeaders(server: Server): void {
  server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
    (res as Patched)[originalWriteHead] = res.writeHead;
    (res as { writeHead: unknown }).writeHead = casedWriteHead;
  });
}
