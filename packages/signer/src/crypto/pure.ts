import { hmac } from '@noble/hashes/hmac.js';
import { sha1 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { toBase64, toHex } from './encoding.js';
import type { SignerCrypto } from './types.js';

// Browsers and edge runtimes sign with @noble/hashes: WebCrypto is async only, which would make every
// signing call async.
//
// A COS signature is one SHA-1 and two HMAC-SHA1s over short strings, so allocation costs as much as
// hashing there. That path reuses what it can: strings are UTF-8 encoded into one scratch buffer, and
// each hash runs in a working instance reset by `_cloneInto` (the Hash interface's way of copying a
// state into an existing object) instead of a new one per call.

const encoder = new TextEncoder();
const toBytes = (data: string | Uint8Array): Uint8Array => (typeof data === 'string' ? encoder.encode(data) : data);

let scratch = new Uint8Array(1024);

/** UTF-8 of `value` as a view of the scratch buffer, valid until the next call. */
function utf8View(value: string): Uint8Array {
  // Three bytes per UTF-16 unit is the most UTF-8 can take (a surrogate pair is 4 bytes for 2 units).
  if (value.length * 3 > scratch.length) scratch = new Uint8Array(Math.max(value.length * 3, scratch.length * 2));
  return scratch.subarray(0, encoder.encodeInto(value, scratch).written);
}

const digest = new Uint8Array(20);

const blankSha1 = sha1.create();
const workSha1 = sha1.create();

function sha1Hex(data: string | Uint8Array): string {
  return toHex(
    blankSha1
      ._cloneInto(workSha1)
      .update(typeof data === 'string' ? utf8View(data) : data)
      .digest(),
  );
}

type KeyedHmac = ReturnType<typeof hmac.create>;
interface Keyed {
  key: string;
  mac: KeyedHmac;
}

// The secret repeats from request to request and each signature alternates it with its SignKey: keep
// the keyed state (both pad blocks already hashed) of the two keys used last.
let recent: Keyed | undefined;
let older: Keyed | undefined;
const workHmac: KeyedHmac = hmac.create(sha1, new Uint8Array(0));

function keyedSha1(key: string): KeyedHmac {
  if (recent?.key !== key) {
    const hit = older?.key === key ? older : { key, mac: hmac.create(sha1, utf8View(key)) };
    older = recent;
    recent = hit;
  }
  return recent.mac;
}

/** HMAC-SHA1 into the shared digest buffer, valid until the next call. */
function hmacSha1(key: string, data: string): Uint8Array {
  keyedSha1(key)._cloneInto(workHmac).update(utf8View(data)).digestInto(digest);
  return digest;
}

const hmacSha256 = (key: string | Uint8Array, data: string): Uint8Array => hmac(sha256, toBytes(key), encoder.encode(data));

export const defaultCrypto: SignerCrypto = {
  sha1Hex,
  hmacSha1Hex: (key, data) => toHex(hmacSha1(key, data)),
  hmacSha1Base64: (key, data) => toBase64(hmacSha1(key, data)),
  sha256Hex: (data) => toHex(sha256(toBytes(data))),
  hmacSha256,
  hmacSha256Hex: (key, data) => toHex(hmacSha256(key, data)),
};
