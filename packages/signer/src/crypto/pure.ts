import type { SignerCrypto } from './types.js';

// A dependency-free SHA-1 / SHA-256 / HMAC core, so browsers and edge runtimes sign synchronously
// without node:crypto (WebCrypto is async only, which would make every signing call async).

const encoder = new TextEncoder();
const toBytes = (data: string | Uint8Array): Uint8Array => (typeof data === 'string' ? encoder.encode(data) : data);

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]!];
  return out;
}

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

/** Pads a message to whole 64-byte blocks with the big-endian bit length (SHA-256). */
function pad(msg: Uint8Array): DataView {
  const len = msg.length;
  const total = ((len + 9 + 63) >> 6) << 6;
  const buf = new Uint8Array(total);
  buf.set(msg);
  buf[len] = 0x80;
  const view = new DataView(buf.buffer);
  const bits = len * 8;
  view.setUint32(total - 8, Math.floor(bits / 0x100000000));
  view.setUint32(total - 4, bits >>> 0);
  return view;
}

// SHA-1 signs every request, so its path avoids per-call allocation: strings are UTF-8 encoded into
// one reusable buffer, blocks are read straight from it, and HMAC starts from the saved state after
// the key's pad block (the last two keys are kept, as a signature alternates the secret and SignKey).

let scratch = new Uint8Array(1024);

/** UTF-8 of `value` into the scratch buffer (lone surrogates as U+FFFD, like TextEncoder); returns its length. */
function encodeIntoScratch(value: string): number {
  if (value.length * 3 > scratch.length) scratch = new Uint8Array(Math.max(value.length * 3, scratch.length * 2));
  const out = scratch;
  let o = 0;
  for (let i = 0; i < value.length; i++) {
    let c = value.charCodeAt(i);
    if (c < 0x80) {
      out[o++] = c;
      continue;
    }
    if (c < 0x800) {
      out[o++] = 0xc0 | (c >> 6);
      out[o++] = 0x80 | (c & 63);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = i + 1 < value.length ? value.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        i++;
        out[o++] = 0xf0 | (cp >> 18);
        out[o++] = 0x80 | ((cp >> 12) & 63);
        out[o++] = 0x80 | ((cp >> 6) & 63);
        out[o++] = 0x80 | (cp & 63);
        continue;
      }
      c = 0xfffd;
    }
    out[o++] = 0xe0 | (c >> 12);
    out[o++] = 0x80 | ((c >> 6) & 63);
    out[o++] = 0x80 | (c & 63);
  }
  return o;
}

const SHA1_INIT = [0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476, 0xc3d2e1f0 | 0];
const W = new Int32Array(80);

/** One SHA-1 compression of the 64 bytes at `offset` into `state`. */
function sha1Block(state: Int32Array, bytes: Uint8Array, offset: number): void {
  for (let t = 0; t < 16; t++) {
    const j = offset + t * 4;
    W[t] = (bytes[j]! << 24) | (bytes[j + 1]! << 16) | (bytes[j + 2]! << 8) | bytes[j + 3]!;
  }
  for (let t = 16; t < 80; t++) {
    const x = W[t - 3]! ^ W[t - 8]! ^ W[t - 14]! ^ W[t - 16]!;
    W[t] = (x << 1) | (x >>> 31);
  }
  let a = state[0]!,
    b = state[1]!,
    c = state[2]!,
    d = state[3]!,
    e = state[4]!;
  let t = 0;
  for (; t < 20; t++) {
    const tmp = (((a << 5) | (a >>> 27)) + ((b & c) | (~b & d)) + e + 0x5a827999 + W[t]!) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = tmp;
  }
  for (; t < 40; t++) {
    const tmp = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0x6ed9eba1 + W[t]!) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = tmp;
  }
  for (; t < 60; t++) {
    const tmp = (((a << 5) | (a >>> 27)) + ((b & c) | (b & d) | (c & d)) + e + 0x8f1bbcdc + W[t]!) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = tmp;
  }
  for (; t < 80; t++) {
    const tmp = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0xca62c1d6 + W[t]!) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = tmp;
  }
  state[0] = (state[0]! + a) | 0;
  state[1] = (state[1]! + b) | 0;
  state[2] = (state[2]! + c) | 0;
  state[3] = (state[3]! + d) | 0;
  state[4] = (state[4]! + e) | 0;
}

const tail = new Uint8Array(128);

/** Hashes bytes[0, length) into `state`, which has already absorbed `before` bytes, and pads. */
function sha1Final(state: Int32Array, bytes: Uint8Array, length: number, before: number): void {
  let off = 0;
  for (; off + 64 <= length; off += 64) sha1Block(state, bytes, off);
  const rest = length - off;
  tail.fill(0);
  for (let i = 0; i < rest; i++) tail[i] = bytes[off + i]!;
  tail[rest] = 0x80;
  const end = rest + 9 > 64 ? 128 : 64;
  const bits = (before + length) * 8;
  const hi = Math.floor(bits / 0x100000000);
  const lo = bits >>> 0;
  tail[end - 8] = hi >>> 24;
  tail[end - 7] = hi >>> 16;
  tail[end - 6] = hi >>> 8;
  tail[end - 5] = hi;
  tail[end - 4] = lo >>> 24;
  tail[end - 3] = lo >>> 16;
  tail[end - 2] = lo >>> 8;
  tail[end - 1] = lo;
  sha1Block(state, tail, 0);
  if (end === 128) sha1Block(state, tail, 64);
}

const state1 = new Int32Array(5);

