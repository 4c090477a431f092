import { nearMissLoose } from './did-you-mean.js';

/**
 * The regions COS serves buckets in, as its "Regions and Access Endpoints" page lists them (public cloud
 * and finance cloud). A bucket's host is `<bucket>.cos.<region>.myqcloud.com`, so a misspelled region
 * fails every upload with a DNS error far from its cause; the sign server refuses it at start instead.
 * A region newer than this list is accepted with `allowUnknownRegion` (ALLOW_UNKNOWN_REGION=true).
 */
export const COS_REGIONS = [
  // Chinese mainland
  'ap-beijing-1',
  'ap-beijing',
  'ap-nanjing',
  'ap-shanghai',
  'ap-guangzhou',
  'ap-chengdu',
  'ap-chongqing',
  // Finance cloud
  'ap-shenzhen-fsi',
  'ap-shanghai-fsi',
  'ap-beijing-fsi',
  // Elsewhere
  'ap-hongkong',
  'ap-singapore',
  'ap-jakarta',
  'ap-seoul',
  'ap-bangkok',
  'ap-tokyo',
  'me-saudi-arabia',
  'na-siliconvalley',
  'na-ashburn',
  'sa-saopaulo',
  'eu-frankfurt',
] as const;

export type CosRegion = (typeof COS_REGIONS)[number];

const KNOWN = new Set<string>(COS_REGIONS);

export const isKnownRegion = (region: string): region is CosRegion => KNOWN.has(region);

/** The listed region `region` is probably a misspelling of, if any. */
export function nearestRegion(region: string): string | undefined {
  return nearMissLoose(region, COS_REGIONS);
}
