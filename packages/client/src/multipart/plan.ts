import { COS_LIMITS } from '@cos-direct/signer';

const MiB = 1024 * 1024;

/** A part COS holds for the upload: its ETag, size and (when known) CRC-64. */
export interface DonePart {
  etag: string;
  size: number;
  crc64?: string;
}

/** How a source is cut: equal parts and a shorter last one, numbered from 1. */
export interface PartPlan {
  size: number;
  partSize: number;
  count: number;
  range(n: number): { start: number; end: number };
}

/** The part size for a new upload: the wanted one (8 MiB), at least 1 MiB, doubled until the parts fit in 10000. */
export function choosePartSize(size: number, wanted: number | undefined): number {
  let partSize = Math.max(COS_LIMITS.minPartBytes, wanted ?? 8 * MiB);
  while (Math.ceil(size / partSize) > COS_LIMITS.maxParts) partSize *= 2;
  return partSize;
}

export function planParts(size: number, partSize: number): PartPlan {
  return {
    size,
    partSize,
    count: Math.max(1, Math.ceil(size / partSize)),
    range: (n) => ({ start: (n - 1) * partSize, end: Math.min(size, n * partSize) }),
  };
}
