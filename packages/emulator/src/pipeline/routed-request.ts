import type { Operation } from '../operation-names.js';

/** Where routing sent a request: its operation, bucket and key, and the query as COS reads it. Handlers read it. */
export interface RoutedRequest {
  operation: Operation;
  /** Long bucket name ('' for service requests). */
  bucket: string;
  key: string;
  style: 'virtual-hosted' | 'path' | 'default-bucket' | 'service';
  /** Decoded path as clients sign it: includes the bucket segment in path style. */
  signedPath: string;
  query: Record<string, string>;
  /**
   * The query with lower-cased names (the first of each name wins), for the parameters COS reads by
   * name whatever their case: a signature covers names lower-cased, so re-casing a signed
   * `response-content-disposition` must not drop it.
   */
  params: Record<string, string>;
  hostname: string;
}
