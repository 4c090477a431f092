import { abortError, CosDirectError } from '../errors.js';
import { UNNAMED_NETWORK_ERROR } from '../lib/retry-policy.js';
import type { HttpRequest, HttpResponse, Transport } from '../types.js';

function parseHeaders(raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of raw.trim().split(/[\r\n]+/)) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return out;
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
        if (req.onProgress) xhr.upload.onprogress = (e) => req.onProgress!(e.loaded);
        const onAbort = () => xhr.abort();
        req.signal?.addEventListener('abort', onAbort, { once: true });
        const done = () => req.signal?.removeEventListener('abort', onAbort);
        xhr.onload = () => {
          done();
          resolve({ status: xhr.status, headers: parseHeaders(xhr.getAllResponseHeaders()), text: xhr.responseText });
        };
        xhr.onerror = () => {
          done();
          reject(
            new CosDirectError(
              'CLIENT_ERR_NETWORK',
              `${req.method} ${new URL(req.url).origin}: the request failed (network error or CORS refusal)`,
              { networkCode: UNNAMED_NETWORK_ERROR },
            ),
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
