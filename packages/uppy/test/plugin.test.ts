import Uppy from '@uppy/core';
import { describe, expect, it } from 'vitest';
import CosDirect, { CosDirectError } from '../src/index.js';

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
