import { encodeKeyPath } from '@cos-direct/signer';
import { OCTET_STREAM } from '@cos-direct/protocol';
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
