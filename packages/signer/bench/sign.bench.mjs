// Signing speed of @cos-direct/signer against cos-nodejs-sdk-v5's COS.getAuthorization, on the same
// requests in the same process. Prints ops/s and the ratio; asserts nothing.
import COS from 'cos-nodejs-sdk-v5';
import { signRequest } from '../dist/index.js';
import { defaultCrypto as pure } from '../dist/crypto/pure.js';

const credentials = { secretId: 'AKIDEXAMPLEsecretid0000000000000000', secretKey: 'EXAMPLEsecretkey00000000000000000' };
const keyTime = '1700000000;1700000900';
const requests = Array.from({ length: 2000 }, (_, i) => ({
  method: i % 3 ? 'PUT' : 'GET',
  pathname: `/images/2026/${i}/photo ${i}.jpg`,
  query: i % 4 === 0 ? { partNumber: String(i % 100), uploadId: `1585130821cbb7df${i}` } : {},
  headers: {
    host: 'examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com',
    'content-length': String(1000 + i),
    'content-type': 'image/jpeg',
    ...(i % 2 ? { 'x-cos-meta-author': `user ${i}` } : {}),
  },
}));

const ours = (r) => signRequest(r, { credentials, keyTime }).authorization;
const oursPure = (r) => signRequest(r, { credentials, keyTime, crypto: pure }).authorization;
const sdk = (r) =>
  COS.getAuthorization({ SecretId: credentials.secretId, SecretKey: credentials.secretKey, Method: r.method, Pathname: r.pathname, Query: r.query, Headers: r.headers, KeyTime: keyTime });

for (const r of requests.slice(0, 50)) if (ours(r) !== sdk(r)) throw new Error('signatures differ: the benchmark would compare different work');

function measure(fn, ms = 1000) {
  let ops = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    for (const r of requests) fn(r);
    ops += requests.length;
  }
  return ops / (ms / 1000);
}

for (const fn of [ours, oursPure, sdk]) measure(fn, 300); // warm up
const rounds = 3;
const results = { ours: [], pure: [], sdk: [] };
for (let i = 0; i < rounds; i++) {
  results.sdk.push(measure(sdk));
  results.ours.push(measure(ours));
  results.pure.push(measure(oursPure));
}
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const o = median(results.ours), p = median(results.pure), s = median(results.sdk);
const fmt = (n) => Math.round(n).toLocaleString('en');
console.log(`signer (node:crypto): ${fmt(o)} ops/s`);
console.log(`signer (pure TypeScript, as in browsers): ${fmt(p)} ops/s`);
console.log(`cos-nodejs-sdk-v5 getAuthorization: ${fmt(s)} ops/s`);
console.log(`ratio signer / official SDK: ${(o / s).toFixed(2)}x (pure: ${(p / s).toFixed(2)}x)`);
