// Hashing throughput on one core: CRC-64 with the WebAssembly kernel and with the JavaScript one (the
// fallback where WebAssembly cannot run), against MD5 from node:crypto (OpenSSL), which the emulator
// computes beside it for the ETag. 64 MiB in 64 KiB chunks, best of 5 rounds each, interleaved.
// Asserts nothing.
import { createHash } from 'node:crypto';
import { updateJs, updateWasm, wasmAvailable } from '../dist/crc64-kernels.js';

const MB = 64;
const data = new Uint8Array(MB << 20);
for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;
const CHUNK = 1 << 16;

function rate(hash) {
  const start = performance.now();
  hash();
  return (data.length / 1e6 / ((performance.now() - start) / 1000)).toFixed(0);
}
const crcWith = (kernel) => () => {
  const reg = { hi: 0xffffffff, lo: 0xffffffff };
  for (let o = 0; o < data.length; o += CHUNK) kernel(reg, data.subarray(o, o + CHUNK));
};
const md5 = () => {
  const h = createHash('md5');
  for (let o = 0; o < data.length; o += CHUNK) h.update(data.subarray(o, o + CHUNK));
  h.digest();
};

const best = { wasm: 0, js: 0, md5: 0 };
for (let round = 0; round < 5; round++) {
  best.wasm = Math.max(best.wasm, Number(rate(crcWith(updateWasm))));
  best.js = Math.max(best.js, Number(rate(crcWith(updateJs))));
  best.md5 = Math.max(best.md5, Number(rate(md5)));
}
console.log(`CRC-64, WebAssembly kernel${wasmAvailable() ? '' : ' (unavailable: JavaScript ran)'}: ${best.wasm} MB/s`);
console.log(`CRC-64, JavaScript kernel: ${best.js} MB/s (WebAssembly ${(best.wasm / best.js).toFixed(1)}x)`);
console.log(`MD5, node:crypto: ${best.md5} MB/s`);
