import { Crc64Ecma } from '@cos-direct/signer/crc64';
import { type Dispatcher, request } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { getStsDirectSign, getStsMultipart, localStorageResumeStore, upload } from '../src/browser.js';
import { MiB, md5, pattern, type Stack, stack } from './support/stack.js';

// The browser build against the emulator. Node has no XMLHttpRequest, so a small one is put in its place
// for these tests: it sends each request for real (undici, trusting the emulator's CA) and behaves like
// a browser where the build depends on it: forbidden headers throw, bodies are Blobs or bytes, upload
// progress events, abort, and a failed request gives onerror with no details.

interface Sent {
  method: string;
  url: string;
  headers: Record<string, string>;
  size: number;
}

class BridgeXhr {
  static dispatcher: Dispatcher;
  static sent: Sent[] = [];
  /** Lets a test answer a request itself: return [status, headers, text] or undefined to send it. */
  static answer: (s: Sent) => [number, Record<string, string>, string] | undefined = () => undefined;
  /** Lets a test change a response before the page sees it. */
  static rewrite: (s: Sent, headers: Record<string, string>) => Record<string, string> = (_, h) => h;
  static onSend: (s: Sent) => void = () => {};

  upload: { onprogress: ((e: { loaded: number }) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  responseType = '';
  status = 0;
  responseText = '';
  #method = '';
  #url = '';
  #headers: Record<string, string> = {};
  #raw = '';
  #controller = new AbortController();

  open(method: string, url: string) {
    this.#method = method;
    this.#url = url;
  }

  setRequestHeader(name: string, value: string) {
    if (/^(host|content-length|connection)$/i.test(name)) throw new Error(`Refused to set unsafe header "${name}"`);
    this.#headers[name.toLowerCase()] = value;
  }

  getAllResponseHeaders() {
    return this.#raw;
  }

  abort() {
    this.#controller.abort();
  }

  send(body: Blob | Uint8Array | null) {
    (async () => {
      const bytes = body instanceof Blob ? new Uint8Array(await body.arrayBuffer()) : (body ?? undefined);
      const sent: Sent = { method: this.#method, url: this.#url, headers: { ...this.#headers }, size: bytes?.length ?? 0 };
      BridgeXhr.sent.push(sent);
      BridgeXhr.onSend(sent);
      if (bytes && bytes.length > 0) this.upload.onprogress?.({ loaded: Math.floor(bytes.length / 2) });
      const answered = BridgeXhr.answer(sent);
      let status: number;
      let headers: Record<string, string>;
      if (answered) {
        [status, headers, this.responseText] = answered;
      } else {
        const res = await request(this.#url, {
          method: this.#method as Dispatcher.HttpMethod,
          headers: this.#headers,
          body: bytes,
          signal: this.#controller.signal,
          dispatcher: BridgeXhr.dispatcher,
        });
        this.responseText = await res.body.text();
        status = res.statusCode;
        headers = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, String(v)]));
      }
      if (bytes && bytes.length > 0) this.upload.onprogress?.({ loaded: bytes.length });
      this.status = status;
      this.#raw = Object.entries(BridgeXhr.rewrite(sent, headers))
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('');
      this.onload?.();
    })().catch(() => {
      if (this.#controller.signal.aborted) this.onabort?.();
      else this.onerror?.();
    });
  }
}

/** A Storage made of a Map, as localStorage behaves. */
function memoryStorage(): Storage & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return {
    map,
    get length() {
      return map.size;
    },
    clear: () => map.clear(),
    getItem: (k) => map.get(k) ?? null,
    key: (i) => [...map.keys()][i] ?? null,
    removeItem: (k) => {
      map.delete(k);
    },
    setItem: (k, v) => {
      map.set(k, String(v));
    },
  };
}

const crc64 = (data: Uint8Array) => {
  const c = new Crc64Ecma();
  c.update(data);
  return c.digest();
};
const isPart = (s: Sent) => s.method === 'PUT' && new URL(s.url).searchParams.has('partNumber');
const partOf = (s: Sent) => Number(new URL(s.url).searchParams.get('partNumber'));
const fast = { retryPolicy: { backoff: { baseMs: 1, maxMs: 2 } } };

