import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { readExif } from './exif.js';
import type { Picture } from './execute.js';
import { MAX_INPUT_PIXELS } from './limits.js';
import type { InfoStage } from './plan.js';

/** The average colour as COS writes it: `0x` and six lower-case hex digits. */
export async function averageRgb(picture: Picture): Promise<string> {
  const stats = await sharp(picture.data, { limitInputPixels: MAX_INPUT_PIXELS }).stats();
  const mean = (i: number) => Math.round(stats.channels[Math.min(i, stats.channels.length - 1)]!.mean);
  const channels = stats.channels.length >= 3 ? [0, 1, 2] : [0, 0, 0];
  return `0x${channels.map((c) => mean(c).toString(16).padStart(2, '0')).join('')}`;
}

/** COS names formats its own way: an AV1 HEIF is `avif`. */
export const formatName = (picture: Picture): string =>
  picture.format === 'heif' && picture.compression === 'av1' ? 'avif' : picture.format;

/**
 * The JSON answer of `imageInfo` (doc 436/36375: every value a string), `imageAve` (`{"RGB":"0x…"}`)
 * and `exif` (each tag by name; `{"error":"no exif data"}` without any).
 */
export async function infoOf(stage: InfoStage, picture: Picture): Promise<Record<string, unknown>> {
  switch (stage.kind) {
    case 'imageInfo':
      return {
        format: formatName(picture),
        width: String(picture.width),
        height: String(picture.height),
        size: String(picture.data.length),
        md5: createHash('md5').update(picture.data).digest('hex'),
        frame_count: String(picture.frames),
        photo_rgb: await averageRgb(picture),
      };
    case 'imageAve':
      return { RGB: await averageRgb(picture) };
    case 'exif': {
      const meta = await sharp(picture.data, { limitInputPixels: MAX_INPUT_PIXELS }).metadata();
      return readExif(meta.exif) ?? { error: 'no exif data' };
    }
  }
}
