import { type Crc64Register, update } from './crc64-kernels.js';

export { useWebAssembly } from './crc64-kernels.js';

// CRC-64/XZ ("ECMA-182" as COS names it); the kernels that advance the register are in crc64-kernels.ts.

const encoder = new TextEncoder();

/** Incremental CRC-64/ECMA as COS reports it in `x-cos-hash-crc64ecma`. */
export class Crc64Ecma {
  readonly #reg: Crc64Register = { hi: 0xffffffff, lo: 0xffffffff };

  /**
   * @param preceding the digest of the bytes before this stream, to go on from there (hashing can
   * then move between threads or processes by handing over one string).
   */
  constructor(preceding?: string) {
    if (preceding === undefined) return;
    if (!/^\d{1,20}$/.test(preceding) || BigInt(preceding) > 0xffffffffffffffffn) {
      throw new RangeError(`"${preceding}" is not a CRC-64 digest (an unsigned 64-bit decimal)`);
    }
    const value = BigInt(preceding);
    this.#reg.hi = (Number(value >> 32n) ^ 0xffffffff) >>> 0;
    this.#reg.lo = (Number(value & 0xffffffffn) ^ 0xffffffff) >>> 0;
  }

  update(chunk: Uint8Array | string): this {
    update(this.#reg, typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
    return this;
  }

  /** Unsigned decimal, as COS sends it. */
  digest(): string {
    const hi = (this.#reg.hi ^ 0xffffffff) >>> 0;
    const lo = (this.#reg.lo ^ 0xffffffff) >>> 0;
    return ((BigInt(hi) << 32n) | BigInt(lo)).toString();
  }
}

export function crc64ecma(data: Uint8Array | string): string {
  return new Crc64Ecma().update(data).digest();
}

const MASK64 = (1n << 64n) - 1n;
const POLY_REFLECTED = 0xc96c5795d7870f42n;

function gf2Times(mat: bigint[], vec: bigint): bigint {
  let sum = 0n;
  for (let i = 0; vec !== 0n; i++, vec >>= 1n) if (vec & 1n) sum ^= mat[i]!;
  return sum;
}
function gf2Square(mat: bigint[]): bigint[] {
  return mat.map((row) => gf2Times(mat, row));
}

/**
 * CRC of A‖B from crc(A), crc(B) and B's length (zlib's crc32_combine, on 64 bits), so parts
 * hashed in any order yield the checksum COS reports for the whole object.
 */
export function crc64Combine(crcA: string, crcB: string, lengthB: number): string {
  let crc1 = BigInt(crcA) & MASK64;
  const crc2 = BigInt(crcB) & MASK64;
  let len = lengthB;
  if (len <= 0) return crc1.toString();
  let odd: bigint[] = [POLY_REFLECTED];
  for (let n = 1, row = 1n; n < 64; n++, row <<= 1n) odd.push(row);
  let even = gf2Square(odd);
  odd = gf2Square(even);
  for (;;) {
    even = gf2Square(odd);
    if (len % 2 === 1) crc1 = gf2Times(even, crc1);
    len = Math.floor(len / 2);
    if (len === 0) break;
    odd = gf2Square(even);
    if (len % 2 === 1) crc1 = gf2Times(odd, crc1);
    len = Math.floor(len / 2);
    if (len === 0) break;
  }
  return ((crc1 ^ crc2) & MASK64).toString();
}