let s: Stack;
beforeAll(async () => {
  s = await stack();
  BridgeXhr.dispatcher = s.dispatcher;
});
afterAll(() => s?.close());
beforeEach(() => {
  vi.stubGlobal('XMLHttpRequest', BridgeXhr);
  BridgeXhr.sent = [];
  BridgeXhr.answer = () => undefined;
  BridgeXhr.rewrite = (_, h) => h;
  BridgeXhr.onSend = () => {};
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('browser upload()', () => {
  it('sends a File with one PUT, never setting the headers browsers forbid, and checks its CRC-64 afterwards', async () => {
    const data = pattern(70_000, 1);
    const progress: number[] = [];
    const result = await upload(new File([data], 'photo.jpg'), { signUrl: s.signUrl, onProgress: (sent) => progress.push(sent) });
    expect(result).toMatchObject({ method: 'put', size: data.length, etag: md5(data), crc64: crc64(data) });
    const put = BridgeXhr.sent.find((x) => x.method === 'PUT')!;
    expect(put.size).toBe(data.length);
    // The ticket allows the extension's own type, so the object is stored as what it is (a browser previews it).
    expect(put.headers).toMatchObject({ 'content-type': 'image/jpeg', 'x-cos-security-token': expect.any(String) });
    expect(progress).toContain(Math.floor(data.length / 2));
    expect(progress.at(-1)).toBe(data.length);
  });

  it('names bytes through options', async () => {
    const result = await upload(new Uint8Array([1, 2, 3]), { signUrl: s.signUrl, name: 'x.jpg' });
    expect(result).toMatchObject({ method: 'put', size: 3 });
  });

  it('refuses an object whose CRC-64 differs from the local file', async () => {
    BridgeXhr.rewrite = (sent, h) => (sent.method === 'PUT' ? { ...h, 'x-cos-hash-crc64ecma': '1' } : h);
    const err = await upload(new Blob([pattern(100)]), { signUrl: s.signUrl, name: 'a.jpg' }).catch((e) => e);
    expect(err).toMatchObject({ code: 'CLIENT_ERR_INTEGRITY' });
    expect(err.message).toContain('COS reports CRC-64 1');
  });

  it('refuses a source that is not a Blob or bytes', async () => {
    expect(await upload('path.jpg' as never, { signUrl: s.signUrl }).catch((e) => e.code)).toBe('CLIENT_ERR_INVALID_ARGUMENT');
    expect(BridgeXhr.sent).toHaveLength(0);
  });

  it('reports a sign server request that fails, outside a page, as unreachable, mentioning CORS', async () => {
    const err = await upload(new Uint8Array(1), { signUrl: 'http://127.0.0.1:9', name: 'a.jpg', retries: 0 }).catch((e) => e);
    // No page origin to compare with, so no probe: the failure stays unexplained.
    expect(err).toMatchObject({ code: 'CLIENT_ERR_SIGN_SERVER_UNREACHABLE', networkCode: 'ERR_NETWORK' });
    expect(err.message).toContain('network error or CORS refusal');
  });

  it('aborts a request in flight', async () => {
    const controller = new AbortController();
    BridgeXhr.onSend = (sent) => {
      if (sent.method === 'PUT') controller.abort();
    };
    const err = await upload(new Uint8Array(10), { signUrl: s.signUrl, name: 'a.jpg', signal: controller.signal }).catch((e) => e);
    expect(err).toMatchObject({ code: 'CLIENT_ERR_ABORTED' });
  });

  it('goes multipart for big files and resumes from localStorage after a failure, checking kept parts by CRC-64', async () => {
    const data = pattern(3 * MiB + 9, 2);
    const file = new File([data], 'clip.mp4', { lastModified: 1_700_000_000_000 });
    const storage = memoryStorage();
    vi.stubGlobal('localStorage', storage); // the default store when none is passed
    BridgeXhr.answer = (sent) => (isPart(sent) && partOf(sent) === 3 ? [403, {}, '<Error><Code>AccessDenied</Code></Error>'] : undefined);
    const options = { signUrl: s.signUrl, multipartThreshold: MiB, partSize: MiB, concurrency: 1, ...fast };
    const err = await upload(file, options).catch((e) => e);
    expect(err).toMatchObject({ code: 'CLIENT_ERR_COS', cosCode: 'AccessDenied' });
    const keys = [...storage.map.keys()];
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/^cos-direct:upload:/);
    expect(JSON.parse(storage.map.get(keys[0]!)!)).toMatchObject({ version: 1, size: data.length, partSize: MiB });

    BridgeXhr.sent = [];
    BridgeXhr.answer = () => undefined;
    const result = await upload(file, options);
    expect(BridgeXhr.sent.filter(isPart).map(partOf)).toEqual([3, 4]);
    expect(result).toMatchObject({ method: 'multipart', partsUploaded: 2, size: data.length });
    expect(storage.map.size).toBe(0);
  });
});

describe('browser tickets', () => {
  it('asks the sign server over XHR', async () => {
    const ticket = await getStsDirectSign(s.signUrl, 'jpg');
    expect(ticket.cosKey).toMatch(/\.jpg$/);
    const mp = await getStsMultipart(s.signUrl, 'mp4', 10 * MiB, { headers: { 'x-trace': '1' } });
    expect(mp.credentials.sessionToken).not.toBe('');
    expect(BridgeXhr.sent.map((x) => x.headers.accept)).toEqual(['application/json', 'application/json']);
    expect(BridgeXhr.sent[1]!.headers['x-trace']).toBe('1');
  });

  it('makes no request when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    expect(await getStsDirectSign(s.signUrl, 'jpg', { signal: controller.signal }).catch((e) => e.code)).toBe('CLIENT_ERR_ABORTED');
    expect(BridgeXhr.sent).toHaveLength(0);
  });
});

describe('localStorageResumeStore', () => {
  it('keeps states under its prefix and ignores what it cannot read', async () => {
    const storage = memoryStorage();
    const store = localStorageResumeStore(storage);
    const state = {
      version: 1 as const,
      cosHost: 'h',
      cosKey: 'k',
      cosUrl: 'https://h/k',
      uploadId: 'u',
      partSize: MiB,
      size: 1,
      credentials: { tmpSecretId: 'a', tmpSecretKey: 'b', sessionToken: 'c' },
      expiredTime: 1,
      contentType: 'x',
    };
    await store.set('one', state);
    expect(storage.map.get('cos-direct:upload:one')).toBe(JSON.stringify(state));
    expect(await store.get('one')).toEqual(state);
    expect(await store.get('two')).toBeUndefined();
    storage.setItem('cos-direct:upload:bad', '{');
    storage.setItem('cos-direct:upload:old', JSON.stringify({ ...state, version: 0 }));
    expect(await store.get('bad')).toBeUndefined();
    expect(await store.get('old')).toBeUndefined();
    await store.delete('one');
    expect(storage.map.has('cos-direct:upload:one')).toBe(false);
  });
});
