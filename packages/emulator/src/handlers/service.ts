import { list } from '../bucket-config/shape.js';
import { CosErrors } from '../errors/index.js';
import { XML, type Reply } from '../http/reply.js';
import type { BucketRecord } from '../persistence/index.js';
import { toXml } from '../xml/xml.js';
import type { ServiceContext } from './context.js';

/** GET Service answers at most this many buckets a page, and this many without `max-keys` (doc 436/8291). */
const MAX_KEYS = 2000;

/** How `range` compares a bucket's creation time with `create-time` (unix seconds). */
const RANGES: Record<string, (created: number, limit: number) => boolean> = {
  lt: (created, limit) => created < limit,
  gt: (created, limit) => created > limit,
  lte: (created, limit) => created <= limit,
  gte: (created, limit) => created >= limit,
};

function tagged(ctx: ServiceContext, bucket: BucketRecord, key: string, value: string | undefined): boolean {
  const document = ctx.stores.metadata.getBucketConfig(bucket.name, 'tagging')?.document as { TagSet?: { Tag?: unknown } } | undefined;
  return list(document?.TagSet?.Tag).some((tag) => {
    const t = tag as { Key?: string; Value?: string };
    return t.Key === key && (value === undefined || t.Value === value);
  });
}

function filtersOf(ctx: ServiceContext): ((bucket: BucketRecord) => boolean)[] {
  const q = ctx.routed.params;
  const filters: ((bucket: BucketRecord) => boolean)[] = [];
  // `cos.<region>.myqcloud.com`, which the official SDKs use when given a Region, lists that region's buckets.
  const region = q.region || /^cos\.([a-z0-9-]+)\./.exec(ctx.routed.hostname)?.[1];
  if (region) filters.push((b) => b.region === region);
  if (q.tagkey) filters.push((b) => tagged(ctx, b, q.tagkey!, q.tagvalue || undefined));
  const createTime = q['create-time'];
  const range = q.range;
  if (createTime !== undefined || range !== undefined) {
    if (createTime === undefined || range === undefined)
      throw CosErrors.invalidArgument('create-time and range filter buckets together; one of them is missing');
    if (!/^\d+$/.test(createTime)) throw CosErrors.invalidArgument(`create-time "${createTime}" must be a unix time in seconds`);
    const compare = RANGES[range];
    if (!compare) throw CosErrors.invalidArgument(`range "${range}" must be one of ${Object.keys(RANGES).join(', ')}`);
    const limit = Number(createTime);
    filters.push((b) => compare(Math.floor(b.created / 1000), limit));
  }
  return filters;
}

/** GET Service (doc 436/8291): the account's buckets, filtered by region, tag and creation time, a page after `marker`. */
export function listBuckets(ctx: ServiceContext): Reply {
  const { appId } = ctx.config;
  const q = ctx.routed.params;
  const rawMax = q['max-keys'];
  if (rawMax !== undefined && rawMax !== '' && !/^[1-9]\d*$/.test(rawMax))
    throw CosErrors.invalidArgument(`max-keys "${rawMax}" must be a positive integer`);
  const maxKeys = rawMax === undefined || rawMax === '' ? MAX_KEYS : Math.min(Number(rawMax), MAX_KEYS);
  const marker = q.marker ?? '';
  const filters = filtersOf(ctx);
  const matching = ctx.stores.metadata
    .listBuckets()
    .filter((b) => b.name > marker && filters.every((keep) => keep(b)))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const page = matching.slice(0, maxKeys);
  const truncated = matching.length > page.length;
  return {
    status: 200,
    headers: XML,
    body: toXml('ListAllMyBucketsResult', {
      Owner: { ID: `qcs::cam::uin/${appId}:uin/${appId}`, DisplayName: appId },
      Buckets: {
        // Whole seconds: the official Python suite parses CreationDate as %Y-%m-%dT%H:%M:%SZ.
        Bucket: page.map((b) => ({
          Name: b.name,
          Location: b.region,
          CreationDate: new Date(b.created).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        })),
      },
      Marker: marker,
      IsTruncated: truncated ? 'true' : 'false',
      NextMarker: truncated ? page[page.length - 1]!.name : undefined,
    }),
  };
}
