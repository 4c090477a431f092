// @vitest-environment happy-dom
import { act, createElement as h, StrictMode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { abandonUpload, fingerprintOf, localStorageResumeStore, pendingUploads } from '../src/browser.js';
import { type UseUpload, type UseUploadOptions, useUpload } from '../src/react.js';
import { uploadWith } from '../src/upload.js';
import { MiB, memorySource, pattern, type Stack, stack } from './support/stack.js';

// useUpload mounted in a DOM (happy-dom), its uploads sent by the browser build's XMLHttpRequest transport
// to the emulator and a sign server: what a component renders as an upload finishes or is refused, that it
// follows the options of its latest render, that unmounting cancels, and that an upload an earlier page
// left in localStorage is listed and discarded at COS. Pause and resume run in Chromium
// (e2e/test/react-app.test.ts).

// happy-dom's XMLHttpRequest sends a Blob without Content-Length, which a key limited by size cannot sign
// for (COS refuses such a PUT, as the emulator does), nor a multipart part: this sign server sets no size
// limit, the one that refuses a file for its size is another, and multipart parts are sent from Node.
let s: Stack;
let limited: Stack;
beforeAll(async () => {
  (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
  [s, limited] = await Promise.all([stack({ corsOrigins: ['*'] }), stack({ corsOrigins: ['*'], maxSize: 4 * MiB })]);
});
afterAll(async () => {
  await s?.close();
  await limited?.close();
});
afterEach(() => {
  s.emu.faults.set([]);
  localStorage.clear();
});

let seen: UseUpload;
function Probe(props: UseUploadOptions) {
  seen = useUpload(props);
  return h('p', { id: 'state' }, [seen.status, seen.progress, seen.message ?? '', seen.result?.key ?? ''].join('|'));
}

function mount(props: UseUploadOptions): { root: Root; text: () => string } {
  const el = document.createElement('div');
  document.body.append(el);
  const root = createRoot(el);
  act(() => root.render(h(StrictMode, null, h(Probe, props))));
  return { root, text: () => el.textContent ?? '' };
}

const multipart = { multipartThreshold: MiB, partSize: MiB, concurrency: 1 };
const file = (size: number, name: string, seed = size) =>
  new File([pattern(size, seed) as BlobPart], name, { lastModified: 1_700_000_000_000 });
const until = async (what: () => boolean) => {
  for (let i = 0; i < 200 && !what(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(what()).toBe(true);
};
const openUploads = async () => (await s.root('GET', '/', { uploads: '' })).text.match(/<UploadId>/g)?.length ?? 0;

describe('useUpload in a page', () => {
  it('renders an upload from idle to done, with its key', async () => {
    const view = mount({ signUrl: s.signUrl });
    expect(view.text()).toBe('idle|0||');
    let result: Awaited<ReturnType<UseUpload['start']>>;
    await act(async () => {
      result = await seen.start(file(300 * 1024, 'photo.bin'));
    });
    expect(view.text()).toBe(`done|1||${result!.key}`);
    expect(seen).toMatchObject({ status: 'done', sent: 300 * 1024, total: 300 * 1024, result: { method: 'put', size: 300 * 1024 } });
    expect((await s.root('HEAD', `/${result!.key}`)).headers['content-length']).toBe(String(300 * 1024));
    act(() => view.root.unmount());
  });

  it('takes the options of its latest render: the sentence of a refusal in the language chosen since', async () => {
    const view = mount({ signUrl: limited.signUrl, locale: 'en' });
    act(() => view.root.render(h(StrictMode, null, h(Probe, { signUrl: limited.signUrl, locale: 'zh', multipartThreshold: 64 * MiB }))));
    await act(async () => {
      await seen.start(file(5 * MiB, 'huge.bin'));
    });
    expect(view.text()).toBe('failed|0|文件大小为 5.0 MiB，服务器最多接受 4.0 MiB。|');
    expect(seen).toMatchObject({ canRetry: false, error: { code: 'CLIENT_ERR_TOO_LARGE' } });
    act(() => seen.reset());
    expect(view.text()).toBe('idle|0||');
    act(() => view.root.unmount());
  });

  it('cancels the upload still running when the component unmounts: nothing is stored', async () => {
    // The PUT is held at the emulator long enough for the unmount to land first, however busy the machine,
    // and its body is too big to sit whole in the socket's buffers meanwhile: the cut body cannot be stored.
    s.emu.faults.set([{ operation: 'PutObject', latencyMs: 1500 }]);
    const view = mount({ signUrl: s.signUrl, multipartThreshold: 64 * MiB });
    const count = (operation: string) => s.emu.requests.list().filter((e) => e.operation === operation).length;
    const [preflights, puts] = [count('OptionsObject'), count('PutObject')];
    let run: Promise<unknown> | undefined;
    await act(async () => {
      run = seen.start(file(24 * MiB, 'left.bin'));
      // The PUT's preflight passed: the PUT is on its way, or held at the emulator.
      await until(() => count('OptionsObject') > preflights);
    });
    expect(seen.status).toBe('uploading');
    act(() => view.root.unmount());
    expect(await run).toBeUndefined();
    // Past the hold: the emulator had no client left to answer, and stored nothing (a busy machine may
    // still log the cut PUT, never as stored).
    await new Promise((r) => setTimeout(r, 2000));
    const cut = s.emu.requests
      .list()
      .filter((e) => e.operation === 'PutObject')
      .slice(puts);
    expect(cut.filter((e) => e.status === 200)).toEqual([]);
    const stored = await s.root('GET', '/', { prefix: 'images/' });
    expect(stored.text).not.toContain(`<Size>${24 * MiB}</Size>`);
  });

  it('lists in a later page the upload an earlier one left in localStorage, and discards it at COS', async () => {
    // The earlier page: a multipart upload of paused.bin stopped after its first part, its state saved in
    // this page's localStorage. (Sent from Node: happy-dom's XMLHttpRequest gives a part no Content-Length.)
    const data = pattern(3 * MiB, 5);
    const controller = new AbortController();
    const err = await uploadWith(
      { transport: s.transport, resumeStore: localStorageResumeStore() },
      { ...memorySource(data, 'paused.bin'), identity: fingerprintOf(file(3 * MiB, 'paused.bin', 5)) },
      {
        signUrl: s.signUrl,
        ...multipart,
        signal: controller.signal,
        keepResumeOnAbort: true,
        onProgress: (_sent, _total, detail) => {
          if (detail && detail.partsDone >= 1) controller.abort();
        },
      },
    ).catch((e) => e);
    expect(err).toMatchObject({ code: 'CLIENT_ERR_ABORTED' });
    expect(await openUploads()).toBe(1);

    const [pending, ...others] = await pendingUploads();
    expect(others).toEqual([]);
    expect(pending).toMatchObject({
      name: 'paused.bin',
      size: 3 * MiB,
      uploaded: MiB,
      progress: 1 / 3,
      parts: 3,
      partsDone: 1,
      signUrl: s.signUrl,
      fingerprint: `file:paused.bin|${3 * MiB}|1700000000000`,
    });
    // A key is needed to abort it, and the store keeps none.
    expect(await abandonUpload(pending!.id).catch((e) => e)).toMatchObject({ code: 'CLIENT_ERR_INVALID_ARGUMENT' });
    await abandonUpload(pending!.id, { signUrl: s.signUrl });
    expect(await openUploads()).toBe(0);
    expect(await pendingUploads()).toEqual([]);
    expect(localStorage.length).toBe(0);
  });
});
