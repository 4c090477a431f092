import type { IncomingHttpHeaders } from 'node:http';

/**
 * The x-cos-* request headers the emulator implements (or that carry no behaviour, like the SDK's
 * retry marker). Any other x-cos-* header, and the CI header Pic-Operations, asks for a feature the
 * emulator does not have: it is refused with 501 naming it, or with --loose accepted with a warning.
 */
const IMPLEMENTED = new Set([
  'x-cos-acl',
  'x-cos-storage-class',
  'x-cos-security-token',
  'x-cos-copy-source',
  'x-cos-copy-source-if-match',
  'x-cos-copy-source-if-none-match',
  'x-cos-metadata-directive',
  'x-cos-forbid-overwrite',
  'x-cos-sdk-retry',
]);

/** Whether a header or POST form field name asks for something the emulator does not implement. */
export function isUnimplemented(name: string): boolean {
  const lower = name.toLowerCase();
  if (lower === 'pic-operations') return true;
  if (!lower.startsWith('x-cos-')) return false;
  return !lower.startsWith('x-cos-meta-') && !IMPLEMENTED.has(lower);
}

/** The request headers the emulator would otherwise silently ignore. */
export function unknownHeaders(headers: IncomingHttpHeaders): string[] {
  const out: string[] = [];
  for (const name of Object.keys(headers)) if (isUnimplemented(name)) out.push(name);
  return out;
}
