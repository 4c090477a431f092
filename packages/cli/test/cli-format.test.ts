import { describe, expect, it } from 'vitest';
import { CosDirectError, describeError } from '@cos-direct/client';
import { failureLines, formatBytes, formatDuration, formatRate, Rate, shellQuote, tlsHint } from '../src/cli-format.js';

describe('what the CLI prints', () => {
  it('writes sizes, speeds and durations for people', () => {
    expect([0, 1023, 1536, 33554432, 62914560, 3 * 1024 ** 4].map(formatBytes)).toEqual([
      '0 B',
      '1023 B',
      '1.5 KiB',
      '32.0 MiB',
      '60.0 MiB',
      '3.0 TiB',
    ]);
    expect(formatRate(undefined)).toBe('--');
    expect(formatRate(2.5 * 1024 * 1024)).toBe('2.5 MiB/s');
    expect([undefined, -1, Number.POSITIVE_INFINITY, 7.4, 754, 3723].map(formatDuration)).toEqual([
      '--:--',
      '--:--',
      '--:--',
      '0:07',
      '12:34',
      '1:02:03',
    ]);
  });

  it('measures speed from the first report on, so that resumed bytes are not speed', () => {
    const rate = new Rate(5000);
    expect(rate.perSecond()).toBeUndefined();
    rate.add(40 * 1024 * 1024, 0); // a resumed upload starts at 40 MiB
    expect(rate.perSecond()).toBeUndefined();
    expect(rate.eta(1)).toBeUndefined();
    rate.add(41 * 1024 * 1024, 1000);
    expect(rate.perSecond()).toBe(1024 * 1024);
    expect(rate.eta(10 * 1024 * 1024)).toBe(10);
    expect(rate.eta(0)).toBe(0);
    // A stall counts (2 MiB in the 10 s since the last sample before the window), the start no longer does.
    rate.add(41 * 1024 * 1024, 10_000);
    rate.add(43 * 1024 * 1024, 11_000);
    expect(rate.perSecond()).toBe((2 * 1024 * 1024) / 10);
    rate.add(49 * 1024 * 1024, 17_000);
    expect(rate.perSecond()).toBe(1024 * 1024); // 6 MiB since 11 s
  });

  it('recognises TLS failures through the causes of an error', () => {
    const wrapped = (code: string) =>
      new CosDirectError('CLIENT_ERR_NETWORK', 'GET https://x: failed', { cause: Object.assign(new Error('tls'), { code }) });
    expect(tlsHint(wrapped('DEPTH_ZERO_SELF_SIGNED_CERT'))).toMatch(
      /\(DEPTH_ZERO_SELF_SIGNED_CERT\): pass --ca <file> .*NODE_EXTRA_CA_CERTS/,
    );
    expect(tlsHint(wrapped('ERR_TLS_CERT_ALTNAME_INVALID'))).toMatch(/does not name the host .*--hostname/);
    expect(tlsHint(wrapped('CERT_HAS_EXPIRED'))).toMatch(/has expired/);
    expect(tlsHint(wrapped('ECONNREFUSED'))).toBeUndefined();
    expect(tlsHint(new Error('plain'))).toBeUndefined();
    expect(tlsHint(undefined)).toBeUndefined();
  });

  it('quotes arguments for the command to run again only where a shell needs it', () => {
    expect(
      ['clip.mp4', '--sign-url', 'http://127.0.0.1:3000/a', 'my clip.mp4', "it's.jpg", 'Authorization: Bearer x'].map(shellQuote),
    ).toEqual(['clip.mp4', '--sign-url', 'http://127.0.0.1:3000/a', "'my clip.mp4'", `'it'\\''s.jpg'`, "'Authorization: Bearer x'"]);
  });

  it("words a failure with the client's describeError and the code, then the technical message (issue 25)", () => {
    const refused = new CosDirectError('CLIENT_ERR_UNAUTHENTICATED', 'the sign server answered HTTP 401', {
      status: 401,
      serverCode: 'SRV_ERR_UNAUTHENTICATED',
    });
    expect(failureLines(refused)).toEqual([
      `${describeError(refused)} (CLIENT_ERR_UNAUTHENTICATED, HTTP 401, SRV_ERR_UNAUTHENTICATED)`,
      'the sign server answered HTTP 401',
    ]);
    const cos = new CosDirectError('CLIENT_ERR_COS', 'PUT a.jpg: AccessDenied', { status: 403, cosCode: 'AccessDenied' });
    expect(failureLines(cos)[0]).toBe(`${describeError(cos)} (CLIENT_ERR_COS, HTTP 403, AccessDenied)`);
    // The sentences that speak of a web page do not fit a terminal: the CLI's message stays.
    expect(failureLines(new CosDirectError('CLIENT_ERR_INVALID_ARGUMENT', 'cannot read a.jpg'))).toEqual(['cannot read a.jpg']);
    expect(failureLines(new Error('plain'))).toEqual(['plain']);
  });
});
