import { crc64WasmBytes, INPUT_BYTES, INPUT_OFFSET, SLICES, STATE_OFFSET, TABLE_BYTES } from './crc64-wasm.js';

// CRC-64/XZ ("ECMA-182" as COS names it): reflected polynomial 0xC96C5795D7870F42, init and xorout all
// ones. Two kernels advance the register over a chunk: WebAssembly (slicing-by-16 on 64-bit words) where
// it can be compiled, and JavaScript (slicing-by-8 on 32-bit halves, no BigInt per byte) where it cannot,
// for instance on a page whose Content-Security-Policy forbids WebAssembly, or where the app turned it
// off. Both give the same result.

const POLY_HI = 0xc96c5795;
const POLY_LO = 0xd7870f42;

/** Entry n of table t is the register after n then t zero bytes, as 32-bit halves. */
const TABLE_HI = new Uint32Array(256 * SLICES);
const TABLE_LO = new Uint32Array(256 * SLICES);

for (let n = 0; n < 256; n++) {
  let hi = 0;
  let lo = n;
  for (let k = 0; k < 8; k++) {
    const carry = lo & 1;
    lo = ((lo >>> 1) | (hi << 31)) >>> 0;
    hi = hi >>> 1;
    if (carry) {
      hi = (hi ^ POLY_HI) >>> 0;
      lo = (lo ^ POLY_LO) >>> 0;
    }
  }
  TABLE_HI[n] = hi;
  TABLE_LO[n] = lo;
}
for (let t = 1; t < SLICES; t++) {
  for (let n = 0; n < 256; n++) {
    const prevHi = TABLE_HI[(t - 1) * 256 + n]!;
    const prevLo = TABLE_LO[(t - 1) * 256 + n]!;
    const idx = prevLo & 0xff;
    TABLE_LO[t * 256 + n] = (((prevLo >>> 8) | (prevHi << 24)) ^ TABLE_LO[idx]!) >>> 0;
    TABLE_HI[t * 256 + n] = ((prevHi >>> 8) ^ TABLE_HI[idx]!) >>> 0;
  }
}

/** The register as two unsigned 32-bit halves (not yet complemented). */
export interface Crc64Register {
  hi: number;
  lo: number;
}

/** Advances the register over `data` in JavaScript. */
export function updateJs(reg: Crc64Register, data: Uint8Array): void {
  let hi = reg.hi;
  let lo = reg.lo;
  let i = 0;
  const end8 = data.length - (data.length % 8);
  for (; i < end8; i += 8) {
    const b0 = (lo ^ data[i]!) & 0xff;
    const b1 = ((lo >>> 8) ^ data[i + 1]!) & 0xff;
    const b2 = ((lo >>> 16) ^ data[i + 2]!) & 0xff;
    const b3 = ((lo >>> 24) ^ data[i + 3]!) & 0xff;
    const b4 = (hi ^ data[i + 4]!) & 0xff;
    const b5 = ((hi >>> 8) ^ data[i + 5]!) & 0xff;
    const b6 = ((hi >>> 16) ^ data[i + 6]!) & 0xff;
    const b7 = ((hi >>> 24) ^ data[i + 7]!) & 0xff;
    lo =
      TABLE_LO[1792 + b0]! ^
      TABLE_LO[1536 + b1]! ^
      TABLE_LO[1280 + b2]! ^
      TABLE_LO[1024 + b3]! ^
      TABLE_LO[768 + b4]! ^
      TABLE_LO[512 + b5]! ^
      TABLE_LO[256 + b6]! ^
      TABLE_LO[b7]!;
    hi =
      TABLE_HI[1792 + b0]! ^
      TABLE_HI[1536 + b1]! ^
      TABLE_HI[1280 + b2]! ^
      TABLE_HI[1024 + b3]! ^
      TABLE_HI[768 + b4]! ^
      TABLE_HI[512 + b5]! ^
      TABLE_HI[256 + b6]! ^
      TABLE_HI[b7]!;
  }
  for (; i < data.length; i++) {
    const idx = (lo ^ data[i]!) & 0xff;
    lo = ((lo >>> 8) | (hi << 24)) ^ TABLE_LO[idx]!;
    hi = (hi >>> 8) ^ TABLE_HI[idx]!;
  }
  reg.hi = hi >>> 0;
  reg.lo = lo >>> 0;
}

