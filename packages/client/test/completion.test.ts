import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CosDirectError } from '../src/errors.js';
import { completeMultipartUpload, fetchMultipartTicket } from '../src/tickets.js';
import type { MultipartTicket } from '../src/types.js';
import { contentTypeFor, uploadWith } from '../src/upload.js';
import { isComplete, MiB, memorySource, memoryStore, observe, pattern, type Stack, stack } from './support/stack.js';

// Multipart uploads completed by the sign server (the ticket says completion: 'server'), the size a
// ticket states, and the Content-Type the client sends, against the emulator and a real sign server.

const fast = { retryPolicy: { backoff: { baseMs: 1, maxMs: 2 } } };
const multipart = { multipartThreshold: MiB, partSize: MiB, ...fast };

async function openUploads(s: Stack): Promise<string[]> {
  const res = await s.root('GET', '/', { uploads: '' });
  expect(res.status).toBe(200);
  return [...res.text.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]!);
}

async function head(s: Stack, key: string) {
  const res = await s.root('HEAD', `/${key}`);
  return { status: res.status, type: res.headers['content-type'], length: Number(res.headers['content-length']) };
}

async function refusal(p: Promise<unknown>): Promise<CosDirectError> {
  const e = await p.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(e).toBeInstanceOf(CosDirectError);
  return e as CosDirectError;
}

