/** Hash primitives the signer needs. Strings are hashed as UTF-8. */
export interface SignerCrypto {
  sha1Hex(data: string | Uint8Array): string;
  hmacSha1Hex(key: string, data: string): string;
  hmacSha1Base64(key: string, data: string): string;
  sha256Hex(data: string | Uint8Array): string;
  hmacSha256(key: string | Uint8Array, data: string): Uint8Array;
  hmacSha256Hex(key: string | Uint8Array, data: string): string;
}