interface WasmKernel {
  bytes: Uint8Array;
  view: DataView;
  run: (length: number) => void;
}

function compile(): WasmKernel | undefined {
  try {
    // Synchronous on purpose: a few hundred bytes compile in well under a millisecond, and browsers
    // allow synchronous compilation of modules this small on the main thread.
    const instance = new WebAssembly.Instance(new WebAssembly.Module(crc64WasmBytes()));
    const memory = instance.exports.m as WebAssembly.Memory;
    const run = instance.exports.u as (length: number) => void;
    const view = new DataView(memory.buffer);
    for (let i = 0; i < 256 * SLICES; i++) {
      const at = (i >>> 8) * TABLE_BYTES + (i & 0xff) * 8;
      view.setUint32(at, TABLE_LO[i]!, true);
      view.setUint32(at + 4, TABLE_HI[i]!, true);
    }
    return { bytes: new Uint8Array(memory.buffer), view, run };
  } catch {
    return undefined;
  }
}

// Compiled on the first chunk that needs it, not when the module loads. A browser checks the page's
// Content-Security-Policy when WebAssembly is compiled and, where `script-src` lacks 'wasm-unsafe-eval',
// refuses and reports a violation; no API tells a page beforehand whether compiling is allowed. So a
// page that only loads the module reports nothing, a page that hashes reports at most once (the refusal
// is remembered), and an app that knows its policy forbids WebAssembly turns it off (useWebAssembly).
let wasm: WasmKernel | null | undefined;
let wasmAllowed = true;

function wasmKernel(): WasmKernel | undefined {
  // null: tried and refused (or turned off), so not tried again.
  if (wasm === undefined) wasm = wasmAllowed && typeof WebAssembly === 'object' ? (compile() ?? null) : null;
  return wasm ?? undefined;
}

/** Whether the WebAssembly kernel runs here (compiling it on the first call). */
export function wasmAvailable(): boolean {
  return wasmKernel() !== undefined;
}

/**
 * Whether the CRC-64 may use WebAssembly (default true). `false` never compiles it: the JavaScript
 * kernel gives the same results, and a page whose Content-Security-Policy forbids WebAssembly then
 * reports no violation. `true` tries again on the next chunk.
 */
export function useWebAssembly(allowed: boolean): void {
  wasmAllowed = allowed;
  wasm = undefined;
}

/** Below this many bytes the JavaScript kernel is quicker than copying into WebAssembly's memory. */
const WASM_FROM = 64;

/** Advances the register over `data` with the WebAssembly kernel; the JavaScript one where it is missing. */
export function updateWasm(reg: Crc64Register, data: Uint8Array): void {
  const wasm = wasmKernel();
  if (!wasm) {
    updateJs(reg, data);
    return;
  }
  const { bytes, view, run } = wasm;
  view.setUint32(STATE_OFFSET, reg.lo, true);
  view.setUint32(STATE_OFFSET + 4, reg.hi, true);
  for (let offset = 0; offset < data.length; offset += INPUT_BYTES) {
    const piece = data.subarray(offset, offset + INPUT_BYTES);
    bytes.set(piece, INPUT_OFFSET);
    run(piece.length);
  }
  reg.lo = view.getUint32(STATE_OFFSET, true);
  reg.hi = view.getUint32(STATE_OFFSET + 4, true);
}

/** The quickest kernel for a chunk of this size. */
export function update(reg: Crc64Register, data: Uint8Array): void {
  if (data.length >= WASM_FROM && wasmKernel()) updateWasm(reg, data);
  else updateJs(reg, data);
}
