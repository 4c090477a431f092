import { base64 } from '@scure/base';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';

/** Lowercase hex, as every signature and digest in these protocols is written. */
export const toHex = (bytes: Uint8Array): string => bytesToHex(bytes);
export const fromHex = (hex: string): Uint8Array => hexToBytes(hex);

/** Standard base64 with padding (POST policies, STS v1 signatures). */
export const toBase64 = (bytes: Uint8Array): string => base64.encode(bytes);

/** The bytes of standard base64 with padding, whitespace ignored; undefined when it is not base64. */
export function fromBase64(text: string): Uint8Array | undefined {
  try {
    return base64.decode(text.replace(/\s+/g, ''));
  } catch {
    return undefined;
  }
}
