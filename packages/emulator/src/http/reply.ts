import type { Readable } from 'node:stream';

/** An answer as a handler or a route gives it; the pipeline sends it (or, under a fault rule, breaks it). */
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer | Readable;
}

export const XML = { 'content-type': 'application/xml' };

export function isoDate(ms: number): string {
  return new Date(ms).toISOString();
}