describe("completion 'server' (the sign server's default)", () => {
  let s: Stack;
  beforeAll(async () => {
    s = await stack({ bearerTokens: ['a-token-of-sixteen-chars'] });
  });
  afterAll(() => s?.close());
  const headers = { authorization: 'Bearer a-token-of-sixteen-chars' };

  it('completes through POST /complete-multipart with the auth headers, checks the CRC-64 and returns the confirmed object', async () => {
    const data = pattern(3 * MiB + 99, 3);
    const o = observe(s.transport);
    const result = await uploadWith({ transport: o.transport }, memorySource(data, 'clip.mp4'), {
      signUrl: s.signUrl,
      headers,
      ...multipart,
    });
    // The client never completes with the ticket's key: the key may not.
    expect(o.find(isComplete)).toEqual([]);
    const calls = o.find((r) => r.url.endsWith('/complete-multipart'));
    expect(calls).toHaveLength(1);
    expect(calls[0]!.req.headers.authorization).toBe(headers.authorization);
    const body = JSON.parse(new TextDecoder().decode(calls[0]!.req.body as Uint8Array));
    expect(Object.keys(body).sort()).toEqual(['confirmToken', 'uploadId']);
    expect(result).toMatchObject({ method: 'multipart', size: data.length, partsUploaded: 4, contentType: 'video/mp4' });
    expect(result.confirmed).toMatchObject({ key: result.key, size: data.length, kind: 'multipart', contentType: 'video/mp4' });
    expect(result.crc64).toBe(result.confirmed!.crc64);
    expect(result.etag).toMatch(/-4$/);
    expect(await head(s, result.key)).toMatchObject({ status: 200, length: data.length, type: 'video/mp4' });
    expect(await openUploads(s)).toEqual([]);
  });

  it('refuses an object whose CRC-64, as the sign server reports it, differs from the local parts', async () => {
    const o = observe(s.transport, async (req, send) => {
      const res = await send();
      if (!req.url.endsWith('/complete-multipart')) return res;
      const answer = JSON.parse(res.text);
      answer.data.crc64 = '1';
      return { ...res, text: JSON.stringify(answer) };
    });
    const e = await refusal(
      uploadWith({ transport: o.transport }, memorySource(pattern(2 * MiB, 4)), { signUrl: s.signUrl, headers, ...multipart }),
    );
    expect(e.code).toBe('CLIENT_ERR_INTEGRITY');
  });

  it('aborts a multipart upload whose parts exceed the ticket: the server answers 413 and nothing is left open', async () => {
    const data = pattern(3 * MiB, 5);
    const store = memoryStore();
    // A ticket for less than the file, without its maxSize: what a client that lies about the size gets.
    const getMultipartTicket = async (ext: string) => {
      const { maxSize: _, ...ticket } = await fetchMultipartTicket(s.transport, s.signUrl, ext, 2 * MiB + 1, { headers });
      return ticket;
    };
    const e = await refusal(
      uploadWith({ transport: s.transport, resumeStore: store }, memorySource(data, 'clip.bin', 'clip-413'), {
        signUrl: s.signUrl,
        headers,
        getMultipartTicket,
        ...multipart,
      }),
    );
    expect(e).toMatchObject({ code: 'CLIENT_ERR_TOO_LARGE', status: 413, serverCode: 'SRV_ERR_UPLOAD_TOO_LARGE' });
    expect(await openUploads(s)).toEqual([]);
    expect(store.states.size).toBe(0);
  });

  it('keeps confirmToken and completion in the resume state, and a resumed upload completes through the server', async () => {
    const data = pattern(4 * MiB, 6);
    const store = memoryStore();
    const controller = new AbortController();
    const source = memorySource(data, 'clip.bin', 'clip-resume');
    const first = await refusal(
      uploadWith({ transport: s.transport, resumeStore: store }, source, {
        signUrl: s.signUrl,
        headers,
        ...multipart,
        concurrency: 1,
        signal: controller.signal,
        keepResumeOnAbort: true,
        onProgress: (_sent, _total, detail) => {
          if (detail && detail.partsDone >= 2) controller.abort();
        },
      }),
    );
    expect(first.code).toBe('CLIENT_ERR_ABORTED');
    const [state] = [...store.states.values()];
    expect(state).toMatchObject({ completion: 'server', confirmToken: expect.stringMatching(/\./) });
    const o = observe(s.transport);
    const result = await uploadWith({ transport: o.transport, resumeStore: store }, source, { signUrl: s.signUrl, headers, ...multipart });
    expect(result.partsUploaded).toBeLessThan(4);
    expect(result.confirmed).toMatchObject({ key: state!.cosKey, size: data.length });
    expect(o.find(isComplete)).toEqual([]);
    expect(store.states.size).toBe(0);
  });

  it('completes through options.completeMultipart with a custom getMultipartTicket and no signUrl', async () => {
    const calls: Array<[MultipartTicket, string]> = [];
    const result = await uploadWith({ transport: s.transport }, memorySource(pattern(2 * MiB, 7)), {
      getTicket: () => Promise.reject(new Error('unused')),
      getMultipartTicket: (ext, size) => fetchMultipartTicket(s.transport, s.signUrl, ext, size, { headers }),
      completeMultipart: (ticket, uploadId) => {
        calls.push([ticket, uploadId]);
        return completeMultipartUpload(s.transport, s.signUrl, { confirmToken: ticket.confirmToken!, uploadId }, { headers });
      },
      ...multipart,
    });
    expect(calls).toHaveLength(1);
    expect(calls[0]![0]).toMatchObject({ cosKey: result.key, completion: 'server' });
    expect(result.confirmed?.key).toBe(result.key);
  });

  it('refuses to start a server-completed upload it could not complete (no signUrl, no completeMultipart)', async () => {
    const o = observe(s.transport);
    const e = await refusal(
      uploadWith({ transport: o.transport }, memorySource(pattern(2 * MiB, 8)), {
        getTicket: () => Promise.reject(new Error('unused')),
        getMultipartTicket: (ext, size) => fetchMultipartTicket(s.transport, s.signUrl, ext, size, { headers }),
        ...multipart,
      }),
    );
    expect(e.code).toBe('CLIENT_ERR_INVALID_ARGUMENT');
    expect(o.log).toEqual([]);
  });

  it('checks a multipart ticket’s maxSize before Initiate', async () => {
    const o = observe(s.transport);
    const e = await refusal(
      uploadWith({ transport: o.transport }, memorySource(pattern(2 * MiB, 9)), {
        signUrl: s.signUrl,
        headers,
        getMultipartTicket: (ext) => fetchMultipartTicket(s.transport, s.signUrl, ext, MiB, { headers }),
        ...multipart,
      }),
    );
    expect(e.code).toBe('CLIENT_ERR_TOO_LARGE');
    expect(o.log).toEqual([]);
  });
});

describe("completion 'client'", () => {
  let s: Stack;
  beforeAll(async () => {
    s = await stack({ multipartCompletion: 'client' });
  });
  afterAll(() => s?.close());

  it('completes with the ticket key, as before, and calls no sign server endpoint for it', async () => {
    const o = observe(s.transport);
    const result = await uploadWith({ transport: o.transport }, memorySource(pattern(2 * MiB, 10)), { signUrl: s.signUrl, ...multipart });
    expect(o.find(isComplete)).toHaveLength(1);
    expect(o.find((r) => r.url.endsWith('/complete-multipart'))).toEqual([]);
    expect(result.confirmed).toBeUndefined();
    expect(result.etag).toMatch(/-2$/);
  });
});

