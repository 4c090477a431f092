import { encodeKeyPath } from '@cos-direct/signer';
import { OCTET_STREAM, type SignServerLimits } from '@cos-direct/protocol';
import { CosDirectError } from './errors.js';

/** The object's URL: the one the ticket names (the sign server knows the endpoint), else COS's virtual-host form. */
export function objectUrl(host: string, key: string, cosUrl?: string): string {
  return cosUrl ?? `https://${host}${encodeKeyPath(key)}`;
}

/**
 * The Content-Type to send: the one the ticket names (its type limit is on), else the wanted type or the
 * extension's own type when the ticket lists it as allowed, else application/octet-stream (what a ticket
 * from a seed-style server, which lists nothing, surely allows).
 */
export function contentTypeFor(ticket: { contentType?: string; contentTypes?: string[] }, wanted?: string): string {
  if (ticket.contentType) return ticket.contentType;
  const allowed = ticket.contentTypes ?? [];
  if (wanted && allowed.includes(wanted)) return wanted;
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
