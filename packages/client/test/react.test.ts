import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { type UseUpload, useUpload } from '../src/react.js';

// The hook's first render, through React's own server renderer (no DOM): the state a component starts
// from and the controls it gets. The controls themselves are the controller's (upload-controller.test.ts);
// the hook runs uploads in a DOM in react-dom.test.ts, and a React app drives it in Chromium
// (e2e/test/react-app.test.ts).
let seen: UseUpload | undefined;
function Probe() {
  seen = useUpload({ signUrl: 'http://127.0.0.1:9', locale: 'zh' });
  return createElement('p', null, `${seen.status} ${seen.progress} ${String(seen.canRetry)}`);
}

describe('useUpload', () => {
  it('starts idle, with the controls', () => {
    expect(renderToString(createElement(Probe))).toBe('<p>idle 0 false</p>');
    expect(seen).toMatchObject({ status: 'idle', sent: 0, total: 0, progress: 0, canRetry: false });
    for (const name of ['start', 'pause', 'resume', 'cancel', 'retry', 'reset'] as const) expect(typeof seen![name]).toBe('function');
    expect(seen!.result).toBeUndefined();
    expect(seen!.message).toBeUndefined();
  });
});
