import type { Credentials, Target } from '../target.js';

/** What a client reports about an object. */
export interface ObjectInfo {
  size: number;
  etag?: string;
  meta: Record<string, string>;
}

export interface Listing {
  keys: string[];
  prefixes: string[];
}

/** One client, bound to one key, doing each case the way that client's users do it. */
export interface Session {
  put(key: string, body: Buffer): Promise<void>;
  /** A PUT carrying user metadata (names lower case, without the x-cos-meta-/x-amz-meta- prefix). */
  putWithMeta(key: string, body: Buffer, meta: Record<string, string>): Promise<void>;
  get(key: string): Promise<Buffer>;
  head(key: string): Promise<ObjectInfo>;
  /** Where a client reads metadata some other way than `head`. */
  headMeta?(key: string): Promise<Record<string, string>>;
  list(prefix: string, delimiter?: string): Promise<Listing>;
  /** The client's ListObjectsV2 call, where it has one apart from `list`. */
  listV2?(prefix: string, delimiter?: string): Promise<Listing>;
  delete(key: string): Promise<void>;
  copy(source: string, destination: string): Promise<void>;
  /** An upload the client splits into parts (the body is larger than its part size). */
  multipart(key: string, body: Buffer): Promise<void>;
  presignGet?(key: string): Promise<string>;
  presignPut?(key: string): Promise<string>;
}

export interface ClientDriver {
  name: string;
  /** The optional cases this client has a way of doing. */
  offers: ReadonlyArray<'listV2' | 'presignGet' | 'presignPut'>;
  /** Cases the client can only do with bucket-level permissions, which a prefix-scoped key lacks (on COS too). */
  bucketWide?: ReadonlyArray<string>;
  /** Why the client cannot run here (not installed), or undefined when it can. */
  missing(): string | undefined;
  open(target: Target, credentials: Credentials): Promise<Session>;
}

/** A refusal as the client reported it. */
export class ClientError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** Unquotes and lower-cases metadata names the way each client hands them back. */
export function metaOf(entries: Record<string, string | undefined>, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(entries)) {
    const name = k.toLowerCase();
    if (v !== undefined && name.startsWith(prefix)) out[name.slice(prefix.length)] = v;
  }
  return out;
}
