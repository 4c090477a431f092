import { CosDirectError } from '../errors.js';
import { cosError, xmlValue } from '../responses.js';
import type { HttpResponse } from '../types.js';
import type { Interceptor } from './dispatch.js';
import type { Failure } from './retry-policy.js';

/**
 * Whether an answer failed, and what the retry policy needs of it: any status outside 2xx, or an XML
 * `<Error>` document whatever the status (COS may answer a Complete Multipart Upload with 200 and an
 * error in the body).
 */
export function failureOf(res: HttpResponse): Failure | undefined {
  const xmlError = res.text.startsWith('<') && /<Error>/.test(res.text);
  if (res.status >= 200 && res.status < 300 && !xmlError) return undefined;
  const code = xmlError ? xmlValue(res.text, 'Code') : undefined;
  const retryAfter = res.headers['retry-after'];
  return { status: res.status, ...(code ? { code } : {}), ...(retryAfter ? { retryAfter } : {}) };
}

export const unquote = (etag: string | undefined) => (etag ?? '').replace(/^"|"$/g, '').toLowerCase();

/** The local checksums of the body against what COS reports for it: CRC-64 always, the MD5 ETag of a plain object or part. */
function checkIntegrity(res: HttpResponse, what: string) {
  const sent = res.sent;
  if (!sent) return;
  const requestId = res.headers['x-cos-request-id'];
  const remoteCrc = res.headers['x-cos-hash-crc64ecma'];
  if (remoteCrc && remoteCrc !== sent.crc64) {
    throw new CosDirectError('CLIENT_ERR_INTEGRITY', `${what}: COS reports CRC-64 ${remoteCrc}, the local data has ${sent.crc64}`, {
      requestId,
    });
  }
  const etag = unquote(res.headers.etag);
  if (sent.md5 && etag && !etag.includes('-') && etag !== sent.md5) {
    throw new CosDirectError('CLIENT_ERR_INTEGRITY', `${what}: COS reports ETag ${etag}, the local MD5 is ${sent.md5}`, { requestId });
  }
}

/**
 * Turns the final answer into the result or the typed error: a failed answer becomes CLIENT_ERR_COS
 * (code, status, request id, the emulator's reason); a body whose checksums differ from the bytes
 * sent becomes CLIENT_ERR_INTEGRITY.
 */
export function check(): Interceptor {
  return (next) => async (req) => {
    const res = await next(req);
    if (failureOf(res)) throw cosError(res, req.what);
    // A PUT's body is what COS stores (an object, a part); a POST's (Complete) is not, and its answer's
    // CRC-64 is the object's.
    if (req.method === 'PUT') checkIntegrity(res, req.what);
    return res;
  };
}
