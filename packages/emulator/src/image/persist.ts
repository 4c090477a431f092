import { createHash } from 'node:crypto';
import sharp from 'sharp';
import type { XmlNode } from '../xml/xml.js';
import { inspect, type Picture } from './execute.js';
import { averageRgb, formatName } from './info.js';
import { checkInputBytes, inImageSlot, MAX_INPUT_PIXELS } from './limits.js';
import type { CopyRule, PicOperations } from './pic-operations.js';
import type { MogrStage } from './plan.js';
import { contentTypeOf, runPlan } from './run.js';

/** One rule's result, ready to be stored under its key. */
export interface MadeCopy {
  rule: CopyRule;
  picture: Picture;
  contentType: string;
  md5: string;
  quality: number;
}

/** What processing an original made: its own description (when asked for) and the copies. */
export interface Processed {
  original?: Picture;
  copies: MadeCopy[];
}

const LOSSLESS = new Set(['png', 'gif', 'bmp']);
// The qualities the executor's encoder uses when a rule names none (sharp's defaults).
const DEFAULT_QUALITY: Record<string, number> = { jpeg: 80, webp: 80, tiff: 80, heif: 50 };

/** The quality a copy was written at: the last quality a rule asked for, else the encoder's own. */
function qualityOf(rule: CopyRule, picture: Picture): number {
  if (LOSSLESS.has(picture.format)) return 100;
  const asked = rule.plan.stages.filter((s): s is MogrStage => s.kind === 'mogr' && s.quality !== undefined).at(-1)?.quality;
  return asked ?? DEFAULT_QUALITY[picture.format] ?? 100;
}

/**
 * Runs every rule of a Pic-Operations header on one original, under the download path's limits (32 MB,
 * the pixel limits, the processing slots). Nothing is stored here: a rule that fails fails the
 * request before any copy, or the original of an upload, is written.
 */
export async function processOriginal(ops: PicOperations, size: number, load: () => Promise<Buffer>): Promise<Processed> {
  checkInputBytes(size);
  let bytes: Promise<Buffer> | undefined;
  const once = () => {
    bytes ??= load();
    return bytes;
  };
  const original = ops.picInfo ? await inImageSlot(async () => inspect(await once())) : undefined;
  const copies: MadeCopy[] = [];
  for (const rule of ops.rules) {
    const outcome = await runPlan(rule.plan, size, once);
    // parsePicOperations admits only rules that end in an image.
    if (outcome.kind !== 'image') continue;
    const picture = outcome.picture;
    copies.push({
      rule,
      picture,
      contentType: contentTypeOf(picture),
      md5: createHash('md5').update(picture.data).digest('hex'),
      quality: qualityOf(rule, picture),
    });
  }
  return { original, copies };
}

/** `<ImageInfo>` of the original (doc 1045/33695): Format, Width, Height, Quality (lossless only: a JPEG's is unknown), Ave, Orientation. */
async function imageInfoOf(picture: Picture): Promise<XmlNode> {
  const meta = await sharp(picture.data, { limitInputPixels: MAX_INPUT_PIXELS }).metadata();
  return {
    Format: formatName(picture),
    Width: picture.width,
    Height: picture.height,
    Quality: LOSSLESS.has(picture.format) ? 100 : undefined,
    Ave: await averageRgb(picture),
    Orientation: meta.orientation ?? 0,
  };
}

/**
 * The `<UploadResult>` of upload processing and of POST ?image_process (doc 1045/33695): the original's
 * key, location and ETag (with its ImageInfo when `is_pic_info` is 1), then one `<Object>` per copy.
 */
export async function uploadResultOf(
  processed: Processed,
  original: { key: string; etag: string },
  location: (key: string) => string,
): Promise<XmlNode> {
  return {
    OriginalInfo: {
      Key: original.key,
      Location: location(original.key),
      ImageInfo: processed.original ? await imageInfoOf(processed.original) : undefined,
      ETag: `"${original.etag}"`,
    },
    ProcessResults: {
      Object: processed.copies.map((copy) => ({
        Key: copy.rule.key,
        Location: location(copy.rule.key),
        Format: formatName(copy.picture),
        Width: copy.picture.width,
        Height: copy.picture.height,
        Size: copy.picture.data.length,
        Quality: copy.quality,
        ETag: `"${copy.md5}"`,
      })),
    },
  };
}
