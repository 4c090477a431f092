import { CosDirectError } from './errors.js';
import { unquote } from './lib/check.js';
import { cosRequestPath } from './lib/request-path.js';
import type { RetryPolicy } from './lib/retry-policy.js';
import { ticketAuthorizer } from './lib/sign.js';
import { isExpiry } from './responses.js';
import { checkSize, contentTypeFor, expired, objectUrl, signedHeadersOf } from './ticket-limits.js';
import type { ConfirmedUpload, DirectTicket, Transport, UploadOptions, UploadResult, UploadSource } from './types.js';

/** One signed PUT of the whole source with a direct ticket; an expired ticket is refreshed once (it names a new key). */
export async function putUpload(
  transport: Transport,
  source: UploadSource,
  options: UploadOptions,
  policy: RetryPolicy,
  getTicket: () => Promise<DirectTicket>,
  confirm?: (confirmToken: string) => Promise<ConfirmedUpload>,
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
      return putResult(ticket, url, {
        etag: unquote(res.headers.etag),
        size: total,
        crc64: res.headers['x-cos-hash-crc64ecma'] ?? res.sent?.crc64 ?? '',
        contentType,
      });
    } catch (e) {
      if (sends > 1 && isOverwriteRefusal(e, signed)) return storedByEarlierAttempt(e, ticket, source, contentType, url, confirm);
      if (!isExpiry(e)) throw e;
      if (refreshed || !source.repeatable) throw expired(e);
    }
  }
}

/** COS's answer to a PUT signed with x-cos-forbid-overwrite when the key already holds an object. */
function isOverwriteRefusal(e: unknown, signed: Record<string, string>): e is CosDirectError {
  return (
    e instanceof CosDirectError && e.status === 409 && e.cosCode === 'FileAlreadyExists' && signed['x-cos-forbid-overwrite'] === 'true'
  );
}

/**
 * A PUT whose answer was lost (a reset, a cut body) may still have stored the object, and its retry is
 * then refused because the ticket forbids overwriting. The key is new and only this ticket can write it,
 * so the object is this upload's when the sign server's confirmation matches the source's size and
 * CRC-64; without a way to check, the refusal stands.
 */
async function storedByEarlierAttempt(
  refusal: CosDirectError,
  ticket: DirectTicket,
  source: UploadSource,
  contentType: string,
  url: string,
  confirm: ((confirmToken: string) => Promise<ConfirmedUpload>) | undefined,
): Promise<UploadResult> {
  if (!confirm || !ticket.confirmToken) throw refusal;
  const confirmed = await confirm(ticket.confirmToken);
  const local = await source.hashRange?.(0, source.size);
  if (confirmed.size !== source.size || (local && confirmed.crc64 && confirmed.crc64 !== local.crc64)) {
    throw new CosDirectError(
      'CLIENT_ERR_INTEGRITY',
      `${ticket.cosKey} holds ${confirmed.size} bytes (CRC-64 ${confirmed.crc64 ?? 'unknown'}), not the ${source.size} bytes sent (CRC-64 ${local?.crc64 ?? 'unknown'})`,
      { cause: refusal },
    );
  }
  return putResult(ticket, url, {
    etag: unquote(confirmed.etag),
    size: confirmed.size,
    crc64: confirmed.crc64 ?? local?.crc64 ?? '',
    contentType: confirmed.contentType ?? contentType,
    confirmed,
  });
}

/** What a PUT with `ticket` stored, as `upload()` answers it. */
function putResult(
  ticket: DirectTicket,
  url: string,
  stored: Pick<UploadResult, 'etag' | 'size' | 'crc64' | 'contentType' | 'confirmed'>,
): UploadResult {
  return {
    key: ticket.cosKey,
    host: ticket.cosHost,
    url,
    ...(ticket.downloadUrl ? { downloadUrl: ticket.downloadUrl } : {}),
    etag: stored.etag,
    size: stored.size,
    crc64: stored.crc64,
    method: 'put',
    contentType: stored.contentType,
    ...(stored.confirmed ? { confirmed: stored.confirmed } : {}),
  };
}