function sha1State(data: string | Uint8Array): Int32Array {
  state1.set(SHA1_INIT);
  if (typeof data === 'string') {
    // Encode first: encoding may replace the scratch buffer with a larger one.
    const length = encodeIntoScratch(data);
    sha1Final(state1, scratch, length, 0);
  } else {
    sha1Final(state1, data, data.length, 0);
  }
  return state1;
}

function wordsToBytes(words: Int32Array, out: Uint8Array): Uint8Array {
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    out[i * 4] = w >>> 24;
    out[i * 4 + 1] = w >>> 16;
    out[i * 4 + 2] = w >>> 8;
    out[i * 4 + 3] = w;
  }
  return out;
}

function wordsToHex(words: Int32Array): string {
  let out = '';
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    out += HEX[(w >>> 24) & 0xff]! + HEX[(w >>> 16) & 0xff]! + HEX[(w >>> 8) & 0xff]! + HEX[w & 0xff]!;
  }
  return out;
}

export function sha1(data: string | Uint8Array): Uint8Array {
  return wordsToBytes(sha1State(data), new Uint8Array(20));
}

interface Sha1Pads {
  key: string | undefined;
  /** State after the key XOR ipad block. */
  inner: Int32Array;
  /** State after the key XOR opad block. */
  outer: Int32Array;
}
const padSlots: [Sha1Pads, Sha1Pads] = [
  { key: undefined, inner: new Int32Array(5), outer: new Int32Array(5) },
  { key: undefined, inner: new Int32Array(5), outer: new Int32Array(5) },
];
let lastPadSlot = 0;
const keyBlock = new Uint8Array(64);

function sha1PadsOf(key: string): Sha1Pads {
  if (padSlots[0].key === key) {
    lastPadSlot = 0;
    return padSlots[0];
  }
  if (padSlots[1].key === key) {
    lastPadSlot = 1;
    return padSlots[1];
  }
  lastPadSlot ^= 1;
  const slot = padSlots[lastPadSlot]!;
  keyBlock.fill(0);
  const length = encodeIntoScratch(key);
  if (length > 64) keyBlock.set(wordsToBytes(sha1State(scratch.subarray(0, length)), new Uint8Array(20)));
  else keyBlock.set(scratch.subarray(0, length));
  for (let i = 0; i < 64; i++) keyBlock[i] = keyBlock[i]! ^ 0x36;
  slot.inner.set(SHA1_INIT);
  sha1Block(slot.inner, keyBlock, 0);
  for (let i = 0; i < 64; i++) keyBlock[i] = keyBlock[i]! ^ 0x36 ^ 0x5c;
  slot.outer.set(SHA1_INIT);
  sha1Block(slot.outer, keyBlock, 0);
  keyBlock.fill(0);
  slot.key = key;
  return slot;
}

const innerDigest = new Uint8Array(20);

function hmacSha1State(key: string, data: string): Int32Array {
  const pads = sha1PadsOf(key);
  state1.set(pads.inner);
  const length = encodeIntoScratch(data);
  sha1Final(state1, scratch, length, 64);
  wordsToBytes(state1, innerDigest);
  state1.set(pads.outer);
  sha1Final(state1, innerDigest, 20, 64);
  return state1;
}

const W256 = new Uint32Array(64);
const K256 = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be,
  0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa,
  0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85,
  0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
  0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
  0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

export function sha256(data: string | Uint8Array): Uint8Array {
  const view = pad(toBytes(data));
  const h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
  for (let off = 0; off < view.byteLength; off += 64) {
    for (let t = 0; t < 16; t++) W256[t] = view.getUint32(off + t * 4);
    for (let t = 16; t < 64; t++) {
      const w15 = W256[t - 15]!,
        w2 = W256[t - 2]!;
      const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
      const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
      W256[t] = (W256[t - 16]! + s0 + W256[t - 7]! + s1) | 0;
    }
    let a = h[0]!,
      b = h[1]!,
      c = h[2]!,
      d = h[3]!,
      e = h[4]!,
      f = h[5]!,
      g = h[6]!,
      hh = h[7]!;
    for (let t = 0; t < 64; t++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const ch = (e & f) ^ (~e & g);
      const t1 = (hh + S1 + ch + K256[t]! + W256[t]!) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + maj) | 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h[0] = h[0]! + a;
    h[1] = h[1]! + b;
    h[2] = h[2]! + c;
    h[3] = h[3]! + d;
    h[4] = h[4]! + e;
    h[5] = h[5]! + f;
    h[6] = h[6]! + g;
    h[7] = h[7]! + hh;
  }
  const out = new Uint8Array(32);
  const ov = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) ov.setUint32(i * 4, h[i]!);
  return out;
}

function hmacSha256(key: string | Uint8Array, data: string | Uint8Array): Uint8Array {
  let k = toBytes(key);
  if (k.length > 64) k = sha256(k);
  const message = toBytes(data);
  const inner = new Uint8Array(64 + message.length);
  const outer = new Uint8Array(64 + 32);
  for (let i = 0; i < 64; i++) {
    const b = i < k.length ? k[i]! : 0;
    inner[i] = b ^ 0x36;
    outer[i] = b ^ 0x5c;
  }
  inner.set(message, 64);
  outer.set(sha256(inner), 64);
  return sha256(outer);
}

export const defaultCrypto: SignerCrypto = {
  sha1Hex: (data) => wordsToHex(sha1State(data)),
  hmacSha1Hex: (key, data) => wordsToHex(hmacSha1State(key, data)),
  hmacSha1Base64: (key, data) => toBase64(wordsToBytes(hmacSha1State(key, data), new Uint8Array(20))),
  sha256Hex: (data) => toHex(sha256(data)),
  hmacSha256: (key, data) => hmacSha256(key, data),
  hmacSha256Hex: (key, data) => toHex(hmacSha256(key, data)),
};
