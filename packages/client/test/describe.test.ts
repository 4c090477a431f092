import { describe, expect, it } from 'vitest';
import { describeError, type ErrorLocale, formatBytes } from '../src/describe.js';
import { type ClientErrorCode, ClientErrorCodes, type ClientErrorDetails, CosDirectError } from '../src/errors.js';

// The sentence a person reads for each failure, in both languages: the bare one, and the one a detail
// (a size, an extension, a wait, a server's own trouble, a 403) makes more precise.

type Case = [code: ClientErrorCode, details: ClientErrorDetails, en: string, zh: string];

const CASES: Case[] = [
  ['CLIENT_ERR_INVALID_ARGUMENT', {}, 'This file cannot be uploaded from this page.', '无法从此页面上传这个文件。'],
  ['CLIENT_ERR_TOO_LARGE', {}, 'The file is larger than the server allows.', '文件超过了服务器允许的大小。'],
  // One of the two sizes is not enough to say both.
  ['CLIENT_ERR_TOO_LARGE', { maxSize: 1024 }, 'The file is larger than the server allows.', '文件超过了服务器允许的大小。'],
  [
    'CLIENT_ERR_TOO_LARGE',
    { size: 5 * 1024 * 1024 + 512 * 1024, maxSize: 4 * 1024 * 1024 },
    'The file is 5.5 MiB; the server accepts at most 4.0 MiB.',
    '文件大小为 5.5 MiB，服务器最多接受 4.0 MiB。',
  ],
  ['CLIENT_ERR_TYPE_NOT_ALLOWED', {}, 'The server does not accept this type of file.', '服务器不接受这种类型的文件。'],
  ['CLIENT_ERR_TYPE_NOT_ALLOWED', { ext: 'EXE' }, 'The server does not accept .exe files.', '服务器不接受 .exe 文件。'],
  [
    'CLIENT_ERR_CONTENT_TYPE_NOT_ALLOWED',
    {},
    'This page asked to store the file as a type the server does not allow.',
    '此页面要求以服务器不允许的类型保存文件。',
  ],
  ['CLIENT_ERR_UNAUTHENTICATED', {}, 'You need to sign in again before uploading.', '请重新登录后再上传。'],
  ['CLIENT_ERR_FORBIDDEN', {}, 'Your account may not upload files here.', '您的账号无权在此上传文件。'],
  [
    'CLIENT_ERR_RATE_LIMITED',
    {},
    'Too many uploads in a short time. Wait a minute, then retry.',
    '短时间内上传次数过多，请稍等一分钟后重试。',
  ],
  [
    'CLIENT_ERR_RATE_LIMITED',
    { retryAfterMs: 2500 },
    'Too many uploads in a short time. Retry in 3 s.',
    '短时间内上传次数过多，请 3 秒后重试。',
  ],
  // A wait under a second still reads as one second, not zero.
  [
    'CLIENT_ERR_RATE_LIMITED',
    { retryAfterMs: 0 },
    'Too many uploads in a short time. Retry in 1 s.',
    '短时间内上传次数过多，请 1 秒后重试。',
  ],
  ['CLIENT_ERR_SIGN_SERVER', {}, 'The server would not start this upload. Retry in a moment.', '服务器未能开始这次上传，请稍后重试。'],
  [
    'CLIENT_ERR_SIGN_SERVER',
    { serverCode: 'SRV_ERR_NOT_FOUND' },
    'The server would not start this upload. Retry in a moment.',
    '服务器未能开始这次上传，请稍后重试。',
  ],
  ['CLIENT_ERR_SIGN_SERVER', { serverCode: 'SRV_ERR_STS_TIMEOUT' }, 'The server is busy. Retry in a moment.', '服务器繁忙，请稍后重试。'],
  ['CLIENT_ERR_SIGN_SERVER', { serverCode: 'SRV_ERR_BUSY' }, 'The server is busy. Retry in a moment.', '服务器繁忙，请稍后重试。'],
  [
    'CLIENT_ERR_SIGN_SERVER_UNREACHABLE',
    {},
    'The upload server cannot be reached. Check your network, then retry.',
    '无法连接上传服务器。请检查网络后重试。',
  ],
  [
    'CLIENT_ERR_SIGN_SERVER_CORS',
    {},
    'The upload server does not accept requests from this page (its CORS settings).',
    '上传服务器不接受来自此页面的请求（CORS 设置）。',
  ],
  [
    'CLIENT_ERR_COS_CORS',
    {},
    "The storage does not accept uploads from this page (the bucket's CORS rules).",
    '存储桶不接受来自此页面的上传（CORS 规则）。',
  ],
  [
    'CLIENT_ERR_CERTIFICATE',
    {},
    "A server's certificate is not trusted, so the connection was refused.",
    '服务器的证书不受信任，连接被拒绝。',
  ],
  [
    'CLIENT_ERR_COS',
    { status: 503, cosCode: 'ServiceUnavailable' },
    'The storage could not take the file right now. Retry in a moment.',
    '存储暂时无法接收文件，请稍后重试。',
  ],
  [
    'CLIENT_ERR_COS',
    { status: 403, cosCode: 'AccessDenied' },
    'The storage refused the upload: the permission did not cover it. Retry to get a fresh one.',
    '存储拒绝了这次上传：授权不包括它。请重试以获取新的授权。',
  ],
  ['CLIENT_ERR_NETWORK', {}, 'The connection failed. Check your network, then retry.', '连接失败。请检查网络后重试。'],
  ['CLIENT_ERR_ABORTED', {}, 'Cancelled.', '已取消。'],
  ['CLIENT_ERR_INTEGRITY', {}, 'The stored copy does not match your file. Retry the upload.', '存储的副本与您的文件不一致，请重新上传。'],
  [
    'CLIENT_ERR_TICKET_EXPIRED',
    {},
    'The upload took longer than its permission lasts. Retry to get a fresh one.',
    '上传时间超过了授权的有效期，请重试以获取新的授权。',
  ],
];

