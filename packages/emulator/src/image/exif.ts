/**
 * Reads the EXIF of an image (the block sharp hands over: `Exif\0\0` then a TIFF structure) into
 * COS's `?exif` answer: each tag by name, with its value as text and its TIFF type.
 */

const NAMES: Record<number, string> = {
  270: 'ImageDescription',
  271: 'Make',
  272: 'Model',
  274: 'Orientation',
  282: 'XResolution',
  283: 'YResolution',
  296: 'ResolutionUnit',
  305: 'Software',
  306: 'DateTime',
  315: 'Artist',
  531: 'YCbCrPositioning',
  33432: 'Copyright',
  33434: 'ExposureTime',
  33437: 'FNumber',
  34850: 'ExposureProgram',
  34855: 'ISOSpeedRatings',
  36864: 'ExifVersion',
  36867: 'DateTimeOriginal',
  36868: 'DateTimeDigitized',
  37377: 'ShutterSpeedValue',
  37378: 'ApertureValue',
  37380: 'ExposureBiasValue',
  37383: 'MeteringMode',
  37385: 'Flash',
  37386: 'FocalLength',
  40961: 'ColorSpace',
  40962: 'PixelXDimension',
  40963: 'PixelYDimension',
  41986: 'ExposureMode',
  41987: 'WhiteBalance',
  41989: 'FocalLengthIn35mmFilm',
  42036: 'LensModel',
  0: 'GPSVersionID',
  1: 'GPSLatitudeRef',
  2: 'GPSLatitude',
  3: 'GPSLongitudeRef',
  4: 'GPSLongitude',
  6: 'GPSAltitude',
};
const EXIF_IFD = 0x8769;
const GPS_IFD = 0x8825;
const SIZES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 9: 4, 10: 8 };

export type ExifAnswer = Record<string, { val: string; type: number }>;

export function readExif(block: Buffer | undefined): ExifAnswer | undefined {
  if (!block) return undefined;
  const tiff = block.subarray(0, 6).toString('latin1') === 'Exif\0\0' ? block.subarray(6) : block;
  if (tiff.length < 8) return undefined;
  const little = tiff.toString('latin1', 0, 2) === 'II';
  const u16 = (at: number) => (little ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
  const u32 = (at: number) => (little ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at));
  const i32 = (at: number) => (little ? tiff.readInt32LE(at) : tiff.readInt32BE(at));
  const answer: ExifAnswer = {};
  const seen = new Set<number>();
  const walk = (ifd: number, gps: boolean): void => {
    if (seen.has(ifd) || ifd + 2 > tiff.length) return;
    seen.add(ifd);
    const count = u16(ifd);
    for (let i = 0; i < count; i++) {
      const entry = ifd + 2 + i * 12;
      if (entry + 12 > tiff.length) return;
      const tag = u16(entry);
      const type = u16(entry + 2);
      const n = u32(entry + 4);
      if (!gps && (tag === EXIF_IFD || tag === GPS_IFD)) {
        walk(u32(entry + 8), tag === GPS_IFD);
        continue;
      }
      const name = (gps ? tag <= 0x001f : tag > 0x001f) ? NAMES[tag] : undefined;
      const size = (SIZES[type] ?? 0) * n;
      if (!name || size === 0) continue;
      const at = size <= 4 ? entry + 8 : u32(entry + 8);
      if (at + size > tiff.length) continue;
      const values: string[] = [];
      for (let k = 0; k < Math.min(n, 64); k++) {
        const p = at + k * (SIZES[type] ?? 1);
        if (type === 3) values.push(String(u16(p)));
        else if (type === 4) values.push(String(u32(p)));
        else if (type === 9) values.push(String(i32(p)));
        else if (type === 5 || type === 10) values.push(`${type === 5 ? u32(p) : i32(p)}/${type === 5 ? u32(p + 4) : i32(p + 4)}`);
        else if (type === 1 || type === 7) values.push(String(tiff[p]));
      }
      const val = type === 2 ? tiff.toString('latin1', at, at + size).replace(/\0+$/, '') : values.join(' ');
      answer[name] = { val, type };
    }
  };
  walk(u32(4), false);
  return Object.keys(answer).length > 0 ? answer : undefined;
}
