import { CosErrors } from '../errors/index.js';
import { CONFIGURATION_BODY, readXmlBody } from '../http/body.js';
import { header, type HeaderSource } from '../http/headers.js';
import { formDecode } from '../http/query.js';
import { XML, type Reply } from '../http/reply.js';
import type { ObjectRecord, Tag } from '../persistence/index.js';
import { toXml } from '../xml/xml.js';
import type { HandlerContext } from './context.js';
import { selectObject, versionHeader } from './versioning.js';

/** COS's object tag limits (doc 436/35665): ten tags, keys 1–127 and values 1–255 characters. */
export const TAG_LIMITS = { tags: 10, keyChars: 127, valueChars: 255 } as const;
/** Letters, digits and spaces in any script, and + - = . _ : / @. */
const TAG_TEXT = /^[\p{L}\p{N} +\-=._:/@]+$/u;

/** Checks a tag set as COS does; returns it unchanged. */
export function checkTags(tags: Tag[], source: string): Tag[] {
  if (tags.length > TAG_LIMITS.tags) {
    throw CosErrors.tooManyTags(`${source} has ${tags.length} tags; COS keeps at most ${TAG_LIMITS.tags} per object`);
  }
  const seen = new Set<string>();
  for (const { key, value } of tags) {
    const keyChars = [...key].length;
    if (keyChars < 1 || keyChars > TAG_LIMITS.keyChars)
      throw CosErrors.invalidTag(
        `${source}: the tag key ${JSON.stringify(key)} has ${keyChars} characters; COS allows 1 to ${TAG_LIMITS.keyChars}`,
      );
    const valueChars = [...value].length;
    if (valueChars < 1 || valueChars > TAG_LIMITS.valueChars) {
      throw CosErrors.invalidTag(
        `${source}: the value of tag ${JSON.stringify(key)} has ${valueChars} characters; COS allows 1 to ${TAG_LIMITS.valueChars}`,
      );
    }
    for (const [what, text] of [
      ['key', key],
      ['value', value],
    ] as const) {
      if (!TAG_TEXT.test(text))
        throw CosErrors.invalidTag(`${source}: the tag ${what} ${JSON.stringify(text)} holds a character COS does not allow in tags`);
    }
    if (seen.has(key)) throw CosErrors.invalidTag(`${source} sets the tag key ${JSON.stringify(key)} twice`);
    seen.add(key);
  }
  return tags;
}

/** `k1=v1&k2=v2`, URL-encoded as a query string (the x-cos-tagging header and POST field). */
export function parseTaggingQuery(value: string, source = 'x-cos-tagging'): Tag[] {
  const tags: Tag[] = [];
  for (const pair of value.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    try {
      tags.push({ key: formDecode(eq < 0 ? pair : pair.slice(0, eq)), value: eq < 0 ? '' : formDecode(pair.slice(eq + 1)) });
    } catch {
      throw CosErrors.invalidArgument(`${source} "${value.slice(0, 200)}" has malformed percent-encoding`);
    }
  }
  return checkTags(tags, source);
}

/** The tags a request asks for in its x-cos-tagging header or form field (undefined without one). */
export function requestTags(request: HeaderSource): Tag[] | undefined {
  const value = request.get('x-cos-tagging');
  return value === undefined ? undefined : parseTaggingQuery(value, request.describe('x-cos-tagging'));
}

/** The record fields for tags: none at all when there are none, so untagged records stay as they were. */
export const tagFields = (tags: Tag[] | undefined): { tags?: Tag[] } => (tags && tags.length > 0 ? { tags } : {});

/** `x-cos-tagging-count` on GET and HEAD of a tagged object. */
export const tagCountHeader = (o: ObjectRecord): Record<string, string> =>
  o.tags && o.tags.length > 0 ? { 'x-cos-tagging-count': String(o.tags.length) } : {};

/** Whether a copy's destination gets the request's tags (`x-cos-tagging-directive: Replaced`) rather than its source's. */
export function replacesTags(ctx: HandlerContext): boolean {
  const directive = (header(ctx.headers, 'x-cos-tagging-directive') ?? 'Copy').toLowerCase();
  if (directive !== 'copy' && directive !== 'replaced') {
    throw CosErrors.invalidArgument(`x-cos-tagging-directive "${directive}" must be Copy or Replaced`);
  }
  return directive === 'replaced';
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === '' ? [] : [v]);

function tagsOfDocument(doc: Record<string, unknown>): Tag[] {
  const root = doc.Tagging as { TagSet?: unknown } | undefined;
  if (!root || typeof root !== 'object' || root.TagSet === undefined) {
    throw CosErrors.malformedXml('expected <Tagging><TagSet><Tag><Key>…</Key><Value>…</Value></Tag>…</TagSet></Tagging>');
  }
  const set = root.TagSet;
  if (set !== '' && (typeof set !== 'object' || set === null)) throw CosErrors.malformedXml('<TagSet> must hold <Tag> elements');
  const tags = list((set as { Tag?: unknown }).Tag).map((t, i) => {
    const tag = t && typeof t === 'object' ? (t as { Key?: unknown; Value?: unknown }) : {};
    if (typeof tag.Key !== 'string' || (tag.Value !== undefined && typeof tag.Value !== 'string')) {
      throw CosErrors.malformedXml(`<Tag> #${i + 1} needs a text <Key> and <Value>`);
    }
    return { key: tag.Key, value: tag.Value ?? '' };
  });
  return checkTags(tags, 'the tag set');
}

export async function putObjectTagging(ctx: HandlerContext): Promise<Reply> {
  const o = selectObject(ctx);
  const tags = tagsOfDocument(await readXmlBody(ctx, CONFIGURATION_BODY));
  const { tags: _old, ...rest } = o;
  await ctx.stores.metadata.putObject({ ...rest, ...tagFields(tags) });
  return { status: 200, headers: versionHeader(ctx, o) };
}

export async function getObjectTagging(ctx: HandlerContext): Promise<Reply> {
  const o = selectObject(ctx);
  const tags = o.tags ?? [];
  return {
    status: 200,
    headers: { ...XML, ...versionHeader(ctx, o) },
    body: toXml('Tagging', { TagSet: tags.length > 0 ? { Tag: tags.map((t) => ({ Key: t.key, Value: t.value })) } : '' }),
  };
}

export async function deleteObjectTagging(ctx: HandlerContext): Promise<Reply> {
  const o = selectObject(ctx);
  const { tags: _old, ...rest } = o;
  if (o.tags) await ctx.stores.metadata.putObject(rest);
  return { status: 204, headers: versionHeader(ctx, o) };
}
