// Published and verified COS/STS signature vectors (see the protocol digest, sections 2.7, 3.2, 4.10, 6).
// Data only: vectors.test.ts generates one test per entry.

export const EXAMPLE = { secretId: 'AKIDEXAMPLEsecretid0000000000000000', secretKey: 'EXAMPLEsecretkey00000000000000000' };
const DOC = { secretId: 'AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q', secretKey: 'BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz' };

export interface RequestVector {
  name: string;
  credentials: { secretId: string; secretKey: string };
  keyTime: string;
  method: string;
  pathname: string;
  query?: Record<string, string>;
  headers: Record<string, string>;
  signHeaders?: 'sdk' | 'all';
  formatString?: string;
  headerList?: string;
  signature: string;
  authorization?: string;
}

export const requestVectors: RequestVector[] = [
  {
    name: 'D1 official PUT example',
    credentials: DOC,
    keyTime: '1557989151;1557996351',
    method: 'PUT',
    pathname: '/exampleobject(腾讯云)',
    headers: {
      Date: 'Thu, 16 May 2019 06:45:51 GMT',
      Host: 'examplebucket-1250000000.cos.ap-beijing.myqcloud.com',
      'Content-Type': 'text/plain',
      'Content-Length': '13',
      'Content-MD5': 'mQ/fVh815F3k6TAUm8m0eg==',
      'x-cos-acl': 'private',
      'x-cos-grant-read': 'uin="100000000011"',
    },
    signHeaders: 'all',
    formatString:
      'put\n/exampleobject(腾讯云)\n\ncontent-length=13&content-md5=mQ%2FfVh815F3k6TAUm8m0eg%3D%3D&content-type=text%2Fplain&date=Thu%2C%2016%20May%202019%2006%3A45%3A51%20GMT&host=examplebucket-1250000000.cos.ap-beijing.myqcloud.com&x-cos-acl=private&x-cos-grant-read=uin%3D%22100000000011%22\n',
    headerList: 'content-length;content-md5;content-type;date;host;x-cos-acl;x-cos-grant-read',
    signature: '3b8851a11a569213c17ba8fa7dcf2abec6935172',
  },
  {
    name: 'D2 official GET example',
    credentials: DOC,
    keyTime: '1557989753;1557996953',
    method: 'GET',
    pathname: '/exampleobject(腾讯云)',
    query: { 'response-content-type': 'application/octet-stream', 'response-cache-control': 'max-age=600' },
    headers: { Date: 'Thu, 16 May 2019 06:55:53 GMT', Host: 'examplebucket-1250000000.cos.ap-beijing.myqcloud.com' },
    signHeaders: 'all',
    signature: '01681b8c9d798a678e43b685a9f1bba0f6c0e012',
    authorization:
      'q-sign-algorithm=sha1&q-ak=AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q&q-sign-time=1557989753;1557996953&q-key-time=1557989753;1557996953&q-header-list=date;host&q-url-param-list=response-cache-control;response-content-type&q-signature=01681b8c9d798a678e43b685a9f1bba0f6c0e012',
  },
  {
    name: 'G1 cos-go-sdk-v5 vector',
    credentials: { secretId: 'QmFzZTY0IGlzIGEgZ2VuZXJp', secretKey: 'AKIDZfbOA78asKUYBcXFrJD0a1ICvR98JM' },
    keyTime: '1480932292;1481012292',
    method: 'PUT',
    pathname: '/testfile2',
    headers: {
      Host: 'testbucket-125000000.cos.ap-guangzhou.myqcloud.com',
      'x-cos-content-sha1': 'db8ac1c259eb89d4a131b253bacfca5f319d54f2',
      'x-cos-stroage-class': 'nearline',
    },
    headerList: 'host;x-cos-content-sha1;x-cos-stroage-class',
    signature: 'ce4ac0ecbcdb30538b3fee0a97cc6389694ce53a',
  },
  {
    name: 'V1 simple PUT, host only',
    credentials: EXAMPLE,
    keyTime: '1700000000;1700000900',
    method: 'PUT',
    pathname: '/uploads/photo.jpg',
    headers: { Host: 'examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com' },
    formatString: 'put\n/uploads/photo.jpg\n\nhost=examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com\n',
    signature: '549e9a557b18f8e8511a11563f5062a785c4da15',
    authorization:
      'q-sign-algorithm=sha1&q-ak=AKIDEXAMPLEsecretid0000000000000000&q-sign-time=1700000000;1700000900&q-key-time=1700000000;1700000900&q-header-list=host&q-url-param-list=&q-signature=549e9a557b18f8e8511a11563f5062a785c4da15',
  },
  {
    name: 'V2 special-character key, query and extra headers',
    credentials: EXAMPLE,
    keyTime: '1700000000;1700003600',
    method: 'PUT',
    pathname: '/dir/a b+c/中文(1)!*.txt',
    query: { partNumber: '3', uploadId: '1585130821cbb7df1d1184' },
    headers: {
      Host: 'examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com',
      'Content-Length': '13',
      'Content-MD5': 'mQ/fVh815F3k6TAUm8m0eg==',
      'x-cos-meta-Author': 'Zhang San',
      'Content-Type': 'text/plain',
      'x-cos-security-token': 'tok/en+==',
    },
    formatString:
      'put\n/dir/a b+c/中文(1)!*.txt\npartnumber=3&uploadid=1585130821cbb7df1d1184\ncontent-length=13&content-md5=mQ%2FfVh815F3k6TAUm8m0eg%3D%3D&host=examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com&x-cos-meta-author=Zhang%20San&x-cos-security-token=tok%2Fen%2B%3D%3D\n',
    signature: '3563c856a809ce20598ebc8bb5148d623e4327ec',
  },
  {
    name: 'V3 presigned GET with response-* parameters',
    credentials: EXAMPLE,
    keyTime: '1700000000;1700000600',
    method: 'GET',
    pathname: '/folder/report 2024.pdf',
    query: { 'response-content-disposition': 'attachment; filename="r.pdf"', 'response-content-type': 'application/pdf' },
    headers: { Host: 'examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com' },
    signature: '6d61bf551d47186e2c2fcd8e3e05ad0920739029',
  },
  {
    name: 'V4 wire capture of putObject with a temporary key',
    credentials: EXAMPLE,
    keyTime: '1795569832;1795570732',
    method: 'PUT',
    pathname: '/dir/a b+c/中文(1)!*.txt',
    headers: { Host: 'examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com', 'Content-Type': 'text/plain', 'Content-Length': '5', 'x-cos-meta-author': 'Zhang San' },
    headerList: 'content-length;host;x-cos-meta-author',
    signature: '26fd821cff8dcf8e9d320af710ab04eaf4e29d9e',
  },
];

