import { createHash } from 'node:crypto';
import { CosErrors } from '../errors/index.js';
import { parseXml } from '../xml/xml.js';
import { header, readSmallBody, type HandlerContext } from './context.js';

/** Configuration documents are small; COS refuses larger ones long before this. */
const CONFIG_BODY_LIMIT = 1024 * 1024;

/** Reads a configuration body, checks Content-MD5 when sent, and parses it (XML) or returns its text. */
export async function readConfigBody(ctx: Pick<HandlerContext, 'body' | 'headers'>, as: { xml: true }): Promise<unknown>;
export async function readConfigBody(ctx: Pick<HandlerContext, 'body' | 'headers'>, as: { xml: false }): Promise<string>;
export async function readConfigBody(ctx: Pick<HandlerContext, 'body' | 'headers'>, as: { xml: boolean }): Promise<unknown> {
  let body: Buffer;
  try {
    body = await readSmallBody(ctx.body, CONFIG_BODY_LIMIT);
  } catch (e) {
    throw CosErrors.malformedXml((e as Error).message);
  }
  const md5 = header(ctx.headers, 'content-md5');
  if (md5 && createHash('md5').update(body).digest('base64') !== md5.trim())
    throw CosErrors.badDigest('Content-MD5 does not match the body');
  const text = body.toString('utf8');
  if (!as.xml) return text;
  if (text.trim() === '') throw CosErrors.malformedXml('the request has no XML body');
  try {
    return parseXml(text);
  } catch (e) {
    throw CosErrors.malformedXml((e as Error).message);
  }
}
