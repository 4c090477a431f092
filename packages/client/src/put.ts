import { CosDirectError } from './errors.js';
import { unquote } from './lib/check.js';
import { cosRequestPath } from './lib/request-path.js';
import type { RetryPolicy } from './lib/retry-policy.js';
import { ticketAuthorizer } from './lib/sign.js';
import { isExpiry } from './responses.js';
import { checkSize, contentTypeFor, expired, objectUrl, signedHeadersOf } from './ticket-limits.js';
import type { DirectTicket, Transport, UploadOptions, UploadResult, UploadSource } from './types.js';

/** One signed PUT of the whole source with a direct ticket; an expired ticket is refreshed once (it names a new key). */
export async function putUpload(
  transport: Transport,
  source: UploadSource,
  options: UploadOptions,
  policy: RetryPolicy,
  getTicket: () => Promise<DirectTicket>,
): Promise<UploadResult> {
  const total = source.size;
  let sends = 0;
  // A one-shot stream cannot be sent twice: its first failure is final.
  const body = () => {
    if (sends++ > 0 && !source.repeatable) {
      throw new CosDirectError('CLIENT_ERR_INVALID_ARGUMENT', 'the source stream cannot be re-sent after a failed attempt');
    }
    return source.slice(0, total);
  };
  for (let refreshed = false; ; refreshed = true) {
    const ticket = await getTicket();
    checkSize(ticket, total);
    const url = objectUrl(ticket.cosHost, ticket.cosKey, ticket.cosUrl);
    const signed = signedHeadersOf(ticket);
    // A type the ticket signed is the one to send; the stored type is then what the PUT sent.
    const contentType = signed['content-type'] ?? contentTypeFor(ticket, options.contentType);
    try {
      const res = await cosRequestPath(
        transport,
        ticketAuthorizer(ticket),
        policy,
      )({
        what: `PUT ${ticket.cosKey}`,
        method: 'PUT',
        url,
        key: ticket.cosKey,
        headers: { ...signed, 'content-type': contentType },
        body,
        bodySize: total,
        ...(options.signal ? { signal: options.signal } : {}),
        onProgress: (sent) => options.onProgress?.(sent, total),
      });
      return {
        key: ticket.cosKey,
        host: ticket.cosHost,
        url,
        ...(ticket.downloadUrl ? { downloadUrl: ticket.downloadUrl } : {}),
        etag: unquote(res.headers.etag),
        size: total,
        crc64: res.headers['x-cos-hash-crc64ecma'] ?? res.sent?.crc64 ?? '',
        method: 'put',
        contentType,
      };
    } catch (e) {
      if (!isExpiry(e)) throw e;
      if (refreshed || !source.repeatable) throw expired(e);
    }
  }
}
