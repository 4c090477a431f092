import { createHash } from 'node:crypto';
import { CosErrors } from '../errors/index.js';
import {
  COPY_SOURCE_PREFIX,
  CUSTOMER_KEY_PARTS as CUSTOMER,
  customerKeyHeader as customerHeader,
  KMS_CONTEXT_HEADER as KMS_CONTEXT,
  KMS_KEY_ID_HEADER as KMS_KEY_ID,
  REQUEST_PREFIX,
  SSE_HEADER as SSE,
} from '../http/header-names.js';
import type { ServerSideEncryption } from '../persistence/index.js';

/**
 * Server-side encryption as COS's request headers ask for it (doc 436/7728, 436/18145): SSE-COS
 * (`x-cos-server-side-encryption: AES256`), SSE-KMS (`cos/kms`, with an optional key id and context)
 * or SSE-C (the customer's algorithm, key and key MD5). The emulator validates and records it and
 * answers with the headers COS answers with; it does not encrypt the bytes it stores.
 */
type Source = (name: string) => string | undefined;

/** The customer key a request presents (SSE-C), checked: AES256, 32 bytes of base64, and its MD5. */
function customerKeyOf(source: Source, prefix: string): { keyMd5: string } | undefined {
  const [algorithm, key, md5] = CUSTOMER.map((p) => source(customerHeader(prefix, p)));
  const names = CUSTOMER.map((p) => customerHeader(prefix, p));
  if (algorithm === undefined && key === undefined && md5 === undefined) return undefined;
  const missing = names.filter((_, i) => [algorithm, key, md5][i] === undefined);
  if (missing.length) throw CosErrors.invalidArgument(`SSE-C needs ${names.join(', ')} together; missing ${missing.join(', ')}`);
  if (algorithm !== 'AES256') throw CosErrors.invalidArgument(`${names[0]} "${algorithm}" must be AES256`);
  const bytes = Buffer.from(key!, 'base64');
  if (bytes.length !== 32 || bytes.toString('base64') !== key!.trim()) {
    throw CosErrors.invalidArgument(`${names[1]} must be the base64 of a 256-bit (32-byte) key; it decodes to ${bytes.length} bytes`);
  }
  const actual = createHash('md5').update(bytes).digest('base64');
  if (md5!.trim() !== actual) throw CosErrors.invalidArgument(`${names[2]} "${md5}" is not the MD5 of the key (${actual})`);
  return { keyMd5: actual };
}

/**
 * The encryption an upload asks for (PUT, POST, Initiate, Copy's destination), or undefined for none.
 * A cos/kms request that names no key gets the account's default CMK, as COS creates one.
 */
export function requestedEncryption(source: Source, account: { appId: string; region: string }): ServerSideEncryption | undefined {
  const sse = source(SSE);
  const keyId = source(KMS_KEY_ID);
  const context = source(KMS_CONTEXT);
  const customer = customerKeyOf(source, REQUEST_PREFIX);
  if (sse !== undefined && customer) throw CosErrors.invalidArgument(`${SSE} and SSE-C (customer key) headers exclude each other`);
  if (customer) return { kind: 'customer', algorithm: 'AES256', keyMd5: customer.keyMd5 };
  if ((keyId !== undefined || context !== undefined) && sse !== 'cos/kms') {
    throw CosErrors.invalidArgument(`${keyId !== undefined ? KMS_KEY_ID : KMS_CONTEXT} applies only with ${SSE}: cos/kms`);
  }
  if (sse === undefined) return undefined;
  if (sse === 'AES256') return { kind: 'cos' };
  if (sse !== 'cos/kms') throw CosErrors.invalidArgument(`${SSE} "${sse}" must be AES256 (SSE-COS) or cos/kms (SSE-KMS)`);
  if (context !== undefined) checkContext(context);
  return { kind: 'kms', keyId: keyId || defaultKmsKeyId(account.appId, account.region), ...(context !== undefined ? { context } : {}) };
}

/** The encryption context COS takes: the base64 of a JSON object of string pairs. */
function checkContext(context: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(context, 'base64').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw CosErrors.invalidArgument(`${KMS_CONTEXT} must be the base64 of a JSON object of key-value pairs`);
  }
}

/**
 * What reading an object needs (GET, HEAD, a copy's source): an SSE-C object only with its key (as
 * `x-cos-…` headers, or `x-cos-copy-source-…` for a copy's source); SSE-C headers on any other object,
 * and `x-cos-server-side-encryption` on a download, are refused as COS refuses them.
 */
export function checkReadAccess(source: Source, stored: ServerSideEncryption | undefined, copySource = false): void {
  const prefix = copySource ? COPY_SOURCE_PREFIX : REQUEST_PREFIX;
  if (!copySource && source(SSE) !== undefined) {
    throw CosErrors.invalidArgument(`${SSE} is for uploads; a download sends no such header (the object's own encryption applies)`);
  }
  const presented = customerKeyOf(source, prefix);
  if (stored?.kind === 'customer') {
    if (!presented) {
      throw CosErrors.invalidRequest(
        'The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.',
        `the object is encrypted with a customer key (SSE-C): send ${CUSTOMER.map((p) => customerHeader(prefix, p)).join(', ')}`,
      );
    }
    if (presented.keyMd5 !== stored.keyMd5) {
      throw CosErrors.accessDenied(`the customer key (MD5 ${presented.keyMd5}) is not the one the object was stored with`);
    }
  } else if (presented) {
    throw CosErrors.invalidRequest(
      'The encryption parameters are not applicable to this object.',
      `the object is not encrypted with a customer key, so ${customerHeader(prefix, 'algorithm')} and its companions do not apply`,
    );
  }
}

/** The response headers that describe an object's (or an upload's) encryption, as COS sends them. */
export function encryptionHeaders(sse: ServerSideEncryption | undefined): Record<string, string> {
  if (!sse) return {};
  if (sse.kind === 'cos') return { [SSE]: 'AES256' };
  if (sse.kind === 'kms') return { [SSE]: 'cos/kms', [KMS_KEY_ID]: sse.keyId };
  return { [customerHeader(REQUEST_PREFIX, 'algorithm')]: sse.algorithm, 'x-cos-server-side-encryption-customer-key-MD5': sse.keyMd5 };
}

/** The CMK COS would create for a bucket owner's cos/kms uploads that name none: stable per account and region. */
export function defaultKmsKeyId(appId: string, region: string): string {
  const h = createHash('md5').update(`cos-kms:${appId}:${region}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
