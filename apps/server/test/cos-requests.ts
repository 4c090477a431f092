import { request as httpsRequest } from 'node:https';
import { signRequest } from '@cos-direct/signer';
import type { MultipartTicket } from '../src/index.js';
import { type Stack, ticket } from './harness.js';

export interface Res {
  status: number;
  text: string;
  headers: Record<string, string | string[] | undefined>;
}

export function send(
  s: Stack,
  url: string,
  method: string,
  headers: Record<string, string | number>,
  body?: Buffer | string,
): Promise<Res> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    httpsRequest({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers, ca: s.emu.info.caCert }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, text, headers: res.headers }));
    })
      .on('error', reject)
      .end(body);
  });
}

/** A request signed with the multipart ticket's own key, as a client SDK would send it. */
export function withTicketKey(
  s: Stack,
  d: MultipartTicket,
  method: string,
  query: Record<string, string>,
  body?: Buffer | string,
  extra: Record<string, string> = {},
) {
  const headers: Record<string, string> = {
    host: d.cosHost,
    'content-length': String(body === undefined ? 0 : Buffer.byteLength(body)),
    ...extra,
  };
  const auth = signRequest(
    { method, pathname: `/${d.cosKey}`, query, headers },
    { credentials: { secretId: d.credentials.tmpSecretId, secretKey: d.credentials.tmpSecretKey } },
  ).authorization;
  const search = new URLSearchParams(query).toString().replace(/=(&|$)/g, '$1');
  return send(
    s,
    `https://${d.cosHost}/${d.cosKey}${search ? `?${search}` : ''}`,
    method,
    {
      ...headers,
      authorization: auth,
      'x-cos-security-token': d.credentials.sessionToken,
    },
    body,
  );
}

export const post = (s: Stack, path: string, body: unknown) =>
  ticket(s.base, path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
