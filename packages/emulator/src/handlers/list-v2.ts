import { CosErrors } from '../errors/index.js';
import { XML, type Reply } from '../http/reply.js';
import { listGrouped, type ObjectRecord } from '../persistence/index.js';
import { toXml } from '../xml/xml.js';
import type { HandlerContext } from './context.js';
import { keyEncoder, listedObject } from './listing.js';

/*
 * S3's ListObjectsV2 (GET Bucket ?list-type=2), which S3 clients (`aws s3 ls`, boto3's
 * list_objects_v2, the SDKs' ListObjectsV2Command) send to COS. COS documents only GET Bucket (v1):
 * this follows S3's specification on top of the same listing, unconfirmed against COS.
 */

/** Where a page ended: after a key, or after a common prefix, whose keys are all skipped. */
type Position = { after: string; prefix: boolean };

// The token is opaque to clients, as S3's is: the position, base64url-encoded.
const tokenOf = (p: Position) => Buffer.from(`${p.prefix ? 'p' : 'k'}${p.after}`, 'utf8').toString('base64url');

function positionOf(token: string): Position {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  if (!/^[A-Za-z0-9_-]+$/.test(token) || (text[0] !== 'k' && text[0] !== 'p') || text.length < 2) {
    throw CosErrors.invalidArgument(`continuation-token "${token}" is not one this bucket's listing answered (NextContinuationToken)`);
  }
  return { after: text.slice(1), prefix: text[0] === 'p' };
}

function maxKeysOf(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 1000;
  if (!/^\d+$/.test(raw)) throw CosErrors.invalidArgument(`max-keys "${raw}" must be a non-negative integer`);
  return Math.min(Number(raw), 1000);
}

export async function listObjectsV2(ctx: HandlerContext): Promise<Reply> {
  const q = ctx.routed.params;
  if (q['list-type'] !== '2') throw CosErrors.invalidArgument(`list-type "${q['list-type']}" must be 2 (ListObjectsV2)`);
  const prefix = q.prefix ?? '';
  const delimiter = q.delimiter ?? '';
  const maxKeys = maxKeysOf(q['max-keys']);
  const encoding = q['encoding-type'];
  if (encoding !== undefined && encoding !== 'url') throw CosErrors.invalidArgument('encoding-type must be "url"');
  const token = q['continuation-token'];
  const startAfter = q['start-after'];
  // The token decides where the page starts; StartAfter only when there is none, as in S3.
  const from: Position | undefined =
    token !== undefined ? positionOf(token) : startAfter ? { after: startAfter, prefix: false } : undefined;
  // After a common prefix the listing would name it again first: ask for one more and drop it.
  const extra = from?.prefix ? 1 : 0;
  const page = listGrouped(
    (range) => ctx.stores.metadata.listObjects(ctx.bucket.name, range),
    (o) => o.key,
    { prefix, delimiter, max: maxKeys + extra, ...(from ? { after: from.after } : {}) },
  );
  let entries = page.entries;
  if (from?.prefix && entries[0] && 'commonPrefix' in entries[0] && entries[0].commonPrefix === from.after) entries = entries.slice(1);
  let truncated = page.truncated;
  if (entries.length > maxKeys) {
    entries = entries.slice(0, maxKeys);
    truncated = true;
  }
  const contents: ObjectRecord[] = [];
  const prefixes: string[] = [];
  for (const entry of entries) {
    if ('item' in entry) contents.push(entry.item);
    else prefixes.push(entry.commonPrefix);
  }
  const last = entries.at(-1);
  const next = last && ('item' in last ? { after: last.item.key, prefix: false } : { after: last.commonPrefix, prefix: true });
  const enc = keyEncoder(encoding === 'url');
  const owner = q['fetch-owner'] === 'true' ? { ID: ctx.config.appId, DisplayName: ctx.config.appId } : undefined;
  return {
    status: 200,
    headers: { ...XML, 'x-cos-bucket-region': ctx.bucket.region },
    body: toXml('ListBucketResult', {
      Name: ctx.bucket.name,
      Prefix: enc(prefix),
      Delimiter: delimiter ? enc(delimiter) : undefined,
      MaxKeys: maxKeys,
      EncodingType: encoding,
      KeyCount: entries.length,
      IsTruncated: truncated && next ? 'true' : 'false',
      ContinuationToken: token,
      NextContinuationToken: truncated && next ? tokenOf(next) : undefined,
      StartAfter: startAfter === undefined ? undefined : enc(startAfter),
      Contents: contents.map((o) => listedObject(o, enc, owner)),
      CommonPrefixes: prefixes.map((p) => ({ Prefix: enc(p) })),
    }),
  };
}
