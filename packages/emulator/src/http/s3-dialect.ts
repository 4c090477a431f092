import type { IncomingHttpHeaders } from 'node:http';
import { formDecode } from './query.js';

/**
 * S3's request headers, as COS reads them from S3 clients (doc 436/37421): each x-amz-* name is either
 * COS's x-cos-* twin, part of the SigV4 signature, an S3 checksum COS accepts without verifying, or a
 * feature COS has no twin for, which is refused. None is ever dropped unsaid.
 */
export type AmzHeaderKind =
  | { kind: 'mapped'; to: string }
  | { kind: 'signature' }
  | { kind: 'unverified'; note: string }
  | { kind: 'refused'; why: string };

const SSE_C = ['algorithm', 'key', 'key-md5'].map((p) => `server-side-encryption-customer-${p}`);

/** x-amz-<suffix> → x-cos-<suffix>: the same header under COS's prefix. */
const SAME_SUFFIX = [
  'acl',
  'grant-read',
  'grant-write',
  'grant-read-acp',
  'grant-write-acp',
  'grant-full-control',
  'storage-class',
  'server-side-encryption',
  'server-side-encryption-context',
  ...SSE_C,
  'copy-source',
  'copy-source-if-match',
  'copy-source-if-none-match',
  'copy-source-if-modified-since',
  'copy-source-if-unmodified-since',
  'copy-source-range',
  ...SSE_C.map((s) => `copy-source-${s}`),
  'metadata-directive',
  'tagging',
  'tagging-directive',
  'website-redirect-location',
  'mfa',
];

const MAPPED: Record<string, string> = {
  ...Object.fromEntries(SAME_SUFFIX.map((s) => [`x-amz-${s}`, `x-cos-${s}`])),
  // COS names its KMS key id after its own KMS.
  'x-amz-server-side-encryption-aws-kms-key-id': 'x-cos-server-side-encryption-cos-kms-key-id',
};

/** Read by the SigV4 stage (pipeline/sigv4.ts), which checks them as S3 does. */
const SIGNATURE = new Set(['x-amz-date', 'x-amz-content-sha256', 'x-amz-security-token', 'x-amz-decoded-content-length']);

const CHECKSUM_NOTE = 'COS did not verify the checksum: it accepts S3 flexible checksums without checking them';

/** What an x-amz-* request header (or presigned-URL parameter) stands for at COS. */
export function amzHeaderKind(name: string): AmzHeaderKind {
  const lower = name.toLowerCase();
  if (lower.startsWith('x-amz-meta-')) return { kind: 'mapped', to: `x-cos-meta-${lower.slice('x-amz-meta-'.length)}` };
  const to = MAPPED[lower];
  if (to) return { kind: 'mapped', to };
  if (SIGNATURE.has(lower)) return { kind: 'signature' };
  if (lower.startsWith('x-amz-checksum-') && lower !== 'x-amz-checksum-mode') {
    return { kind: 'unverified', note: `${lower}: ${CHECKSUM_NOTE}` };
  }
  if (lower === 'x-amz-sdk-checksum-algorithm') return { kind: 'unverified', note: `${lower}: ${CHECKSUM_NOTE}` };
  if (lower === 'x-amz-checksum-mode') {
    return { kind: 'unverified', note: `${lower}: COS answers no x-amz-checksum-* headers, so the client has no checksum to verify` };
  }
  if (lower === 'x-amz-trailer') {
    return {
      kind: 'unverified',
      note: `${lower}: announces a trailing checksum, which COS does not verify (aws-chunked bodies are refused)`,
    };
  }
  if (lower === 'x-amz-user-agent') return { kind: 'unverified', note: `${lower}: the client's name, which COS ignores` };
  return { kind: 'refused', why: `"${name}" is an S3 header with no COS counterpart the emulator knows of` };
}

/**
 * A value S3 spells differently: S3's directives are COPY and REPLACE, COS's Copy and Replaced; S3's
 * KMS encryption is aws:kms, COS's cos/kms.
 */
function cosValue(cosName: string, value: string): string {
  if (cosName === 'x-cos-server-side-encryption') return value.trim() === 'aws:kms' ? 'cos/kms' : value;
  if (cosName !== 'x-cos-metadata-directive' && cosName !== 'x-cos-tagging-directive') return value;
  const upper = value.trim().toUpperCase();
  return upper === 'REPLACE' ? 'Replaced' : upper === 'COPY' ? 'Copy' : value;
}

