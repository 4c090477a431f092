import type { FastifyRequest } from 'fastify';
import { CosError, CosErrors } from '../errors/index.js';
import { readSmallBody } from '../http/body.js';
import type { Reply } from '../http/reply.js';
import type { RequestState } from '../pipeline/request-state.js';
import type { StsService } from '../sts/index.js';

/** STS (GetFederationToken and its kin) on the emulator's address, or undefined for a request that is not one. */
export async function stsRoute(sts: StsService, request: FastifyRequest, st: RequestState, method: string): Promise<Reply | undefined> {
  const { url, host, headers } = st;
  if (!sts.isStsRequest({ method, url, headers })) return undefined;
  let body: Buffer;
  try {
    body = await readSmallBody(st.body, 64 * 1024);
  } catch (e) {
    if (e instanceof CosError) throw e;
    throw CosErrors.invalidArgument(`STS request body: ${(e as Error).message}`);
  }
  st.operation = `sts:${stsActionOf(url, headers, body)}`;
  const res = sts.handle({ method, host, url, headers, body, ip: request.ip });
  return { status: res.statusCode, headers: res.headers, body: res.body };
}

/** The action an STS call names: API 3.0 in a header, v1 in the form or the query. */
function stsActionOf(url: string, headers: FastifyRequest['headers'], body: Buffer): string {
  const tc3 = headers['x-tc-action'];
  if (typeof tc3 === 'string' && tc3 !== '') return tc3;
  const q = url.indexOf('?');
  const action =
    new URLSearchParams(body.toString('utf8')).get('Action') ?? new URLSearchParams(q < 0 ? '' : url.slice(q + 1)).get('Action');
  return action || 'unknown';
}
