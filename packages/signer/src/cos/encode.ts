/**
 * COS "UrlEncode": encodeURIComponent plus the five characters it leaves alone but COS encodes,
 * so only A-Z a-z 0-9 - _ . ~ stay literal.
 */
export function cosUrlEncode(value: string): string {
  const encoded = encodeURIComponent(value);
  // Fast path: most names and values contain none of the five.
  if (!/[!'()*]/.test(encoded)) return encoded;
  return encoded.replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/** URL path of an object key: every segment encoded, slashes kept. */
export function encodeKeyPath(key: string): string {
  return '/' + cosUrlEncode(key).replace(/%2F/g, '/');
}
