import { CosErrors } from '../errors/index.js';
import { type BucketPolicy, parseBucketPolicy, policyAnswer } from '../policy/bucket-policy.js';
import * as validate from './validators.js';
import type { Validator } from './validators.js';

/**
 * A bucket configuration sub-resource (`PUT/GET/DELETE /?<param>`): its operations are
 * `<Verb>Bucket<name>`, its CAM actions `name/cos:<Verb>Bucket<name>`.
 */
interface SubresourceBase {
  param: string;
  name: string;
  /** GET of an absent configuration: COS's 404 code and message, or the empty document COS answers 200 with. */
  absent: { code: string; message: string } | { empty: true };
  /** COS offers no DELETE for this one (logging is turned off by PUTting an empty status). */
  noDelete?: true;
  /** Several configurations, each under the `id` query parameter, and a listing of them (inventory). */
  byId?: true;
  /**
   * A PUT with an empty body stores an empty configuration, which GET answers as an empty root element:
   * the official Python SDK's delete_bucket_referer is such a PUT, and its suite then reads GET ?referer
   * as 200 with an empty <RefererConfiguration>.
   */
  emptyPutClears?: true;
}

/** A configuration whose document is XML under one root element, checked by its validator. */
export interface XmlSubresource extends SubresourceBase {
  root: string;
  validate: Validator;
}

/** A configuration whose document is JSON (the bucket policy): how a PUT's body is read, and how GET answers it. */
export interface JsonSubresource extends SubresourceBase {
  json: { read(body: string): unknown; answer(document: unknown): unknown };
}

export type SubresourceSpec = XmlSubresource | JsonSubresource;

const notFound = (code: string, message: string) => ({ code, message });

/** Every bucket configuration the emulator stores, in one place. */
export const SUBRESOURCES = [
  {
    param: 'policy',
    name: 'Policy',
    json: {
      read: (body) => {
        const parsed = parseBucketPolicy(body);
        if (!parsed.ok) throw CosErrors.malformedPolicy(parsed.reason);
        return parsed.policy;
      },
      answer: (document) => policyAnswer(document as BucketPolicy),
    },
    absent: notFound('NoSuchPolicy', 'The bucket policy does not exist.'),
  },
  {
    param: 'lifecycle',
    name: 'Lifecycle',
    root: 'LifecycleConfiguration',
    validate: validate.lifecycle,
    absent: notFound('NoSuchLifecycleConfiguration', 'The lifecycle configuration does not exist.'),
  },
  {
    param: 'website',
    name: 'Website',
    root: 'WebsiteConfiguration',
    validate: validate.website,
    absent: notFound('NoSuchWebsiteConfiguration', 'The specified bucket does not have a website configuration.'),
  },
  {
    param: 'referer',
    name: 'Referer',
    root: 'RefererConfiguration',
    validate: validate.referer,
    absent: notFound('NoSuchRefererConfiguration', 'The referer configuration does not exist.'),
    emptyPutClears: true,
  },
  { param: 'logging', name: 'Logging', root: 'BucketLoggingStatus', validate: validate.logging, absent: { empty: true }, noDelete: true },
  {
    param: 'inventory',
    name: 'Inventory',
    root: 'InventoryConfiguration',
    validate: validate.inventory,
    absent: notFound('NoSuchInventoryConfiguration', 'The specified inventory configuration does not exist.'),
    byId: true,
  },
  {
    param: 'domain',
    name: 'Domain',
    root: 'DomainConfiguration',
    validate: validate.domain,
    absent: notFound('NoSuchDomainConfiguration', 'The domain configuration does not exist.'),
  },
  {
    param: 'origin',
    name: 'Origin',
    root: 'OriginConfiguration',
    validate: validate.origin,
    absent: notFound('NoSuchOriginConfiguration', 'The origin configuration does not exist.'),
  },
  {
    param: 'replication',
    name: 'Replication',
    root: 'ReplicationConfiguration',
    validate: validate.replication,
    // Sic: COS's code, which the official SDKs test for.
    absent: notFound('ReplicationConfigurationNotFoundError', 'The replication configuration was not found.'),
  },
  {
    param: 'encryption',
    name: 'Encryption',
    root: 'ServerSideEncryptionConfiguration',
    validate: validate.encryption,
    absent: notFound('NoSuchEncryptionConfiguration', 'The server side encryption configuration was not found.'),
  },
  {
    param: 'accelerate',
    name: 'Accelerate',
    root: 'AccelerateConfiguration',
    validate: validate.accelerate,
    absent: { empty: true },
    noDelete: true,
  },
  {
    param: 'tagging',
    name: 'Tagging',
    root: 'Tagging',
    validate: validate.tagging,
    absent: notFound('NoSuchTagSet', 'The TagSet does not exist.'),
  },
] as const satisfies readonly SubresourceSpec[];

type Spec = (typeof SUBRESOURCES)[number];
type Deletable = Exclude<Spec, { noDelete: true }>;

/** The operations of the table, e.g. PutBucketPolicy, GetBucketLifecycle, ListBucketInventory. */
export type BucketConfigOperation =
  | `PutBucket${Spec['name']}`
  | `GetBucket${Spec['name']}`
  | `DeleteBucket${Deletable['name']}`
  | 'ListBucketInventory';

/** Every operation of the table, in the table's order. */
export const BUCKET_CONFIG_OPERATIONS = SUBRESOURCES.flatMap((spec: SubresourceSpec) => [
  `PutBucket${spec.name}`,
  `GetBucket${spec.name}`,
  ...(spec.noDelete ? [] : [`DeleteBucket${spec.name}`]),
  ...(spec.byId && 'root' in spec ? [`ListBucket${spec.name}`] : []),
]) as BucketConfigOperation[];

/** Routes `<method> /?<param>` on a bucket to its operation; undefined when no sub-resource of the table is named. */
export function bucketConfigOperation(
  method: string,
  query: Record<string, string>,
): { operation: BucketConfigOperation; spec: SubresourceSpec } | { unsupported: string } | undefined {
  const spec = SUBRESOURCES.find((s) => Object.hasOwn(query, s.param)) as SubresourceSpec | undefined;
  if (!spec) return undefined;
  const verb = method === 'PUT' ? 'Put' : method === 'GET' ? 'Get' : method === 'DELETE' && !spec.noDelete ? 'Delete' : undefined;
  if (!verb) return { unsupported: `${method} is not offered on ?${spec.param}` };
  if (verb === 'Get' && spec.byId && !Object.hasOwn(query, 'id')) return { operation: 'ListBucketInventory', spec };
  return { operation: `${verb}Bucket${spec.name}` as BucketConfigOperation, spec };
}