describe('confirm: true (POST /confirm after a PUT)', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await stack({ allowedExtensions: ['png', 'bin'], thumbnailRule: 'imageMogr2/thumbnail/400x' });
  });
  afterAll(() => s?.close());
  // A 1×1 PNG: the rule enlarges it to 400 px.
  const png = Uint8Array.from(
    Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64'),
  );

  it('asks the sign server to confirm the PUT, and the result carries its answer and the thumbnail', async () => {
    const o = observe(s.transport);
    const result = await uploadWith({ transport: o.transport }, memorySource(png, 'dot.png'), {
      signUrl: s.signUrl,
      confirm: true,
      ...fast,
    });
    const calls = o.find((r) => r.url.endsWith('/confirm'));
    expect(calls).toHaveLength(1);
    expect(Object.keys(JSON.parse(new TextDecoder().decode(calls[0]!.req.body as Uint8Array)))).toEqual(['confirmToken']);
    expect(result.confirmed).toMatchObject({ key: result.key, size: png.length, kind: 'direct' });
    expect(result.confirmed!.thumbnail).toMatchObject({ key: result.key.replace(/\.png$/, '_thumb.png'), width: 400, height: 400 });
    expect((await head(s, result.key.replace(/\.png$/, '_thumb.png'))).status).toBe(200);
  });

  it('calls no /confirm without the option', async () => {
    const o = observe(s.transport);
    const result = await uploadWith({ transport: o.transport }, memorySource(png, 'dot.png'), { signUrl: s.signUrl, ...fast });
    expect(o.find((r) => r.url.endsWith('/confirm'))).toEqual([]);
    expect(result.confirmed).toBeUndefined();
  });
});

describe('the size a ticket states (MAX_SIZE)', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await stack({ maxSize: 1000 });
  });
  afterAll(() => s?.close());

  it('refuses a direct upload over maxSize before sending a byte', async () => {
    const o = observe(s.transport);
    const e = await refusal(uploadWith({ transport: o.transport }, memorySource(pattern(1001)), { signUrl: s.signUrl, ...fast }));
    expect(e.code).toBe('CLIENT_ERR_TOO_LARGE');
    expect(e.message).toContain('at most 1000');
    expect(o.find((r) => r.method === 'PUT')).toEqual([]);
  });

  it('uploads exactly maxSize', async () => {
    const result = await uploadWith({ transport: s.transport }, memorySource(pattern(1000)), { signUrl: s.signUrl, ...fast });
    expect(result.size).toBe(1000);
  });
});

