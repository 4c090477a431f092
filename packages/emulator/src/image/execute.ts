import sharp, { type Metadata, type Sharp } from 'sharp';
import { CosErrors } from '../errors/index.js';
import { encodeBmp, isBmp } from './bmp.js';
import { checkOutput, clip, cropRect, type Size, thumbnailSize } from './geometry.js';
import { checkInputPixels, MAX_INPUT_PIXELS } from './limits.js';
import type { MogrStage, OutputFormat, Step } from './plan.js';

/** An image between stages, and what it is. */
export interface Picture {
  data: Buffer;
  /** sharp's name of the format (`jpeg`, `png`, `webp`, `gif`, `heif`, `tiff`, …), or `bmp`. */
  format: string;
  width: number;
  /** Of one frame. */
  height: number;
  frames: number;
  /** `avif` for an AV1 HEIF, which sharp names `heif`. */
  compression?: string;
}

const open = (data: Buffer, animated: boolean): Sharp => sharp(data, { animated, limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' });

/** Reads an image's header, refusing what is not an image COS processes, or one over the input limits. */
export async function inspect(data: Buffer): Promise<Picture> {
  if (isBmp(data)) throw CosErrors.notImplemented('processing a BMP image (the emulator can write BMP but not read it)');
  let meta: Metadata;
  try {
    // The header alone, with no pixel limit: the limits below say which one an image breaks.
    meta = await sharp(data, { animated: true, limitInputPixels: false }).metadata();
  } catch (e) {
    throw CosErrors.invalidArgument(`the object is not an image Cloud Infinite can process (${(e as Error).message})`);
  }
  const width = meta.width ?? 0;
  const frames = meta.pages ?? 1;
  const height = meta.pageHeight ?? meta.height ?? 0;
  if (!meta.format || width === 0 || height === 0) throw CosErrors.invalidArgument('the object is not an image Cloud Infinite can process');
  checkInputPixels(width, height, frames);
  return { data, format: meta.format, width, height, frames, compression: meta.compression };
}

const SHARP_OUTPUT: Record<string, OutputFormat | 'tiff'> = { jpeg: 'jpeg', png: 'png', webp: 'webp', gif: 'gif', tiff: 'tiff' };

/** The format a stage writes: the one it names, else the input's own. */
function targetOf(stage: MogrStage, input: Picture): OutputFormat | 'tiff' {
  if (stage.format) return stage.format;
  if (input.format === 'heif') {
    if (input.compression === 'av1') return 'avif';
    throw CosErrors.notImplemented('writing HEIF (HEVC) output, which the emulator cannot encode; name another format with format/<fmt>');
  }
  const same = SHARP_OUTPUT[input.format];
  if (!same) throw CosErrors.notImplemented(`writing ${input.format} output; name another format with format/<fmt>`);
  return same;
}

const ANIMATED_FORMATS = new Set(['gif', 'webp']);

/** Runs one `imageMogr2` stage: each step on the previous step's result, then the encoding. */
export async function runMogr(stage: MogrStage, input: Picture): Promise<Picture> {
  const target = targetOf(stage, input);
  // Frames are kept only where both ends can hold them, as COS keeps a GIF's animation in a GIF.
  const animated = input.frames > 1 && ANIMATED_FORMATS.has(target);
  let current = input;
  let size: Size = { width: input.width, height: input.height };
  // Steps run one by one, each on a lossless copy of the last, because sharp orders the operations of
  // a single pipeline its own way while COS applies them in the order the rule gives.
  for (let i = 0; i < stage.steps.length - 1; i++) {
    const pipeline = applyStep(open(current.data, animated), stage.steps[i]!, size, stage);
    const data = await keepMeta(pipeline, stage)
      [animated ? 'webp' : 'png'](animated ? { lossless: true, effort: 0 } : { compressionLevel: 0 })
      .toBuffer();
    current = { ...(await inspect(data)), format: input.format };
    size = { width: current.width, height: current.height };
  }
  const last = stage.steps[stage.steps.length - 1];
  let pipeline = open(current.data, animated);
  if (last) pipeline = applyStep(pipeline, last, size, stage);
  return encode(keepMeta(pipeline, stage), target, stage);
}

/** COS keeps an image's metadata unless the rule strips it. */
const keepMeta = (pipeline: Sharp, stage: MogrStage): Sharp => (stage.strip ? pipeline : pipeline.keepMetadata());

function applyStep(pipeline: Sharp, step: Step, size: Size, stage: MogrStage): Sharp {
  switch (step.op) {
    case 'thumbnail': {
      const to = thumbnailSize(step.size, size);
      checkOutput(to, `the thumbnail (from ${size.width}x${size.height})`);
      return pipeline.resize(to.width, to.height, { fit: 'fill' });
    }
    case 'crop': {
      const rect = cropRect(step.crop, step.gravity, size);
      return pipeline.extract(rect);
    }
    case 'cut':
      return pipeline.extract(clip({ left: step.dx, top: step.dy, width: step.width, height: step.height }, size));
    case 'iradius': {
      const r = Math.min(step.radius, Math.floor(Math.min(size.width, size.height) / 2));
      if (r < 1) throw CosErrors.invalidArgument(`iradius/${step.radius} on a ${size.width}x${size.height} image leaves nothing`);
      const side = 2 * r;
      const left = Math.floor((size.width - side) / 2);
      const top = Math.floor((size.height - side) / 2);
      const mask = Buffer.from(`<svg width="${side}" height="${side}"><circle cx="${r}" cy="${r}" r="${r}" fill="#fff"/></svg>`);
      return pipeline
        .extract({ left, top, width: side, height: side })
        .ensureAlpha()
        .composite([{ input: mask, blend: 'dest-in' }]);
    }
    case 'rotate': {
      const radians = (step.degrees * Math.PI) / 180;
      const w = Math.round(Math.abs(size.width * Math.cos(radians)) + Math.abs(size.height * Math.sin(radians)));
      const h = Math.round(Math.abs(size.width * Math.sin(radians)) + Math.abs(size.height * Math.cos(radians)));
      checkOutput({ width: w, height: h }, `rotate/${step.degrees}`);
      return pipeline.rotate(step.degrees, { background: { r: 255, g: 255, b: 255, alpha: stage.format === 'jpeg' ? 1 : 0 } });
    }
    case 'auto-orient':
      return pipeline.autoOrient();
    case 'blur':
      return pipeline.blur(step.sigma);
  }
}

async function encode(pipeline: Sharp, target: OutputFormat | 'tiff', stage: MogrStage): Promise<Picture> {
  const quality = stage.quality;
  const progressive = stage.interlace;
  let data: Buffer;
  switch (target) {
    case 'jpeg':
      data = await pipeline.flatten({ background: '#ffffff' }).jpeg({ quality, progressive }).toBuffer();
      break;
    case 'png':
      data = await pipeline.png({ progressive }).toBuffer();
      break;
    case 'webp':
      data = await pipeline.webp({ quality }).toBuffer();
      break;
    case 'gif':
      data = await pipeline.gif({ progressive }).toBuffer();
      break;
    case 'avif':
      data = await pipeline.avif({ quality, effort: 0 }).toBuffer();
      break;
    case 'tiff':
      data = await pipeline.tiff({ quality }).toBuffer();
      break;
    case 'bmp': {
      const raw = await pipeline.flatten({ background: '#ffffff' }).raw().toBuffer({ resolveWithObject: true });
      data = encodeBmp(raw.data, raw.info.width, raw.info.height, raw.info.channels);
      return { data, format: 'bmp', width: raw.info.width, height: raw.info.height, frames: 1 };
    }
  }
  return inspect(data);
}
