import { createServer, type ServerOptions } from '@cos-direct/server';
import { afterEach, describe, expect, it } from 'vitest';
import { uploadWith } from '../src/upload.js';
import { MiB, memorySource, memoryStore, observe, partNumber, pattern, type Stack, stack } from './support/stack.js';

// A saved upload was allowed by the sign server of its day. Started again with a smaller limit, the
// server would refuse that upload a ticket: the client checks its limits before sending more bytes.
let s: Stack | undefined;
let restarted: Awaited<ReturnType<typeof createServer>> | undefined;
afterEach(async () => {
  await restarted?.close();
  await s?.close();
  restarted = undefined;
  s = undefined;
});

async function started(): Promise<Stack> {
  s = await stack();
  return s;
}

describe('resuming after the sign server changed its limits', () => {
  // A multipart ticket is held to MAX_SIZE as well as to MAX_MULTIPART_SIZE: either one lowered refuses it.
  it.each<[string, Partial<ServerOptions>]>([
    ['MAX_MULTIPART_SIZE', { maxMultipartSize: 2 * MiB }],
    ['MAX_SIZE', { maxSize: 2 * MiB }],
  ])('aborts the saved upload at COS and refuses it as too large, sending no part (%s lowered)', async (_name, lowered) => {
    const s = await started();
    const openUploads = async () => [...(await s.root('GET', '/', { uploads: '' })).text.matchAll(/<UploadId>/g)];
    const data = pattern(5 * MiB, 43);
    const store = memoryStore();
    const source = () => memorySource(data, 'limits.bin', 'limits-1');
    const options = { signUrl: s.signUrl, multipartThreshold: MiB, partSize: MiB, concurrency: 1 };
    const controller = new AbortController();
    const first = observe(s.transport, async (req, send) => {
      if (partNumber(req) === 3) controller.abort();
      return send();
    });
    const aborted = await uploadWith({ transport: first.transport, resumeStore: store }, source(), {
      ...options,
      signal: controller.signal,
      keepResumeOnAbort: true,
    }).catch((e) => e);
    expect(aborted).toMatchObject({ code: 'CLIENT_ERR_ABORTED' });
    expect(store.states.size).toBe(1);
    expect(await openUploads()).toHaveLength(1);

    // The same address, the server started again with a limit under the file's size.
    const port = Number(new URL(s.signUrl).port);
    await s.app.close();
    restarted = await createServer({ ...s.serverOptions, ...lowered });
    await restarted.listen({ port, host: '127.0.0.1' });

    const second = observe(s.transport);
    const refused = await uploadWith({ transport: second.transport, resumeStore: store }, source(), options).catch((e) => e);
    expect(refused).toMatchObject({ code: 'CLIENT_ERR_TOO_LARGE' });
    expect(refused.message).toContain('now allows at most 2097152');
    expect(second.log.filter((e) => partNumber(e.req) !== undefined)).toHaveLength(0);
    expect(store.states.size).toBe(0);
    expect(await openUploads()).toHaveLength(0);
  });
});
