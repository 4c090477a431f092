// @vitest-environment happy-dom
import { act, createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type UseUpload, useUpload } from '../src/react.js';
import { pattern, type Stack, stack } from './support/stack.js';

let s: Stack;
beforeAll(async () => {
  s = await stack({ corsOrigins: ['*'] });
});
afterAll(() => s?.close());

describe('probe', () => {
  it('uploads', async () => {
    (globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;
    let seen: UseUpload | undefined;
    function Probe() {
      seen = useUpload({ signUrl: s.signUrl });
      return createElement('p', null, `${seen.status} ${seen.progress}`);
    }
    const el = document.createElement('div');
    document.body.append(el);
    const root = createRoot(el);
    await act(async () => root.render(createElement(Probe)));
    console.log(el.innerHTML, location.href);
    let r: unknown;
    await act(async () => {
      r = await seen!.start(new File([pattern(1000) as BlobPart], 'a.bin')).catch((e) => e);
    });
    console.log(r, seen?.status, seen?.message, seen?.error, el.innerHTML);
  });
});
