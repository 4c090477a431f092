import sharp from 'sharp';
import { CosErrors } from '../errors/index.js';

/** Cloud Infinite's input limits (doc 436/36375 and every processing page since): bytes, a side, pixels in all. */
export const MAX_INPUT_BYTES = 32 * 1024 * 1024;
export const MAX_INPUT_SIDE = 30_000;
export const MAX_INPUT_PIXELS = 250_000_000;

/**
 * At most this many images are decoded at once; the others wait their turn before a byte is read,
 * so a burst of large images costs time, not memory. libvips gets one thread per image and no
 * operation cache, for the same reason: a shared machine, and a hostile image must not take it over.
 */
const SLOTS = 2;
sharp.concurrency(1);
sharp.cache(false);

let free = SLOTS;
const waiting: (() => void)[] = [];

/** Runs `work` when a slot is free. */
export async function inImageSlot<T>(work: () => Promise<T>): Promise<T> {
  if (free > 0) free--;
  else await new Promise<void>((resolve) => waiting.push(resolve));
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else free++;
  }
}

/** Refuses an object too large to process before it is read. */
export function checkInputBytes(size: number): void {
  if (size > MAX_INPUT_BYTES) {
    throw CosErrors.invalidArgument(
      `the object has ${size} bytes; Cloud Infinite processes images of at most 32 MB (${MAX_INPUT_BYTES} bytes)`,
    );
  }
}

/** Refuses an image whose header declares more than COS decodes: a side over 30,000 px, or 250 MP in all frames. */
export function checkInputPixels(width: number, frameHeight: number, frames: number): void {
  if (width > MAX_INPUT_SIDE || frameHeight > MAX_INPUT_SIDE) {
    throw CosErrors.invalidArgument(
      `the image is ${width}x${frameHeight}; Cloud Infinite processes images of at most ${MAX_INPUT_SIDE} px on a side`,
    );
  }
  const pixels = width * frameHeight * frames;
  if (pixels > MAX_INPUT_PIXELS) {
    throw CosErrors.invalidArgument(
      `the image has ${pixels} pixels (${width}x${frameHeight}${frames > 1 ? ` x ${frames} frames` : ''}); Cloud Infinite processes at most 250 million in all frames`,
    );
  }
}
