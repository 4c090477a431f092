import { OCTET_STREAM } from '@cos-direct/protocol';
import { contentTypeOfExtension } from '@cos-direct/signer/content-types';
import { randomFillSync } from 'node:crypto';
import { ServerError } from './errors.js';

export { OCTET_STREAM };

/**
 * Types a browser runs when it opens them from the bucket's domain: a page, a script, an SVG with
 * script, an XML document that can carry XHTML. An upload may store them only when configured.
 */
const ACTIVE_TYPES = new Set([
  'text/html',
  'application/xhtml+xml',
  'image/svg+xml',
  'text/javascript',
  'application/javascript',
  'text/xml',
  'application/xml',
]);

/** The extension's type as COS stores it by default (the signer's table, which the emulator uses too). */
export function mimeOf(ext: string): string {
  return contentTypeOfExtension(ext);
}

export function isActiveType(type: string): boolean {
  return ACTIVE_TYPES.has(type.toLowerCase());
}

/** The Content-Types an upload of this extension may store, and whether it must name one. */
export interface TypeRule {
  /** With the type limit on: the one type the ticket names. */
  ticketType?: string;
  allowed: string[];
  /** When true the request must carry one of `allowed`; otherwise it may also send none. */
  required: boolean;
}

/**
 * With the limit on, exactly the extension's type (or application/octet-stream when that type is
 * active and not allowed). With it off, application/octet-stream (the seed's Flutter client sends it)
 * or the extension's own type. A request without Content-Type is left to COS's default only when that
 * default cannot be an active type.
 */
export function typeRuleOf(ext: string, enforce: boolean, allowActive: boolean): TypeRule {
  const own = mimeOf(ext);
  const ownAllowed = allowActive || !isActiveType(own);
  if (enforce) {
    const ticketType = ownAllowed ? own : OCTET_STREAM;
    return { ticketType, allowed: [ticketType], required: true };
  }
  const allowed = ownAllowed && own !== OCTET_STREAM ? [OCTET_STREAM, own] : [OCTET_STREAM];
  return { allowed, required: !ownAllowed };
}

/**
 * The rule for a ticket whose client named the file's type: that one type, which must be one the
 * extension's rule allows, is then the only type the upload may store (and must send). Without one, the
 * extension's rule as it is.
 */
export function narrowTypeRule(rule: TypeRule, ext: string, raw: unknown): TypeRule {
  if (raw === undefined || raw === '') return rule;
  const type = typeof raw === 'string' ? raw.trim().toLowerCase() : undefined;
  if (type === undefined || !rule.allowed.includes(type)) {
    const shown = typeof raw === 'string' ? (raw.length > 60 ? `${raw.slice(0, 60)}…` : raw) : typeof raw;
    throw new ServerError(
      'SRV_ERR_INVALID_CONTENT_TYPE',
      `contentType "${shown}" is not allowed for .${ext}; allowed: ${rule.allowed.join(', ')}`,
    );
  }
  return { ticketType: type, allowed: [type], required: true };
}

/**
 * Checks the ext parameter against the allow-list. Only bare lower-case letters and digits pass, so
 * "../", dots, percent-encoding and control characters never reach a key.
 */
export function checkExtension(raw: unknown, allowed: readonly string[]): string {
  const allowedText = allowed.join(', ');
  if (typeof raw !== 'string' || raw === '') {
    throw new ServerError('SRV_ERR_INVALID_EXTENSION', `the ext parameter is required; allowed: ${allowedText}`);
  }
  const ext = raw.toLowerCase();
  if (ext.length > 10 || !/^[a-z0-9]+$/.test(ext) || !allowed.includes(ext)) {
    throw new ServerError(
      'SRV_ERR_INVALID_EXTENSION',
      `ext "${raw.length > 20 ? `${raw.slice(0, 20)}…` : raw}" is not allowed; allowed: ${allowedText}`,
    );
  }
  return ext;
}

// Random bytes for keys, drawn from the CSPRNG a page at a time: one call per 256 keys instead of one per key.
const POOL = Buffer.alloc(4096);
let poolOffset = POOL.length;

function random128(): string {
  if (poolOffset + 16 > POOL.length) {
    randomFillSync(POOL);
    poolOffset = 0;
  }
  const bits = POOL.toString('base64url', poolOffset, poolOffset + 16);
  poolOffset += 16;
  return bits;
}

/**
 * <prefix>[<yyyymmdd>/]<128 random bits, base64url>.<ext>: unguessable, collision-free, nothing to
 * percent-encode. The random name is always the server's, whoever chose the prefix.
 */
export function newObjectKey(prefix: string, ext: string, nowSeconds: number, dateFolder = true): string {
  if (!dateFolder) return `${prefix}${random128()}.${ext}`;
  const d = new Date(nowSeconds * 1000);
  const day = `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
  return `${prefix}${day}/${random128()}.${ext}`;
}

// What a key takes beside the folders: "yyyymmdd/", 22 characters of randomness, "." and the extension.
const KEY_TAIL_BYTES = 9 + 22 + 1 + 10;
const FOLDER = /^(?:[A-Za-z0-9_-][A-Za-z0-9._-]*\/)*$/;

/**
 * Checks a folder the app's `keyFolder` chose: relative folder names of safe characters each ending in
 * "/", none of them "." or ".." (COS would store them literally, but a path-minded reader would not), and
 * short enough that the whole key stays within COS's key length.
 */
export function checkKeyFolder(folder: unknown, keyPrefix: string, maxKeyBytes: number): string {
  const refuse = (why: string) =>
    new ServerError('SRV_ERR_INVALID_KEY_FOLDER', `keyFolder returned ${JSON.stringify(String(folder).slice(0, 80))}: ${why}`);
  if (typeof folder !== 'string') throw refuse('not a string');
  if (!FOLDER.test(folder) || folder.split('/').some((s) => s === '.' || s === '..')) {
    throw refuse('use folder names of letters, digits, ".", "_", "-", each ending in "/", never "." or ".." and no leading "/"');
  }
  if (keyPrefix.length + folder.length + KEY_TAIL_BYTES > maxKeyBytes) throw refuse(`a key under it would exceed ${maxKeyBytes} bytes`);
  return folder;
}
