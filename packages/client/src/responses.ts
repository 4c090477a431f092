import { CosDirectError } from './errors.js';
import type { HttpResponse } from './types.js';

const decodeEntities = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** Text of the first <name> element of a small COS XML document. */
export function xmlValue(xml: string, name: string): string | undefined {
  const m = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml);
  return m ? decodeEntities(m[1]!) : undefined;
}

export function xmlValues(xml: string, name: string): string[] {
  const out: string[] = [];
  const re = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`, 'g');
  for (let m = re.exec(xml); m; m = re.exec(xml)) out.push(decodeEntities(m[1]!));
  return out;
}

/** The typed error for a COS refusal: code, status, request id, and the emulator's reason if any. */
export function cosError(res: HttpResponse, what: string): CosDirectError {
  const code = xmlValue(res.text, 'Code');
  const message = xmlValue(res.text, 'Message');
  const reason = xmlValue(res.text, 'Reason');
  const requestId = res.headers['x-cos-request-id'] ?? xmlValue(res.text, 'RequestId');
  return new CosDirectError(
    'CLIENT_ERR_COS',
    `${what} failed: HTTP ${res.status}${code ? ` ${code}` : ''}${message ? `: ${message}` : ''}${reason ? ` (${reason})` : ''}${requestId ? ` [request ${requestId}]` : ''}`,
    { status: res.status, cosCode: code, requestId, reason },
  );
}

/** A refusal that a fresh ticket cures: the signature window or the temporary key ran out. */
export function isExpiry(error: unknown): boolean {
  if (!(error instanceof CosDirectError) || error.code !== 'CLIENT_ERR_COS') return false;
  if (error.cosCode === 'ExpiredToken') return true;
  if (error.cosCode === 'InvalidAccessKeyId' && /expired/i.test(error.reason ?? error.message)) return true;
  return error.cosCode === 'AccessDenied' && /Request has expired/.test(error.message);
}
