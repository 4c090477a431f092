import { bytesToHex } from '@noble/hashes/utils.js';

/** Lowercase hex, as every signature and digest in these protocols is written. */
export const toHex = (bytes: Uint8Array): string => bytesToHex(bytes);

// Standard base64 with padding (POST policies, STS v1 signatures). Written out rather than
// btoa(String.fromCharCode(...)): that round trip goes through a binary string of the whole input.
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
export function toBase64(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += B64[(n >>> 18) & 63]! + B64[(n >>> 12) & 63]! + B64[(n >>> 6) & 63]! + B64[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += `${B64[(n >>> 18) & 63]! + B64[(n >>> 12) & 63]!}==`;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += `${B64[(n >>> 18) & 63]! + B64[(n >>> 12) & 63]! + B64[(n >>> 6) & 63]!}=`;
  }
  return out;
}
