import type { IncomingHttpHeaders } from 'node:http';

/** A header as one string: repeated headers joined with commas, as HTTP reads them. */
export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

export function headerEntries(headers: IncomingHttpHeaders): Array<[string, string]> {
  return Object.keys(headers).map((k) => [k, header(headers, k) ?? '']);
}

/**
 * Where a write reads what it is asked to store, by COS's lower-case header names: the request's headers,
 * or a POST form's fields. A dialect whose clients send other names (S3's x-amz-*) plugs in here, as a
 * source that answers COS's names from its own.
 */
export interface HeaderSource {
  /** The value sent under a COS header name, or undefined. */
  get(name: string): string | undefined;
  /** Every name and value sent, for the families read by prefix (x-cos-meta-*). */
  entries(): Iterable<[string, string]>;
  /** How a refusal names what was sent under `name` (a header, or a form field). */
  describe(name: string): string;
}

export function headerSource(headers: IncomingHttpHeaders): HeaderSource {
  return {
    get: (name) => header(headers, name),
    entries: () => headerEntries(headers),
    describe: (name) => name,
  };
}
