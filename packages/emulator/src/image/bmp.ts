/**
 * BMP, which COS writes (`format/bmp`) and libvips does not: a bottom-up 24-bit BMP from raw RGB
 * pixels. Alpha is dropped, as a 24-bit BMP has none.
 */
export function encodeBmp(pixels: Buffer, width: number, height: number, channels: number): Buffer {
  const rowSize = Math.ceil((width * 3) / 4) * 4;
  const imageSize = rowSize * height;
  const out = Buffer.alloc(54 + imageSize);
  out.write('BM', 0, 'ascii');
  out.writeUInt32LE(out.length, 2);
  out.writeUInt32LE(54, 10);
  out.writeUInt32LE(40, 14);
  out.writeInt32LE(width, 18);
  out.writeInt32LE(height, 22);
  out.writeUInt16LE(1, 26);
  out.writeUInt16LE(24, 28);
  out.writeUInt32LE(imageSize, 34);
  out.writeInt32LE(2835, 38);
  out.writeInt32LE(2835, 42);
  for (let y = 0; y < height; y++) {
    const row = 54 + (height - 1 - y) * rowSize;
    for (let x = 0; x < width; x++) {
      const src = (y * width + x) * channels;
      const dst = row + x * 3;
      const r = pixels[src]!;
      const g = channels >= 3 ? pixels[src + 1]! : r;
      const b = channels >= 3 ? pixels[src + 2]! : r;
      out[dst] = b;
      out[dst + 1] = g;
      out[dst + 2] = r;
    }
  }
  return out;
}

/** Whether bytes open like a BMP file. */
export const isBmp = (bytes: Buffer): boolean => bytes.length > 26 && bytes[0] === 0x42 && bytes[1] === 0x4d;
