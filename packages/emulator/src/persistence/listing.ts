import type { UploadRange } from './types.js';

export type ListEntry<T> = { item: T } | { commonPrefix: string };

export interface GroupedPage<T> {
  entries: ListEntry<T>[];
  /** More entries follow the page. */
  truncated: boolean;
}

/**
 * One page of a COS listing (GET Bucket, List Multipart Uploads) over a range scan: keys starting with
 * `prefix` and above the marker, keys holding `delimiter` past the prefix rolled up into one common
 * prefix each. After a common prefix the scan restarts above all of its keys, so a page costs its own
 * entries, not the keys the prefixes stand for.
 */
export function listGrouped<T>(
  scan: (range: UploadRange) => Iterable<T>,
  keyOf: (item: T) => string,
  options: { prefix: string; delimiter: string; max: number; after?: string; afterUploadId?: string },
): GroupedPage<T> {
  const { prefix, delimiter, max } = options;
  const entries: ListEntry<T>[] = [];
  let range: UploadRange = { prefix };
  if (options.after) range.after = options.after;
  if (options.after && options.afterUploadId) range.afterUploadId = options.afterUploadId;
  let lastPrefix: string | undefined;
  for (;;) {
    let restarted = false;
    for (const item of scan(range)) {
      const key = keyOf(item);
      let commonPrefix: string | undefined;
      if (delimiter) {
        const at = key.indexOf(delimiter, prefix.length);
        if (at >= 0) commonPrefix = key.slice(0, at + delimiter.length);
      }
      // A marker inside a common prefix lists the prefix again first, once.
      if (commonPrefix !== undefined && commonPrefix === lastPrefix) continue;
      if (entries.length >= max) return { entries, truncated: true };
      if (commonPrefix === undefined) {
        entries.push({ item });
        continue;
      }
      entries.push({ commonPrefix });
      lastPrefix = commonPrefix;
      range = { prefix, after: commonPrefix, skipDescendants: true };
      restarted = true;
      break;
    }
    if (!restarted) return { entries, truncated: false };
  }
}

/** The first item of a lazy listing, closing the scan right after it. */
export function firstOf<T>(items: Iterable<T>): T | undefined {
  for (const item of items) return item;
  return undefined;
}
