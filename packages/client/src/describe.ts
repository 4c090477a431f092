import type { ServerErrorCode } from '@cos-direct/protocol';
import { type ClientErrorCode, CosDirectError } from './errors.js';

/** The languages `describeError` speaks. */
export type ErrorLocale = 'en' | 'zh';

type Sentence = string | ((e: CosDirectError) => string | undefined);
type Sentences = Record<ClientErrorCode, Sentence> & { UNKNOWN: string };

/** 1.5 MiB, 300 KiB, 12 B: binary units, one decimal. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(i ? 1 : 0)} ${units[i]}`;
}

// A sign server's own trouble (STS, busy) reads as "try again shortly", not as the generic refusal.
const SERVER_BUSY: readonly ServerErrorCode[] = ['SRV_ERR_BUSY', 'SRV_ERR_STS_FAILED', 'SRV_ERR_STS_TIMEOUT', 'SRV_ERR_STS_UNREACHABLE'];
const busy = (e: CosDirectError) => e.serverCode !== undefined && SERVER_BUSY.includes(e.serverCode);
const seconds = (e: CosDirectError) => (e.retryAfterMs === undefined ? undefined : Math.max(1, Math.ceil(e.retryAfterMs / 1000)));

const EN: Sentences = {
  CLIENT_ERR_INVALID_ARGUMENT: 'This file cannot be uploaded from this page.',
  CLIENT_ERR_TOO_LARGE: (e) =>
    e.size !== undefined && e.maxSize !== undefined
      ? `The file is ${formatBytes(e.size)}; the server accepts at most ${formatBytes(e.maxSize)}.`
      : 'The file is larger than the server allows.',
  CLIENT_ERR_TYPE_NOT_ALLOWED: (e) =>
    e.ext ? `The server does not accept .${e.ext.toLowerCase()} files.` : 'The server does not accept this type of file.',
  CLIENT_ERR_CONTENT_TYPE_NOT_ALLOWED: 'This page asked to store the file as a type the server does not allow.',
  CLIENT_ERR_UNAUTHENTICATED: 'You need to sign in again before uploading.',
  CLIENT_ERR_FORBIDDEN: 'Your account may not upload files here.',
  CLIENT_ERR_RATE_LIMITED: (e) =>
    seconds(e) !== undefined
      ? `Too many uploads in a short time. Retry in ${seconds(e)} s.`
      : 'Too many uploads in a short time. Wait a minute, then retry.',
  CLIENT_ERR_SIGN_SERVER: (e) =>
    busy(e) ? 'The server is busy. Retry in a moment.' : 'The server would not start this upload. Retry in a moment.',
  CLIENT_ERR_SIGN_SERVER_UNREACHABLE: 'The upload server cannot be reached. Check your network, then retry.',
  CLIENT_ERR_SIGN_SERVER_CORS: 'The upload server does not accept requests from this page (its CORS settings).',
  CLIENT_ERR_COS_CORS: "The storage does not accept uploads from this page (the bucket's CORS rules).",
  CLIENT_ERR_CERTIFICATE: "A server's certificate is not trusted, so the connection was refused.",
  CLIENT_ERR_COS: (e) =>
    e.status === 403
      ? 'The storage refused the upload: the permission did not cover it. Retry to get a fresh one.'
      : 'The storage could not take the file right now. Retry in a moment.',
  CLIENT_ERR_NETWORK: 'The connection failed. Check your network, then retry.',
  CLIENT_ERR_ABORTED: 'Cancelled.',
  CLIENT_ERR_INTEGRITY: 'The stored copy does not match your file. Retry the upload.',
  CLIENT_ERR_TICKET_EXPIRED: 'The upload took longer than its permission lasts. Retry to get a fresh one.',
  UNKNOWN: 'Something went wrong in this page. Retry, or reload the page.',
};

const ZH: Sentences = {
  CLIENT_ERR_INVALID_ARGUMENT: '无法从此页面上传这个文件。',
  CLIENT_ERR_TOO_LARGE: (e) =>
    e.size !== undefined && e.maxSize !== undefined
      ? `文件大小为 ${formatBytes(e.size)}，服务器最多接受 ${formatBytes(e.maxSize)}。`
      : '文件超过了服务器允许的大小。',
  CLIENT_ERR_TYPE_NOT_ALLOWED: (e) => (e.ext ? `服务器不接受 .${e.ext.toLowerCase()} 文件。` : '服务器不接受这种类型的文件。'),
  CLIENT_ERR_CONTENT_TYPE_NOT_ALLOWED: '此页面要求以服务器不允许的类型保存文件。',
  CLIENT_ERR_UNAUTHENTICATED: '请重新登录后再上传。',
  CLIENT_ERR_FORBIDDEN: '您的账号无权在此上传文件。',
  CLIENT_ERR_RATE_LIMITED: (e) =>
    seconds(e) !== undefined ? `短时间内上传次数过多，请 ${seconds(e)} 秒后重试。` : '短时间内上传次数过多，请稍等一分钟后重试。',
  CLIENT_ERR_SIGN_SERVER: (e) => (busy(e) ? '服务器繁忙，请稍后重试。' : '服务器未能开始这次上传，请稍后重试。'),
  CLIENT_ERR_SIGN_SERVER_UNREACHABLE: '无法连接上传服务器。请检查网络后重试。',
  CLIENT_ERR_SIGN_SERVER_CORS: '上传服务器不接受来自此页面的请求（CORS 设置）。',
  CLIENT_ERR_COS_CORS: '存储桶不接受来自此页面的上传（CORS 规则）。',
  CLIENT_ERR_CERTIFICATE: '服务器的证书不受信任，连接被拒绝。',
  CLIENT_ERR_COS: (e) =>
    e.status === 403 ? '存储拒绝了这次上传：授权不包括它。请重试以获取新的授权。' : '存储暂时无法接收文件，请稍后重试。',
  CLIENT_ERR_NETWORK: '连接失败。请检查网络后重试。',
  CLIENT_ERR_ABORTED: '已取消。',
  CLIENT_ERR_INTEGRITY: '存储的副本与您的文件不一致，请重新上传。',
  CLIENT_ERR_TICKET_EXPIRED: '上传时间超过了授权的有效期，请重试以获取新的授权。',
  UNKNOWN: '页面出了问题。请重试，或刷新页面。',
};

const SENTENCES: Record<ErrorLocale, Sentences> = { en: EN, zh: ZH };

/**
 * The sentence a person should see for a failed upload, in English ('en', the default) or Chinese ('zh').
 * What to do is in the sentence; the code, status and request id belong in the details an app shows on
 * request. An error that is not the client's gets the generic sentence.
 */
export function describeError(error: unknown, locale: ErrorLocale = 'en'): string {
  const table = SENTENCES[locale] ?? EN;
  if (!(error instanceof CosDirectError)) return table.UNKNOWN;
  const sentence = table[error.code] ?? table.UNKNOWN;
  return typeof sentence === 'string' ? sentence : (sentence(error) ?? table.UNKNOWN);
}
