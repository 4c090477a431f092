import { CosError } from '../errors/cos-error.js';
import { inspect, type Picture, runMogr } from './execute.js';
import { infoOf } from './info.js';
import { checkInputBytes, inImageSlot } from './limits.js';
import type { ImagePlan } from './plan.js';

export type Outcome = { kind: 'image'; picture: Picture } | { kind: 'json'; body: Record<string, unknown> };

const CONTENT_TYPES: Record<string, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  bmp: 'image/bmp',
  tiff: 'image/tiff',
  heif: 'image/heif',
  avif: 'image/avif',
};

export const contentTypeOf = (picture: Picture): string =>
  picture.format === 'heif' && picture.compression === 'av1' ? 'image/avif' : (CONTENT_TYPES[picture.format] ?? 'application/octet-stream');

/**
 * Runs a parsed rule on an object's bytes, read by `load` once a processing slot is free. A stage
 * with `ignore-error/1` that fails hands on its input unchanged, as COS documents for that flag;
 * every other failure is the refusal it raised.
 */
export async function runPlan(plan: ImagePlan, size: number, load: () => Promise<Buffer>): Promise<Outcome> {
  checkInputBytes(size);
  return inImageSlot(async () => {
    let picture = await inspect(await load());
    for (const stage of plan.stages) {
      if (stage.kind !== 'mogr') return { kind: 'json', body: await infoOf(stage, picture) };
      try {
        picture = await runMogr(stage, picture);
      } catch (e) {
        // What the emulator cannot do stays refused: the original would pass for what COS made.
        if (!stage.ignoreError || (e instanceof CosError && e.statusCode === 501)) throw e;
      }
    }
    return { kind: 'image', picture };
  });
}
