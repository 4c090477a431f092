/**
 * COS "UrlEncode": encodeURIComponent plus the five characters it leaves alone but COS encodes,
 * so only A-Z a-z 0-9 - _ . ~ stay literal.
 */
const UNRESERVED = /^[A-Za-z0-9\-_.~]*$/;

export function cosUrlEncode(value: string): string {
  // Most names and values need no encoding at all.
  if (UNRESERVED.test(value)) return value;
  const encoded = encodeURIComponent(value);
  // Fast path: most names and values contain none of the five.
  if (!/[!'()*]/.test(encoded)) return encoded;
  return encoded.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** URL path of an object key: every segment encoded, slashes kept. */
export function encodeKeyPath(key: string): string {
  return `/${cosUrlEncode(key).replace(/%2F/g, '/')}`;
}