describe('describeError', () => {
  it.each(CASES)('%s %o', (code, details, en, zh) => {
    const e = new CosDirectError(code, 'a message for logs, not for people', details);
    expect(describeError(e)).toBe(en);
    expect(describeError(e, 'en')).toBe(en);
    expect(describeError(e, 'zh')).toBe(zh);
  });

  it('has a sentence of its own for every code, in each language', () => {
    const codes = Object.keys(ClientErrorCodes) as ClientErrorCode[];
    expect(new Set(CASES.map(([code]) => code))).toEqual(new Set(codes));
    for (const locale of ['en', 'zh'] as const) {
      const generic = describeError(new Error('x'), locale);
      for (const code of codes) expect(describeError(new CosDirectError(code, 'm'), locale)).not.toBe(generic);
    }
  });

  it('gives the generic sentence for what is not a client error, and English for a language it does not speak', () => {
    expect(describeError(new TypeError('x is undefined'))).toBe('Something went wrong in this page. Retry, or reload the page.');
    expect(describeError('a string', 'zh')).toBe('页面出了问题。请重试，或刷新页面。');
    // A code from a newer server or client that this table does not know yet.
    const unknown = new CosDirectError('CLIENT_ERR_FUTURE' as ClientErrorCode, 'm');
    expect(describeError(unknown, 'zh')).toBe('页面出了问题。请重试，或刷新页面。');
    expect(describeError(new CosDirectError('CLIENT_ERR_FORBIDDEN', 'm'), 'fr' as ErrorLocale)).toBe(
      'Your account may not upload files here.',
    );
  });
});

describe('formatBytes', () => {
  it('says sizes in binary units with one decimal', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1024)).toBe('1.0 KiB');
    expect(formatBytes(300 * 1024)).toBe('300.0 KiB');
    expect(formatBytes(1.5 * 1024 * 1024)).toBe('1.5 MiB');
    expect(formatBytes(3 * 1024 ** 4)).toBe('3.0 TiB');
    // Past the largest unit it keeps counting in it.
    expect(formatBytes(2048 * 1024 ** 4)).toBe('2048.0 TiB');
  });
});
