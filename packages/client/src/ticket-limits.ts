import { encodeKeyPath } from '@cos-direct/signer';
import { OCTET_STREAM, type SignServerLimits } from '@cos-direct/protocol';
import { CosDirectError } from './errors.js';

/** The object's URL: the one the ticket names (the sign server knows the endpoint), else COS's virtual-host form. */
export function objectUrl(host: string, key: string, cosUrl?: string): string {
  return cosUrl ?? `https://${host}${encodeKeyPath(key)}`;
}

/**
 * The Content-Type to send. The types a ticket can carry: the one it names (its type limit is on), else the
 * ones it lists, else application/octet-stream alone (a seed-style ticket lists nothing, and that type is the
 * one it surely allows). A wanted type the ticket cannot carry is refused before a byte is sent, rather than
 * swapped for another behind the caller's back (an active type such as text/html is never listed). With none
 * wanted: the ticket's own, else the first listed type that is not application/octet-stream (the
 * extension's, so browsers can preview the object).
 */
export function contentTypeFor(ticket: { contentType?: string; contentTypes?: string[] }, wanted?: string): string {
  const listed = ticket.contentType ? [ticket.contentType] : (ticket.contentTypes ?? []);
  const allowed = listed.length > 0 ? listed : [OCTET_STREAM];
  if (wanted !== undefined) {
    const match = allowed.find((t) => t.toLowerCase() === wanted.trim().toLowerCase());
    if (match) return match;
    throw new CosDirectError(
      'CLIENT_ERR_CONTENT_TYPE_NOT_ALLOWED',
      `contentType "${wanted}" is not one the ticket allows (${allowed.join(', ')}): nothing was sent; leave contentType out to store the type the ticket chooses`,
      { contentType: wanted, allowedContentTypes: allowed },
    );
  }
  return allowed.find((t) => t !== OCTET_STREAM) ?? OCTET_STREAM;
}

/**
 * The headers a direct ticket signed, with lowercase names, to send exactly as given: a PUT without them
 * no longer matches the signature. A value that is not a string would be sent as something else, so a
 * malformed `headers` is the sign server's error, found before a byte is sent.
 */
export function signedHeadersOf(ticket: { headers?: Record<string, string>; cosKey: string }): Record<string, string> {
  const given: unknown = ticket.headers;
  if (given === undefined) return {};
  if (given === null || typeof given !== 'object' || Array.isArray(given)) {
    throw new CosDirectError('CLIENT_ERR_SIGN_SERVER', `the ticket for ${ticket.cosKey} has headers that are not an object`);
  }
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(given)) {
    if (typeof value !== 'string') {
      throw new CosDirectError('CLIENT_ERR_SIGN_SERVER', `the ticket for ${ticket.cosKey} has a header ${name} that is not a string`);
    }
    out[name.toLowerCase()] = value;
  }
  return out;
}

/** Refuses, before a byte is sent, a source larger than the ticket says it allows. */
export function checkSize(ticket: { maxSize?: number; cosKey: string }, size: number): void {
  if (ticket.maxSize !== undefined && size > ticket.maxSize) {
    throw new CosDirectError(
      'CLIENT_ERR_TOO_LARGE',
      `the source is ${size} bytes; the ticket for ${ticket.cosKey} allows at most ${ticket.maxSize}: nothing was sent`,
      { size, maxSize: ticket.maxSize },
    );
  }
}

/** The refusal of an expired key, as the error an upload ends with. */
export function expired(e: unknown): CosDirectError {
  return new CosDirectError('CLIENT_ERR_TICKET_EXPIRED', (e as Error).message, { ...(e as CosDirectError), cause: e });
}

/**
 * The largest file a multipart ticket is issued for, by the sign server's /limits: the smaller of its
 * per-file limit (maxSize, which holds for every ticket) and maxMultipartSize. Undefined when neither is set.
 */
export function multipartLimitOf(limits: SignServerLimits | undefined): number | undefined {
  const sizes = [limits?.maxSize, limits?.maxMultipartSize].filter((n): n is number => typeof n === 'number' && n > 0);
  return sizes.length > 0 ? Math.min(...sizes) : undefined;
}
