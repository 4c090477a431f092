import { randomBytes } from 'node:crypto';
import { ServerError } from './errors.js';

const MIME: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  bmp: 'image/bmp',
  webp: 'image/webp',
  heic: 'image/heic',
  svg: 'image/svg+xml',
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  webm: 'video/webm',
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  pdf: 'application/pdf',
  txt: 'text/plain',
  json: 'application/json',
  zip: 'application/zip',
};

export function mimeOf(ext: string): string {
  return MIME[ext] ?? 'application/octet-stream';
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

/** <prefix><yyyymmdd>/<128 random bits, base64url>.<ext>: unguessable, collision-free, nothing to percent-encode. */
export function newObjectKey(prefix: string, ext: string, nowSeconds: number): string {
  const d = new Date(nowSeconds * 1000);
  const day = `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
  return `${prefix}${day}/${randomBytes(16).toString('base64url')}.${ext}`;
}
