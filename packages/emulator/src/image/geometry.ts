import { CosErrors } from '../errors/index.js';
import type { Crop, Gravity, Thumbnail } from './plan.js';

export interface Size {
  width: number;
  height: number;
}

export interface Rect extends Size {
  left: number;
  top: number;
}

/** COS's output limit: no side of a processed image beyond 9,999 px. */
export const MAX_OUTPUT_SIDE = 9999;

const round = (n: number) => Math.max(1, Math.round(n));

/** The size a thumbnail rule gives an image of `from`'s size (doc 436/44880). */
export function thumbnailSize(size: Thumbnail, from: Size): Size {
  const { width: w, height: h } = from;
  switch (size.kind) {
    case 'percent':
      return { width: round((w * size.width) / 100), height: round((h * size.height) / 100) };
    case 'area': {
      const scale = Math.sqrt(size.pixels / (w * h));
      return { width: round(w * scale), height: round(h * scale) };
    }
    case 'exact':
      return { width: size.width, height: size.height };
    case 'cover': {
      const scale = Math.max(size.width / w, size.height / h);
      return { width: round(w * scale), height: round(h * scale) };
    }
    case 'fit': {
      const scales = [size.width === undefined ? Infinity : size.width / w, size.height === undefined ? Infinity : size.height / h];
      const scale = Math.min(...scales);
      // `>` only ever shrinks and `<` only ever enlarges: otherwise the image is left as it is.
      if ((size.only === 'shrink' && scale >= 1) || (size.only === 'enlarge' && scale <= 1)) return { width: w, height: h };
      return { width: round(w * scale), height: round(h * scale) };
    }
  }
}

/** Where `gravity` puts a box of `inner`'s size within `outer`. */
function place(gravity: Gravity, outer: Size, inner: Size): { left: number; top: number } {
  const dx = outer.width - inner.width;
  const dy = outer.height - inner.height;
  const left = gravity.endsWith('west') ? 0 : gravity.endsWith('east') ? dx : Math.floor(dx / 2);
  const top = gravity.startsWith('north') ? 0 : gravity.startsWith('south') ? dy : Math.floor(dy / 2);
  return { left, top };
}

/** The region a crop keeps, clipped to the image as COS clips it. */
export function cropRect(crop: Crop, gravity: Gravity, from: Size): Rect {
  if (crop.kind === 'offset') return clip({ left: crop.dx, top: crop.dy, width: crop.width, height: crop.height }, from);
  const inner = { width: Math.min(crop.width ?? from.width, from.width), height: Math.min(crop.height ?? from.height, from.height) };
  return { ...place(gravity, from, inner), ...inner };
}

/** A region cut from the top-left corner with an offset, clipped to the image. */
export function clip(rect: Rect, from: Size): Rect {
  if (rect.left >= from.width || rect.top >= from.height) {
    throw CosErrors.invalidArgument(`the region starting at ${rect.left},${rect.top} lies outside the ${from.width}x${from.height} image`);
  }
  return {
    left: rect.left,
    top: rect.top,
    width: Math.min(rect.width, from.width - rect.left),
    height: Math.min(rect.height, from.height - rect.top),
  };
}

/** Refuses a result COS would not make: more than 9,999 px on a side. */
export function checkOutput(size: Size, what: string): void {
  if (size.width > MAX_OUTPUT_SIDE || size.height > MAX_OUTPUT_SIDE) {
    throw CosErrors.invalidArgument(
      `${what} would make a ${size.width}x${size.height} image; COS makes no image over ${MAX_OUTPUT_SIDE} px on a side`,
    );
  }
}
