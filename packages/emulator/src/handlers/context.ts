import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { EmulatorConfig } from '../config.js';
import type { BucketRecord, Stores } from '../persistence/index.js';
import type { RequestAccess } from '../pipeline/identity.js';
import type { RoutedRequest } from '../pipeline/routed-request.js';

/** What a handler gets of a request once the pipeline has routed, authenticated and authorized it. */
export interface HandlerContext {
  config: EmulatorConfig;
  stores: Stores;
  routed: RoutedRequest;
  /** Present for every operation on an existing bucket. */
  bucket: BucketRecord;
  headers: IncomingHttpHeaders;
  body: Readable;
  /** The request's time, in unix seconds. */
  now: number;
  /** Host header as sent. */
  host: string;
  protocol: 'http' | 'https';
  /** Who the request acts as, and the further checks a handler may ask for. */
  access: RequestAccess;
  /** Logs a warning under the request id (what --loose let through). */
  warn(message: string): void;
}

/** What GET Service and PUT Bucket see: the same, with a bucket only if it exists. */
export type ServiceContext = Omit<HandlerContext, 'bucket'> & { bucket?: BucketRecord };
