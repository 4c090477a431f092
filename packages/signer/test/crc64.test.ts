import { describe, expect, it } from 'vitest';
import { Crc64Ecma, crc64ecma, useWebAssembly as publicSwitch } from '../src/crc64.js';
import { type Crc64Register, updateJs, updateWasm, useWebAssembly, wasmAvailable } from '../src/crc64-kernels.js';
import { crc64WasmBytes, INPUT_BYTES } from '../src/crc64-wasm.js';
import { crcVectors } from './vectors.fixture.js';

// The two kernels against each other and against the definition, bit by bit, over random data cut at
// random places and at the edges of the WebAssembly input window.

const POLY = 0xc96c5795d7870f42n;
const MASK = (1n << 64n) - 1n;

/** CRC-64/XZ straight from its definition: one bit at a time. */
function reference(data: Uint8Array): string {
  let crc = MASK;
  for (const byte of data) {
    crc ^= BigInt(byte);
    for (let k = 0; k < 8; k++) crc = crc & 1n ? (crc >> 1n) ^ POLY : crc >> 1n;
  }
  return (crc ^ MASK).toString();
}

/** A deterministic generator, so a failure replays. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t ^= t + Math.imul(t ^ (t >>> 7), 61 | t);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function bytes(next: () => number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = Math.floor(next() * 256);
  return out;
}

function digestWith(kernel: (reg: Crc64Register, data: Uint8Array) => void, pieces: Uint8Array[]): string {
  const reg = { hi: 0xffffffff, lo: 0xffffffff };
  for (const piece of pieces) kernel(reg, piece);
  return ((BigInt((reg.hi ^ 0xffffffff) >>> 0) << 32n) | BigInt((reg.lo ^ 0xffffffff) >>> 0)).toString();
}

function cut(next: () => number, data: Uint8Array, pieces: number): Uint8Array[] {
  const points = Array.from({ length: pieces - 1 }, () => Math.floor(next() * (data.length + 1))).sort((a, b) => a - b);
  return [0, ...points].map((start, i) => data.subarray(start, points[i] ?? data.length));
}

describe('CRC-64 kernels', () => {
  it('compiles the WebAssembly kernel on Node', () => {
    expect(wasmAvailable()).toBe(true);
    expect(WebAssembly.validate(crc64WasmBytes())).toBe(true);
  });

  it('runs JavaScript alone once WebAssembly is turned off, with the same results, and compiles again when allowed', () => {
    expect(publicSwitch).toBe(useWebAssembly);
    const data = new Uint8Array(100_000).map((_, i) => (i * 31) & 0xff);
    const withWasm = crc64ecma(data);
    try {
      useWebAssembly(false);
      expect(wasmAvailable()).toBe(false);
      expect(crc64ecma(data)).toBe(withWasm);
    } finally {
      useWebAssembly(true);
    }
    expect(wasmAvailable()).toBe(true);
  });

  it('gives the check value of CRC-64/XZ and the spec vectors with both kernels', () => {
    const check = new TextEncoder().encode('123456789');
    expect(reference(check)).toBe('11051210869376104954'); // 0x995DC9BBDF1939FA
    for (const kernel of [updateJs, updateWasm]) {
      expect(digestWith(kernel, [check])).toBe('11051210869376104954');
      expect(digestWith(kernel, [new Uint8Array(0)])).toBe('0');
      for (const v of crcVectors) expect(digestWith(kernel, [new TextEncoder().encode(v.input)]), v.id).toBe(v.expected);
    }
  });

  it('agrees with the definition at every length up to 300 bytes', () => {
    const next = random(1);
    for (let length = 0; length <= 300; length++) {
      const data = bytes(next, length);
      const expected = reference(data);
      expect(digestWith(updateJs, [data]), `js, ${length} bytes`).toBe(expected);
      expect(digestWith(updateWasm, [data]), `wasm, ${length} bytes`).toBe(expected);
      expect(crc64ecma(data), `crc64ecma, ${length} bytes`).toBe(expected);
    }
  });

  it('agrees across random cuts, inputs past the WebAssembly window and unaligned views', () => {
    const next = random(2);
    const sizes = [INPUT_BYTES - 1, INPUT_BYTES, INPUT_BYTES + 1, 2 * INPUT_BYTES + 17, 100_003];
    for (const size of sizes) {
      const data = bytes(next, size);
      const expected = digestWith(updateJs, [data]);
      expect(digestWith(updateWasm, [data]), `wasm whole, ${size}`).toBe(expected);
      for (let round = 0; round < 4; round++) {
        const pieces = cut(next, data, 2 + Math.floor(next() * 20));
        expect(digestWith(updateWasm, pieces), `wasm cut, ${size}`).toBe(expected);
        expect(digestWith(updateJs, pieces), `js cut, ${size}`).toBe(expected);
        const streamed = new Crc64Ecma();
        for (const piece of pieces) streamed.update(piece);
        expect(streamed.digest(), `Crc64Ecma cut, ${size}`).toBe(expected);
      }
      // A view at an odd offset into a larger buffer.
      const shifted = new Uint8Array(size + 3);
      shifted.set(data, 3);
      expect(crc64ecma(shifted.subarray(3)), `offset view, ${size}`).toBe(expected);
    }
  });

  it('goes on from a digest handed over mid-stream', () => {
    const data = bytes(random(4), 3 * INPUT_BYTES + 5);
    const whole = crc64ecma(data);
    for (const at of [0, 1, 63, 64, 65, INPUT_BYTES, 2 * INPUT_BYTES + 9]) {
      expect(new Crc64Ecma(crc64ecma(data.subarray(0, at))).update(data.subarray(at)).digest(), `at ${at}`).toBe(whole);
    }
  });
});
