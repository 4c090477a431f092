import { abortError, CosDirectError } from '../errors.js';
import { CORS_REFUSED, UNNAMED_NETWORK_ERROR } from '../lib/retry-policy.js';
import type { HttpRequest, HttpResponse, Transport } from '../types.js';

function parseHeaders(raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of raw.trim().split(/[\r\n]+/)) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return out;
}

/**
 * Why a request failed without an answer, as far as a browser lets a page know: it says nothing, on
 * purpose. A CORS refusal needs another origin and, when it is the preflight or the answer that is
 * withheld, no body sent; then a no-cors GET of the same origin (whose answer is opaque and needs no CORS)
 * tells a server that answers from one that cannot be reached. An untrusted certificate fails both, so
 * it reads as unreachable in browsers.
 */
async function whyFailed(url: string, sentBytes: number): Promise<string> {
  const page = (globalThis as { location?: { origin?: string } }).location?.origin;
  const origin = new URL(url).origin;
  if (!page || page === origin || sentBytes > 0 || typeof fetch !== 'function') return UNNAMED_NETWORK_ERROR;
  try {
    const timeout = typeof AbortSignal.timeout === 'function' ? { signal: AbortSignal.timeout(5000) } : {};
    await fetch(`${origin}/`, { mode: 'no-cors', cache: 'no-store', credentials: 'omit', ...timeout });
    return CORS_REFUSED;
  } catch {
    return UNNAMED_NETWORK_ERROR;
  }
}

/** XMLHttpRequest: the one browser API that reports upload progress. */
export function xhrTransport(): Transport {
  return {
    send(req: HttpRequest): Promise<HttpResponse> {
      return new Promise((resolve, reject) => {
        if (req.signal?.aborted) return reject(abortError());
        const xhr = new XMLHttpRequest();
        xhr.open(req.method, req.url);
        // Browsers set Host and Content-Length themselves and refuse scripts that try.
        for (const [k, v] of Object.entries(req.headers)) {
          if (k !== 'host' && k !== 'content-length') xhr.setRequestHeader(k, v);
        }
        xhr.responseType = 'text';
        let sentBytes = 0;
        // A listener on xhr.upload makes the browser preflight even a simple request: only for a body.
        if (req.body !== undefined) {
          xhr.upload.onprogress = (e) => {
            sentBytes = e.loaded;
            req.onProgress?.(e.loaded);
          };
        }
        const onAbort = () => xhr.abort();
        req.signal?.addEventListener('abort', onAbort, { once: true });
        const done = () => req.signal?.removeEventListener('abort', onAbort);
        xhr.onload = () => {
          done();
          resolve({ status: xhr.status, headers: parseHeaders(xhr.getAllResponseHeaders()), text: xhr.responseText });
        };
        xhr.onerror = async () => {
          const networkCode = await whyFailed(req.url, sentBytes);
          done();
          if (req.signal?.aborted) return reject(abortError());
          const why =
            networkCode === CORS_REFUSED
              ? 'the server answers, but not to this origin (CORS)'
              : 'no answer (network error or CORS refusal)';
          reject(
            new CosDirectError('CLIENT_ERR_NETWORK', `${req.method} ${new URL(req.url).origin}: the request failed: ${why}`, {
              networkCode,
            }),
          );
        };
        xhr.onabort = () => {
          done();
          reject(abortError());
        };
        xhr.send((req.body as XMLHttpRequestBodyInit | undefined) ?? null);
      });
    },
  };
}
