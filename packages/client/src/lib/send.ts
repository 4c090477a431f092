import type { Transport } from '../types.js';
import type { Dispatch } from './dispatch.js';

/** The query as COS reads it: `uploads` alone for an empty value, else name=value, each percent-encoded. */
export function queryString(query: Readonly<Record<string, string>> = {}): string {
  return Object.entries(query)
    .map(([k, v]) => (v === '' ? encodeURIComponent(k) : `${encodeURIComponent(k)}=${encodeURIComponent(v)}`))
    .join('&');
}

/** The bottom of the path: one attempt through the platform's transport, with a fresh body. */
export function send(transport: Transport): Dispatch {
  return (req) => {
    const query = queryString(req.query);
    return transport.send({
      method: req.method,
      url: query ? `${req.url}?${query}` : req.url,
      headers: req.headers,
      ...(req.body ? { body: req.body(), bodySize: req.bodySize } : {}),
      ...(req.signal ? { signal: req.signal } : {}),
      ...(req.onProgress ? { onProgress: req.onProgress } : {}),
    });
  };
}
