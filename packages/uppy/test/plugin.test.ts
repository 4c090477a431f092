import Uppy from '@uppy/core';
import { describe, expect, it } from 'vitest';
import CosDirect, { CosDirectError, restrictionsFrom } from '../src/index.js';

describe('CosDirect', () => {
  it('installs as an uploader under its id and uninstalls cleanly', () => {
    const uppy = new Uppy().use(CosDirect, { signUrl: 'http://127.0.0.1:3000' });
    const plugin = uppy.getPlugin('CosDirect');
    expect(plugin?.type).toBe('uploader');
    expect(plugin?.opts).toMatchObject({ limit: 3, resume: true, signUrl: 'http://127.0.0.1:3000' });
    uppy.removePlugin(plugin!);
    expect(uppy.getPlugin('CosDirect')).toBeUndefined();
    uppy.destroy();
  });

  it('refuses to start without a way to get tickets, or with a bad limit, with a coded error', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof CosDirectError ? e.code : 'not a CosDirectError';
      }
      return 'no error';
    };
    expect(code(() => new Uppy().use(CosDirect, {}))).toBe('CLIENT_ERR_INVALID_ARGUMENT');
    expect(code(() => new Uppy().use(CosDirect, { signUrl: 'http://s', limit: 0 }))).toBe('CLIENT_ERR_INVALID_ARGUMENT');
  });

  it('reports a file without local data as an upload error that carries the client code', async () => {
    const uppy = new Uppy().use(CosDirect, { signUrl: 'http://127.0.0.1:9' });
    const errors: Array<{ code?: string; details?: string }> = [];
    uppy.on('upload-error', (_file, error) => errors.push(error as never));
    const id = uppy.addFile({ name: 'a.jpg', type: 'image/jpeg', data: new Blob(['x']) });
    uppy.setFileState(id, { isGhost: true });
    await uppy.upload();
    expect(errors).toEqual([
      expect.objectContaining({
        code: 'CLIENT_ERR_INVALID_ARGUMENT',
        details: 'CLIENT_ERR_INVALID_ARGUMENT',
        message: 'This file cannot be uploaded from this page.',
        permanent: true,
      }),
    ]);
    uppy.destroy();
  });
});

describe('CosDirect refusals', () => {
  // A ticket allowing 4 bytes: the client refuses a bigger file before sending a byte (no XMLHttpRequest needed).
  const smallTicket = async () => ({
    cosHost: 'bucket.cos.test',
    cosKey: 'u/a.bin',
    authorization: 'q-sign-algorithm=sha1',
    securityToken: 't',
    maxSize: 4,
    confirmToken: 'c',
  });

  it('refuses a too-large file with the sentence, marks it not retryable, and answers a retry without asking again', async () => {
    let tickets = 0;
    const uppy = new Uppy().use(CosDirect, {
      getTicket: async () => {
        tickets++;
        return smallTicket();
      },
      getMultipartTicket: () => Promise.reject(new Error('not used')),
    });
    const errors: Array<{ message: string; code?: string; permanent?: boolean; isRetryable?: boolean }> = [];
    uppy.on('upload-error', (_file, error) => errors.push(error as never));
    const id = uppy.addFile({ name: 'a.bin', type: 'application/octet-stream', data: new Blob(['123456']) });
    await uppy.upload();
    expect(errors).toEqual([
      expect.objectContaining({
        message: 'The file is 6 B; the server accepts at most 4 B.',
        code: 'CLIENT_ERR_TOO_LARGE',
        permanent: true,
        isRetryable: false,
      }),
    ]);
    // No percentage: the Dashboard draws no progress circle, so no Retry, for this file.
    expect(uppy.getFile(id).progress.percentage).toBeUndefined();
    expect(uppy.getFile(id).error).toBe('The file is 6 B; the server accepts at most 4 B. CLIENT_ERR_TOO_LARGE');
    await uppy.retryUpload(id);
    expect(tickets).toBe(1);
    expect(errors).toHaveLength(2);
    expect(uppy.getFile(id).error).toContain('The file is 6 B');
    uppy.destroy();
  });

  it("speaks Chinese when asked, or when Uppy's own locale is Chinese", async () => {
    const sentences: string[] = [];
    const zh = { strings: { uploadComplete: '上传完成' }, pluralize: () => 0 };
    for (const [uppyOpts, pluginOpts] of [
      [{}, { errorLocale: 'zh' as const }],
      [{ locale: zh }, {}],
      [{}, {}],
    ] as const) {
      const uppy = new Uppy(uppyOpts).use(CosDirect, {
        getTicket: smallTicket,
        getMultipartTicket: () => Promise.reject(new Error('not used')),
        ...pluginOpts,
      });
      uppy.on('upload-error', (_file, error) => sentences.push(error!.message));
      uppy.addFile({ name: 'a.bin', type: 'application/octet-stream', data: new Blob(['123456']) });
      await uppy.upload();
      uppy.destroy();
    }
    expect(sentences).toEqual([
      '文件大小为 6 B，服务器最多接受 4 B。',
      '文件大小为 6 B，服务器最多接受 4 B。',
      'The file is 6 B; the server accepts at most 4 B.',
    ]);
  });

  it('declares pause and resume to Uppy while installed', () => {
    const uppy = new Uppy().use(CosDirect, { signUrl: 'http://127.0.0.1:9', restrictionsFromServer: false });
    expect(uppy.getState().capabilities.resumableUploads).toBe(true);
    uppy.removePlugin(uppy.getPlugin('CosDirect')!);
    expect(uppy.getState().capabilities.resumableUploads).toBe(false);
    uppy.destroy();
  });
});

describe('restrictionsFrom', () => {
  it("takes the server's extensions unless the app chose types, and the smallest size of all", () => {
    const limits = { allowedExtensions: ['jpg', 'png'], maxSize: 2048, maxMultipartSize: 4096 };
    expect(restrictionsFrom(limits, {})).toEqual({ allowedFileTypes: ['.jpg', '.png'], maxFileSize: 2048 });
    expect(restrictionsFrom(limits, { allowedFileTypes: ['image/*'], maxFileSize: 1000 })).toEqual({
      allowedFileTypes: ['image/*'],
      maxFileSize: 1000,
    });
    expect(restrictionsFrom({ allowedExtensions: [], maxSize: null }, {})).toEqual({ allowedFileTypes: null, maxFileSize: null });
  });
});
