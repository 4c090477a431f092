import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { CosErrors } from '../errors/index.js';
import { parseXml } from '../xml/xml.js';
import { header } from './headers.js';

/** Reads a small request body (XML and JSON documents), refusing anything over `limit` bytes. */
export async function readSmallBody(body: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error(`the request body exceeds ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** A request whose body is a document: a configuration, a tag set, a list of parts or keys. */
export interface DocumentRequest {
  body: Readable;
  headers: IncomingHttpHeaders;
}

export interface DocumentReading {
  /** The largest body taken; COS refuses larger ones long before. */
  limit: number;
  /** Content-MD5: checked when sent, also required (Delete Multiple Objects), or not looked at. */
  md5: 'checked' | 'required' | 'ignored';
}

/** A configuration document (ACL, CORS, tags, a bucket configuration): up to 1 MB, Content-MD5 checked when sent. */
export const CONFIGURATION_BODY: DocumentReading = { limit: 1024 * 1024, md5: 'checked' };

export interface XmlReading extends DocumentReading {
  /** Names the document in the refusal of one that does not parse ("the versioning configuration"). */
  document?: string;
  /** An empty body is refused as having no XML, rather than read as an empty document. */
  refuseEmpty?: boolean;
  /** An empty body is read as a document without elements. */
  emptyIsDocument?: boolean;
}

/** A document body as text: read whole within its limit, and checked against Content-MD5 as asked. */
export async function readDocumentText(request: DocumentRequest, reading: DocumentReading): Promise<string> {
  let body: Buffer;
  try {
    body = await readSmallBody(request.body, reading.limit);
  } catch (e) {
    throw CosErrors.malformedXml((e as Error).message);
  }
  if (reading.md5 !== 'ignored') {
    const md5 = header(request.headers, 'content-md5');
    if (reading.md5 === 'required' && !md5) {
      throw CosErrors.invalidRequest('Missing required header for this request: Content-MD5.', 'this request must carry Content-MD5');
    }
    if (md5 && createHash('md5').update(body).digest('base64') !== md5.trim()) {
      throw CosErrors.badDigest('Content-MD5 does not match the body');
    }
  }
  return body.toString('utf8');
}

/** The one reader of XML request bodies: its text as `readDocumentText` reads it, parsed; what does not parse is MalformedXML. */
export async function readXmlBody(request: DocumentRequest, reading: XmlReading): Promise<Record<string, unknown>> {
  const text = await readDocumentText(request, reading);
  if (text.trim() === '') {
    if (reading.emptyIsDocument) return {};
    if (reading.refuseEmpty) throw CosErrors.malformedXml('the request has no XML body');
  }
  try {
    return parseXml(text);
  } catch (e) {
    const message = (e as Error).message;
    throw CosErrors.malformedXml(reading.document ? `${reading.document} is not XML: ${message}` : message);
  }
}
