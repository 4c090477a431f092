// Published AWS Signature Version 4 examples, as data: the AWS SigV4 test suite (service "service",
// 2015-08-30) and the worked examples of the S3 SigV4 documentation (service "s3", 2013-05-24).
// sigv4.test.ts turns each entry into tests.

export const SUITE_KEYS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
export const S3_DOC_KEYS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

const SUITE_TIME = Date.UTC(2015, 7, 30, 12, 36, 0) / 1000;
const S3_TIME = Date.UTC(2013, 4, 24) / 1000;
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export interface SigV4Vector {
  id: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  region: string;
  service: string;
  signingTime: number;
  method: string;
  /** S3: the decoded path; other services: the path as sent. */
  pathname: string;
  query?: Record<string, string>;
  headers: Record<string, string | string[]>;
  body?: string;
  payloadHash?: string;
  /** Presigned form when set. */
  expiresIn?: number;
  expected: { signedHeaders: string; signature: string; canonicalRequest?: string };
}

const suite = (id: string, v: Partial<SigV4Vector> & Pick<SigV4Vector, 'expected'>): SigV4Vector => ({
  id: `suite/${id}`,
  credentials: SUITE_KEYS,
  region: 'us-east-1',
  service: 'service',
  signingTime: SUITE_TIME,
  method: 'GET',
  pathname: '/',
  ...v,
  headers: { Host: 'example.amazonaws.com', ...v.headers },
});

const s3doc = (id: string, v: Partial<SigV4Vector> & Pick<SigV4Vector, 'expected'>): SigV4Vector => ({
  id: `s3-doc/${id}`,
  credentials: S3_DOC_KEYS,
  region: 'us-east-1',
  service: 's3',
  signingTime: S3_TIME,
  method: 'GET',
  pathname: '/',
  ...v,
  headers: { Host: 'examplebucket.s3.amazonaws.com', ...v.headers },
});

const HX = 'host;x-amz-date';

export const sigv4Vectors: SigV4Vector[] = [
  suite('get-vanilla', {
    expected: {
      signedHeaders: HX,
      signature: '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
      canonicalRequest: `GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n${HX}\n${EMPTY_SHA256}`,
    },
  }),
  suite('get-vanilla-query-order-key-case', {
    query: { Param2: 'value2', Param1: 'value1' },
    expected: { signedHeaders: HX, signature: 'b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500' },
  }),
  suite('get-vanilla-query-unreserved', {
    query: {
      '-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz':
        '-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
    },
    expected: { signedHeaders: HX, signature: '9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197' },
  }),
  suite('get-vanilla-utf8-query', {
    query: { ሴ: 'bar' },
    expected: { signedHeaders: HX, signature: '2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04' },
  }),
  suite('get-utf8', {
    pathname: '/ሴ',
    expected: { signedHeaders: HX, signature: '8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85' },
  }),
  suite('get-space', {
    pathname: '/example space/',
    expected: { signedHeaders: HX, signature: '652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741' },
  }),
  suite('normalize-path/get-relative-relative', {
    pathname: '/example1/example2/../..',
    expected: { signedHeaders: HX, signature: '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31' },
  }),
  suite('normalize-path/get-slash-dot-slash', {
    pathname: '/./',
    expected: { signedHeaders: HX, signature: '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31' },
  }),
  suite('get-header-key-duplicate', {
    headers: { 'My-Header1': ['value2', 'value2', 'value1'] },
    expected: {
      signedHeaders: 'host;my-header1;x-amz-date',
      signature: 'c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea',
    },
  }),
  suite('post-vanilla', {
    method: 'POST',
    expected: { signedHeaders: HX, signature: '5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b' },
  }),
  suite('post-x-www-form-urlencoded', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'Param1=value1',
    expected: {
      signedHeaders: 'content-type;host;x-amz-date',
      signature: 'ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a',
    },
  }),
  s3doc('get-object', {
    pathname: '/test.txt',
    headers: { Range: 'bytes=0-9' },
    payloadHash: EMPTY_SHA256,
    expected: {
      signedHeaders: 'host;range;x-amz-content-sha256;x-amz-date',
      signature: 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
      canonicalRequest: `GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\nx-amz-content-sha256:${EMPTY_SHA256}\nx-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n${EMPTY_SHA256}`,
    },
  }),
  s3doc('put-object', {
    method: 'PUT',
    pathname: '/test$file.text',
    headers: { Date: 'Fri, 24 May 2013 00:00:00 GMT', 'x-amz-storage-class': 'REDUCED_REDUNDANCY' },
    body: 'Welcome to Amazon S3.',
    expected: {
      signedHeaders: 'date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class',
      signature: '98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd',
    },
  }),
  s3doc('get-bucket-lifecycle', {
    query: { lifecycle: '' },
    payloadHash: EMPTY_SHA256,
    expected: {
      signedHeaders: 'host;x-amz-content-sha256;x-amz-date',
      signature: 'fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543',
    },
  }),
  s3doc('list-objects', {
    query: { 'max-keys': '2', prefix: 'J' },
    payloadHash: EMPTY_SHA256,
    expected: {
      signedHeaders: 'host;x-amz-content-sha256;x-amz-date',
      signature: '34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7',
    },
  }),
  s3doc('presigned-get-object', {
    pathname: '/test.txt',
    expiresIn: 86400,
    expected: { signedHeaders: 'host', signature: 'aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404' },
  }),
];

/** The signing-key example of the SigV4 documentation (IAM, 2012-02-15). */
export const signingKeyVector = {
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  date: '20120215',
  region: 'us-east-1',
  service: 'iam',
  expected: 'f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d',
};