export const postPolicyVector = {
  name: 'P1 official POST Object example',
  secretKey: DOC.secretKey,
  keyTime: '1567150692;1567157892',
  // The doc gives the SHA-1 of its policy text (StringToSign), not the whole text.
  signKey: '39acc8c9f34ba5b19bce4e965b370cd3f62d2fba',
  stringToSign: 'd5d903b8360468bc81c1311f134989bc8c8b5b89',
  signature: '7758dc9a832e9d301dca704cacbf9d9f8172fdef',
};

const S1_POLICY = {
  version: '2.0',
  statement: [{ action: ['name/cos:PutObject'], effect: 'allow', resource: ['qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/uploads/*'] }],
};

export const stsV1Vector = {
  name: 'S1 qcloud-cos-sts GetFederationToken',
  secretKey: EXAMPLE.secretKey,
  host: 'sts.tencentcloudapi.com',
  params: {
    SecretId: EXAMPLE.secretId,
    Timestamp: 1700000000,
    Nonce: 12345,
    Action: 'GetFederationToken',
    DurationSeconds: 1800,
    Version: '2018-08-13',
    Region: 'ap-guangzhou',
    Policy: encodeURIComponent(JSON.stringify(S1_POLICY)),
    Name: 'cos-sts-nodejs',
  },
  formatStringStart: 'POSTsts.tencentcloudapi.com/?Action=GetFederationToken&DurationSeconds=1800&Name=cos-sts-nodejs&Nonce=12345&Policy=%7B%22version',
  signature: 'TzCz8d2KdXnvNtwUEhdjlIVBUGQ=',
};

export const tc3Vector = {
  name: 'T1 TC3-HMAC-SHA256 GetFederationToken',
  ...EXAMPLE,
  host: 'sts.tencentcloudapi.com',
  timestamp: 1700000000,
  payload: JSON.stringify({ Name: 'cos-sts', Policy: encodeURIComponent(JSON.stringify(S1_POLICY)), DurationSeconds: 1800 }),
  authorization:
    'TC3-HMAC-SHA256 Credential=AKIDEXAMPLEsecretid0000000000000000/2023-11-14/sts/tc3_request, SignedHeaders=content-type;host, Signature=75254db7376cf40c918c9f4ed421ca1604141284c1fa114fb3a588f60f5a3a66',
};

export const crcVectors: Array<[string, string]> = [
  ['', '0'],
  ['123456789', '11051210869376104954'],
  ['hello', '11177612005948864433'],
];