/** A request's headers as COS reads them, and what became of its x-amz-* ones. */
export interface DialectReading {
  /** The headers by COS's names: each mapped x-amz-* header under its x-cos-* name, none of the other x-amz-*. */
  headers: IncomingHttpHeaders;
  /** Whether the request speaks S3's dialect (an x-amz-* header or query parameter): its answer carries S3's names too. */
  s3: boolean;
  /** For the request log: what was mapped, accepted unverified, or ignored. */
  notes: string[];
  /** x-amz-* names refused once authorization has passed, with why. */
  refused: Array<{ name: string; why: string }>;
  /** The name a mapped x-cos-* header was sent as, for refusals that name it. */
  sentAs: Record<string, string>;
}

// X-Amz-* parameters of a presigned URL that make up its SigV4 signature.
const QUERY_SIGNATURE = new Set([
  ...SIGNATURE,
  'x-amz-algorithm',
  'x-amz-credential',
  'x-amz-expires',
  'x-amz-signedheaders',
  'x-amz-signature',
]);

/** The x-amz-* parameters of a request target's query: lower-cased names, decoded values (the first of a name). */
function amzQuery(url: string): Array<[string, string]> {
  const q = url.indexOf('?');
  if (q < 0) return [];
  const out: Array<[string, string]> = [];
  for (const part of url.slice(q + 1).split('&')) {
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).toLowerCase();
    if (!name.startsWith('x-amz-') || out.some(([n]) => n === name)) continue;
    try {
      out.push([name, eq < 0 ? '' : formDecode(part.slice(eq + 1))]);
    } catch {
      // Routing refuses malformed percent-encoding for the whole query.
    }
  }
  return out;
}

/** Reads a request in COS's names (`headers` as sent, `url` the request target). */
export function readDialect(headers: IncomingHttpHeaders, url: string): DialectReading {
  const out: IncomingHttpHeaders = {};
  const reading: DialectReading = { headers: out, s3: false, notes: [], refused: [], sentAs: {} };
  const mapped: Array<[string, string, string]> = [];
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith('x-amz-')) {
      out[name] = value;
      continue;
    }
    reading.s3 = true;
    const kind = amzHeaderKind(name);
    if (kind.kind === 'mapped') mapped.push([name, kind.to, Array.isArray(value) ? value.join(',') : (value ?? '')]);
    else if (kind.kind === 'unverified') reading.notes.push(kind.note);
    else if (kind.kind === 'refused') reading.refused.push({ name, why: kind.why });
  }
  for (const [name, to, value] of mapped) {
    // COS's own name wins when a request sends both; the note says so rather than drop one unsaid.
    if (out[to] !== undefined) {
      reading.notes.push(`${name} ignored: ${to} was sent too, and COS's own header decides`);
      continue;
    }
    out[to] = cosValue(to, value);
    reading.sentAs[to] = name;
  }
  // A presigned URL carries the headers its signer hoisted into the query; S3 reads them as headers.
  for (const [name, value] of amzQuery(url)) {
    reading.s3 = true;
    if (QUERY_SIGNATURE.has(name)) continue;
    const kind = amzHeaderKind(name);
    if (kind.kind === 'mapped' && out[kind.to] === undefined) {
      out[kind.to] = cosValue(kind.to, value);
      reading.sentAs[kind.to] = name;
    } else if (kind.kind === 'mapped') reading.notes.push(`${name} (a presigned URL's parameter) ignored: ${kind.to} was sent too`);
    else if (kind.kind === 'unverified') reading.notes.push(`${kind.note} (a presigned URL's parameter)`);
    else if (kind.kind === 'refused') reading.refused.push({ name, why: `${kind.why} (a presigned URL's parameter)` });
  }
  return reading;
}

/** COS's response headers that S3 clients read under S3's names (metadata, version id, …). */
const ANSWERED_AS_AMZ =
  /^x-cos-(meta-.+|version-id|delete-marker|server-side-encryption.*|storage-class|tagging-count|copy-source-version-id|website-redirect-location)$/;

/** The answer's headers with the S3 name of each COS header an S3 client reads, beside COS's own. */
export function withS3Names(headers: Record<string, string>): Record<string, string> {
  const out = { ...headers };
  for (const [name, value] of Object.entries(headers)) {
    const m = ANSWERED_AS_AMZ.exec(name.toLowerCase());
    if (!m) continue;
    if (m[1] === 'server-side-encryption') out['x-amz-server-side-encryption'] = value === 'cos/kms' ? 'aws:kms' : value;
    else out[`x-amz-${m[1]!.replace('cos-kms-key-id', 'aws-kms-key-id')}`] = value;
  }
  return out;
}
