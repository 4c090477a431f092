import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import type { IdentityLabel } from '../diagnostics/request-log.js';
import type { FaultRule } from '../faults/rules.js';
import { header } from '../http/headers.js';
import { type DialectReading, readDialect } from '../http/s3-dialect.js';
import type { Operation } from '../operation-names.js';

/** What the pipeline learns about a request, kept on the request for the error stage and the log line. */
export interface RequestState {
  /** The raw request target, the Host header, and `<host><path>` as error documents and logs name it. */
  url: string;
  host: string;
  resource: string;
  cors: Record<string, string>;
  /** The COS operation, or the STS action as `sts:<Action>`, for logs and refusals. */
  operation?: Operation | `sts:${string}`;
  /**
   * Headers as COS reads them: S3's x-amz-* names mapped to COS's (`http/s3-dialect.ts`). Every stage
   * but authentication reads these.
   */
  headers: FastifyRequest['headers'];
  /** Headers as sent, which signatures cover (Fastify drops an empty Content-Type, which the official SDKs send). */
  signedHeaders: FastifyRequest['headers'];
  /** What became of the request's x-amz-* headers and parameters. */
  dialect: DialectReading;
  /** For the request log: what the emulator accepted without acting on it, and why (never an unsaid drop). */
  notes: string[];
  /** The body as handlers read it: the socket's stream, or the timeout watchdog in front of it (`watchBody`). */
  body: Readable;
  /** Set once the client went away before the answer: nothing to answer, nothing to record. */
  clientGone: boolean;
  /** Set when a timeout cut the body short: the connection closes after the answer. */
  timedOut: boolean;
  /** For the request log: when it came, who it acted as, what it touched, how it was refused, which fault fired. */
  start: number;
  identity?: IdentityLabel;
  bucket?: string;
  key?: string;
  refusal?: { code: string; reason?: string; details?: Record<string, string> };
  fault?: FaultRule;
  admin?: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `admit` when the request arrives (null until then: `decorateRequest`'s initial value). */
    cos: RequestState | null;
  }
}

/** A client that hung up before its request was complete: nobody to answer. */
export class ClientGone extends Error {
  override readonly name = 'ClientGone';
}

// Request and trace ids look like COS's: opaque base64 of 16 bytes. They need to be unique, not secret:
// a random prefix drawn once per process and a counter, cheaper than random bytes per request.
const idBytes = randomBytes(16);
let idSeq = 0;
export const opaqueId = (): string => {
  idSeq = (idSeq + 1) % 2 ** 48;
  idBytes.writeUIntBE(idSeq, 10, 6);
  return idBytes.toString('base64');
};

/**
 * Stage 1 (onRequest): per-request state. A body starts as the socket's stream; `watchBody` may put the
 * timeout watchdog in front of it.
 */
export function admit(request: FastifyRequest): RequestState {
  const headers = request.headers['content-type'] === '' ? { ...request.headers } : request.headers;
  if (request.headers['content-type'] === '') delete request.headers['content-type'];
  const raw = request.raw;
  const url = raw.url ?? '/';
  const host = header(headers, 'host') ?? '';
  const q = url.indexOf('?');
  const dialect = readDialect(headers, url);
  request.cos = {
    url,
    host,
    resource: host + (q < 0 ? url : url.slice(0, q)),
    cors: {},
    headers: dialect.headers,
    signedHeaders: headers,
    dialect,
    notes: [...dialect.notes],
    body: raw,
    clientGone: false,
    timedOut: false,
    start: performance.now(),
  };
  return request.cos;
}

/** The request's state, admitting it first when it failed before the onRequest hook (a malformed URL). */
export const stateOf = (request: FastifyRequest): RequestState => request.cos ?? admit(request);