describe('the Content-Type sent', () => {
  it('follows the ticket', () => {
    expect(contentTypeFor({ contentType: 'image/jpeg', contentTypes: ['image/jpeg'] })).toBe('image/jpeg');
    expect(contentTypeFor({ contentType: 'image/jpeg' }, 'IMAGE/JPEG')).toBe('image/jpeg');
    expect(contentTypeFor({ contentTypes: ['application/octet-stream', 'image/jpeg'] })).toBe('image/jpeg');
    expect(contentTypeFor({ contentTypes: ['application/octet-stream', 'image/jpeg'] }, 'application/octet-stream')).toBe(
      'application/octet-stream',
    );
    expect(contentTypeFor({ contentTypes: ['application/octet-stream'] })).toBe('application/octet-stream');
    // A seed-style ticket lists nothing: what the seed's client sends.
    expect(contentTypeFor({})).toBe('application/octet-stream');
    expect(contentTypeFor({}, 'application/octet-stream')).toBe('application/octet-stream');
  });

  it('refuses a wanted type the ticket cannot carry, rather than dropping it (issue 25)', () => {
    const refused = (ticket: { contentType?: string; contentTypes?: string[] }, wanted: string) => {
      try {
        contentTypeFor(ticket, wanted);
      } catch (e) {
        return e as CosDirectError;
      }
      throw new Error(`${wanted} was not refused`);
    };
    const e = refused({ contentTypes: ['application/octet-stream', 'image/jpeg'] }, 'text/html');
    expect(e).toBeInstanceOf(CosDirectError);
    expect(e).toMatchObject({
      code: 'CLIENT_ERR_CONTENT_TYPE_NOT_ALLOWED',
      contentType: 'text/html',
      allowedContentTypes: ['application/octet-stream', 'image/jpeg'],
      permanent: true,
    });
    expect(e.message).toBe(
      'contentType "text/html" is not one the ticket allows (application/octet-stream, image/jpeg): nothing was sent; leave contentType out to store the type the ticket chooses',
    );
    expect(refused({ contentType: 'image/jpeg', contentTypes: ['image/jpeg'] }, 'image/png').allowedContentTypes).toEqual(['image/jpeg']);
    expect(refused({}, 'image/png').allowedContentTypes).toEqual(['application/octet-stream']);
  });

  describe('against the emulator', () => {
    let s: Stack;
    let enforced: Stack;
    beforeAll(async () => {
      s = await stack({ allowedExtensions: ['jpg', 'svg', 'mp4', 'bin'] });
      enforced = await stack({ allowedExtensions: ['jpg', 'svg'], enforceContentType: true });
    });
    afterAll(async () => {
      await s?.close();
      await enforced?.close();
    });

    it('stores the extension’s own type, so browsers preview it (type limit off)', async () => {
      const r = await uploadWith({ transport: s.transport }, memorySource(pattern(500), 'photo.jpg'), { signUrl: s.signUrl, ...fast });
      expect(r.contentType).toBe('image/jpeg');
      expect(await head(s, r.key)).toMatchObject({ status: 200, type: 'image/jpeg' });
      const m = await uploadWith({ transport: s.transport }, memorySource(pattern(2 * MiB), 'clip.mp4'), {
        signUrl: s.signUrl,
        ...multipart,
      });
      expect(await head(s, m.key)).toMatchObject({ status: 200, type: 'video/mp4' });
    });

    it('never an active type: an SVG is stored as application/octet-stream', async () => {
      const r = await uploadWith({ transport: s.transport }, memorySource(pattern(500), 'logo.svg'), { signUrl: s.signUrl, ...fast });
      expect(await head(s, r.key)).toMatchObject({ status: 200, type: 'application/octet-stream' });
    });

    it('refuses contentType text/html before a byte is sent, by PUT or multipart (issue 25)', async () => {
      for (const [name, size, options] of [
        ['page.jpg', 500, fast],
        ['clip.mp4', 2 * MiB, multipart],
      ] as const) {
        const net = observe(s.transport);
        const e = await refusal(
          uploadWith({ transport: net.transport }, memorySource(pattern(size), name), {
            signUrl: s.signUrl,
            contentType: 'text/html',
            ...options,
          }),
        );
        expect(e).toMatchObject({ code: 'CLIENT_ERR_CONTENT_TYPE_NOT_ALLOWED', contentType: 'text/html' });
        expect(e.allowedContentTypes).not.toContain('text/html');
        // Only the ticket was asked for: nothing reached COS.
        expect(net.log.map((entry) => new URL(entry.req.url).origin)).toEqual([s.signUrl]);
      }
    });

    it('refuses an SVG asked to be stored as image/svg+xml, an active type no ticket carries', async () => {
      const e = await refusal(
        uploadWith({ transport: s.transport }, memorySource(pattern(500), 'logo.svg'), {
          signUrl: s.signUrl,
          contentType: 'image/svg+xml',
          ...fast,
        }),
      );
      expect(e).toMatchObject({ code: 'CLIENT_ERR_CONTENT_TYPE_NOT_ALLOWED', allowedContentTypes: ['application/octet-stream'] });
    });

    it('stores application/octet-stream when asked to', async () => {
      const r = await uploadWith({ transport: s.transport }, memorySource(pattern(500), 'photo.jpg'), {
        signUrl: s.signUrl,
        contentType: 'application/octet-stream',
        ...fast,
      });
      expect(await head(s, r.key)).toMatchObject({ type: 'application/octet-stream' });
    });

    it('sends the ticket’s contentType with the type limit on, and refuses another', async () => {
      const r = await uploadWith({ transport: enforced.transport }, memorySource(pattern(500), 'photo.jpg'), {
        signUrl: enforced.signUrl,
        ...fast,
      });
      expect(await head(enforced, r.key)).toMatchObject({ type: 'image/jpeg' });
      const e = await refusal(
        uploadWith({ transport: enforced.transport }, memorySource(pattern(500), 'photo.jpg'), {
          signUrl: enforced.signUrl,
          contentType: 'image/png',
          ...fast,
        }),
      );
      expect(e).toMatchObject({ code: 'CLIENT_ERR_CONTENT_TYPE_NOT_ALLOWED', allowedContentTypes: ['image/jpeg'] });
    });
  });
});
