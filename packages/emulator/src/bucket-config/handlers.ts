import { type CosError, CosErrors } from '../errors/index.js';
import type { HandlerContext } from '../handlers/context.js';
import { CONFIGURATION_BODY, readDocumentText, readXmlBody } from '../http/body.js';
import { XML, type Reply } from '../http/reply.js';
import { toXml, type XmlNode } from '../xml/xml.js';
import type { BucketConfigRecord } from '../persistence/index.js';
import { element, type Tree } from './shape.js';
import { type BucketConfigOperation, SUBRESOURCES, type SubresourceSpec, type XmlSubresource } from './subresources.js';

type Handler = (ctx: HandlerContext) => Promise<Reply>;

/** COS keeps at most this many inventory configurations per bucket; listings page through them by this many. */
const MAX_BY_ID = 1000;
const LIST_PAGE = 100;

function idOf(ctx: HandlerContext, spec: SubresourceSpec): string {
  if (!spec.byId) return '';
  const id = ctx.routed.params.id;
  if (id === undefined || id === '') throw CosErrors.invalidArgument(`?${spec.param} needs its id parameter`);
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(id))
    throw CosErrors.invalidArgument(`the ${spec.param} id "${id}" must be 1 to 64 letters, digits, ".", "-" or "_"`);
  return id;
}

function notFoundError(spec: SubresourceSpec, ctx: HandlerContext, id: string): CosError {
  const absent = spec.absent as { code: string; message: string };
  return CosErrors.noSuchConfiguration(
    absent.code,
    absent.message,
    `bucket ${ctx.bucket.name} has no ${spec.param} configuration${id ? ` with id "${id}"` : ''}`,
  );
}

async function documentOf(ctx: HandlerContext, spec: SubresourceSpec, id: string): Promise<unknown | undefined> {
  if ('json' in spec) return spec.json.read(await readDocumentText(ctx, CONFIGURATION_BODY));
  const doc = (await readXmlBody(ctx, { ...CONFIGURATION_BODY, refuseEmpty: true, emptyIsDocument: spec.emptyPutClears })) as Tree;
  const names = Object.keys(doc);
  if (names.length === 0 && spec.emptyPutClears) return {};
  if (names.length !== 1 || doc[spec.root] === undefined)
    throw CosErrors.malformedXml(`expected a <${spec.root}> document${names.length ? `, not <${names.join('>, <')}>` : ''}`);
  const root = element(doc[spec.root], spec.root);
  // An empty logging status is how COS turns logging off.
  if (spec.param === 'logging' && Object.keys(root).length === 0) return undefined;
  return spec.validate(root, {
    bucket: ctx.bucket.name,
    region: ctx.bucket.region,
    bucketExists: (name) => ctx.stores.metadata.getBucket(name) !== undefined,
    id,
  });
}

function put(spec: SubresourceSpec): Handler {
  return async (ctx) => {
    const id = idOf(ctx, spec);
    const document = await documentOf(ctx, spec, id);
    const meta = ctx.stores.metadata;
    if (document === undefined) {
      await meta.deleteBucketConfig(ctx.bucket.name, spec.param, id);
      return { status: 200 };
    }
    let created: number | undefined;
    if (spec.byId) {
      // A new id goes after every other, a replaced one keeps its place.
      created = meta.getBucketConfig(ctx.bucket.name, spec.param, id)?.created;
      if (created === undefined) {
        const others = [...meta.listBucketConfigs(ctx.bucket.name, spec.param)];
        if (others.length >= MAX_BY_ID)
          throw CosErrors.invalidArgument(`bucket ${ctx.bucket.name} already has ${MAX_BY_ID} ${spec.param} configurations`);
        created = Math.max(0, ...others.map((r) => r.created ?? 0)) + 1;
      }
    }
    await meta.putBucketConfig({ bucket: ctx.bucket.name, name: spec.param, id, document, ...(created ? { created } : {}) });
    return { status: 200 };
  };
}

function render(spec: SubresourceSpec, document: unknown): Reply {
  if ('json' in spec)
    return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec.json.answer(document)) };
  return { status: 200, headers: XML, body: toXml(spec.root, document as XmlNode) };
}

function get(spec: SubresourceSpec): Handler {
  return async (ctx) => {
    const id = idOf(ctx, spec);
    const record = ctx.stores.metadata.getBucketConfig(ctx.bucket.name, spec.param, id);
    if (record) return render(spec, record.document);
    if ('empty' in spec.absent && 'root' in spec) return { status: 200, headers: XML, body: toXml(spec.root, '') };
    throw notFoundError(spec, ctx, id);
  };
}

function remove(spec: SubresourceSpec): Handler {
  return async (ctx) => {
    const id = idOf(ctx, spec);
    await ctx.stores.metadata.deleteBucketConfig(ctx.bucket.name, spec.param, id);
    return { status: 204 };
  };
}

function list(spec: XmlSubresource): Handler {
  return async (ctx) => {
    const token = ctx.routed.params['continuation-token'];
    // COS lists them in the order they were first put (the Python SDK's suite puts ID-0 … ID-149 and
    // reads them back so, across pages); the token is the last one's place and id.
    const order = (r: BucketConfigRecord) => [r.created ?? 0, r.id] as const;
    const after = token ? /^(\d+)-(.*)$/s.exec(token) : null;
    const records = [...ctx.stores.metadata.listBucketConfigs(ctx.bucket.name, spec.param)].sort((a, b) => {
      const [ca, ia] = order(a);
      const [cb, ib] = order(b);
      return ca - cb || (ia < ib ? -1 : ia > ib ? 1 : 0);
    });
    const page: unknown[] = [];
    let truncated = false;
    let last = '';
    for (const record of records) {
      const [created, id] = order(record);
      if (after && (created < Number(after[1]) || (created === Number(after[1]) && id <= after[2]!))) continue;
      if (page.length === LIST_PAGE) {
        truncated = true;
        break;
      }
      page.push(record.document);
      last = `${created}-${id}`;
    }
    return {
      status: 200,
      headers: XML,
      body: toXml('ListInventoryConfigurationResult', {
        [spec.root]: page as XmlNode[],
        IsTruncated: truncated ? 'true' : 'false',
        ContinuationToken: token || undefined,
        NextContinuationToken: truncated ? last : undefined,
      }),
    };
  };
}

/** The handler of every operation of the sub-resource table. */
export const BUCKET_CONFIG_HANDLERS = Object.fromEntries(
  SUBRESOURCES.flatMap((spec: SubresourceSpec) => [
    [`PutBucket${spec.name}`, put(spec)],
    [`GetBucket${spec.name}`, get(spec)],
    ...(spec.noDelete ? [] : [[`DeleteBucket${spec.name}`, remove(spec)]]),
    ...(spec.byId && 'root' in spec ? [[`ListBucket${spec.name}`, list(spec)]] : []),
  ]),
) as Record<BucketConfigOperation, Handler>;
