import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { EmulatorConfig } from '../config.js';
import type { BucketRecord, Stores } from '../persistence/index.js';
import type { Identity } from '../pipeline/authenticate.js';
import type { RoutedRequest } from '../pipeline/route.js';
import type { RequestContext } from '../policy/index.js';
import type { StsService } from '../sts/index.js';

export interface HandlerContext {
  config: EmulatorConfig;
  stores: Stores;
  routed: RoutedRequest;
  /** Present for every operation on an existing bucket. */
  bucket: BucketRecord;
  headers: IncomingHttpHeaders;
  body: Readable;
  now: number;
  /** Host header as sent. */
  host: string;
  protocol: 'http' | 'https';
  identity: Identity;
  /** Policy context of this request (cos:content-length, qcs:ip, …). */
  policyContext: RequestContext;
  /** Checks a further action, e.g. GetObject on a copy source or DeleteObject per key. */
  authorizeAlso(action: string, key: string, bucket?: string): void;
  /** Checks an action on this bucket for another identity and policy context (a POST form signs itself). */
  authorizeAs(identity: Identity, action: string, key: string, context: RequestContext): void;
  sts: StsService;
  /** Logs a warning under the request id (what --loose let through). */
  warn(message: string): void;
}

/** What GET Service and PUT Bucket see: the same, with a bucket only if it exists. */
export type ServiceContext = Omit<HandlerContext, 'bucket'> & { bucket?: BucketRecord };

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer | Readable;
}

export const XML = { 'content-type': 'application/xml' };

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** Reads a small request body (XML documents), refusing anything over `limit` bytes. */
export async function readSmallBody(body: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error(`the request body exceeds ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

export function isoDate(ms: number): string {
  return new Date(ms).toISOString();
}
