// CRC-64/XZ ("ECMA-182" as COS names it): reflected polynomial 0xC96C5795D7870F42, init and xorout all
// ones. Each 64-bit value is held as two 32-bit halves and processed eight bytes at a time
// (slicing-by-8), so no BigInt is touched per byte and hashing keeps up with disk and network.

const POLY_HI = 0xc96c5795;
const POLY_LO = 0xd7870f42;

const TABLE_HI = new Uint32Array(256 * 8);
const TABLE_LO = new Uint32Array(256 * 8);

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
for (let t = 1; t < 8; t++) {
  for (let n = 0; n < 256; n++) {
    const prevHi = TABLE_HI[(t - 1) * 256 + n]!;
    const prevLo = TABLE_LO[(t - 1) * 256 + n]!;
    const idx = prevLo & 0xff;
    TABLE_LO[t * 256 + n] = (((prevLo >>> 8) | (prevHi << 24)) ^ TABLE_LO[idx]!) >>> 0;
    TABLE_HI[t * 256 + n] = ((prevHi >>> 8) ^ TABLE_HI[idx]!) >>> 0;
  }
}

const encoder = new TextEncoder();

/** Incremental CRC-64/ECMA as COS reports it in `x-cos-hash-crc64ecma`. */
export class Crc64Ecma {
  #hi = 0xffffffff;
  #lo = 0xffffffff;

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
    this.#hi = (Number(value >> 32n) ^ 0xffffffff) >>> 0;
    this.#lo = (Number(value & 0xffffffffn) ^ 0xffffffff) >>> 0;
  }

  update(chunk: Uint8Array | string): this {
    const data = typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
    let hi = this.#hi;
    let lo = this.#lo;
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
    this.#hi = hi >>> 0;
    this.#lo = lo >>> 0;
    return this;
  }

  /** Unsigned decimal, as COS sends it. */
  digest(): string {
    const hi = (this.#hi ^ 0xffffffff) >>> 0;
    const lo = (this.#lo ^ 0xffffffff) >>> 0;
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
