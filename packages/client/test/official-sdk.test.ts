import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import COS from 'cos-nodejs-sdk-v5';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchMultipartTicket } from '../src/tickets.js';
import type { MultipartTicket } from '../src/types.js';
import { MiB, pattern, type Stack, stack } from './support/stack.js';

// What the sign server's README promises the official Node SDK: sliceUploadFile with a /sts-multipart
// ticket works when the server lets the ticket's key complete (MULTIPART_COMPLETION=client), and is
// refused at Complete in the default server mode, where only POST /complete-multipart completes.

function sliceUpload(s: Stack, t: MultipartTicket, file: string): Promise<unknown> {
  const cos = new COS({
    SecretId: t.credentials.tmpSecretId,
    SecretKey: t.credentials.tmpSecretKey,
    SecurityToken: t.credentials.sessionToken,
    Protocol: 'http:',
    Ip: new URL(s.emu.info.cos.http!).host,
    AutoSwitchHost: false,
  } as never);
  return new Promise((resolve, reject) =>
    // A type the ticket allows (contentTypes): without it the SDK sends an empty Content-Type, which the policy refuses.
    cos.sliceUploadFile(
      { Bucket: t.bucket!, Region: t.region!, Key: t.cosKey, FilePath: file, ChunkSize: MiB, ContentType: t.contentTypes!.at(-1) },
      (e, d) => (e ? reject(e) : resolve(d)),
    ),
  );
}

describe.each(['client', 'server'] as const)('cos-nodejs-sdk-v5 sliceUploadFile, MULTIPART_COMPLETION=%s', (completion) => {
  let s: Stack;
  let file: string;
  const data = pattern(3 * MiB + 5, 11);
  beforeAll(async () => {
    s = await stack({ multipartCompletion: completion });
    file = join(await mkdtemp(join(tmpdir(), 'cos-sdk-')), 'clip.mp4');
    await writeFile(file, data);
  });
  afterAll(() => s?.close());

  it(completion === 'client' ? 'uploads with the ticket key' : 'is refused at Complete', async () => {
    const t = await fetchMultipartTicket(s.transport, s.signUrl, 'mp4', data.length);
    expect(t.completion).toBe(completion);
    const outcome = await sliceUpload(s, t, file).then(
      () => 'uploaded',
      (e: { code?: string; error?: { Code?: string } }) => e.code ?? e.error?.Code ?? String(e),
    );
    const head = await s.root('HEAD', `/${t.cosKey}`);
    if (completion === 'client') {
      expect(outcome).toBe('uploaded');
      expect(head.headers['content-length']).toBe(String(data.length));
    } else {
      expect(outcome).toBe('AccessDenied');
      expect(head.status).toBe(404);
    }
  });
});
