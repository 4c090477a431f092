// Every signature test vector of the protocol digest (cos-protocol.md §2.7, §3.2, §4.10, §6.1, §6.2):
// inputs and expected outputs, data only. vectors.test.ts turns each entry into tests.

export const DOC_KEYS = { secretId: 'AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q', secretKey: 'BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz' };
export const EXAMPLE_KEYS = { secretId: 'AKIDEXAMPLEsecretid0000000000000000', secretKey: 'EXAMPLEsecretkey00000000000000000' };

export interface RequestVector {
  id: string;
  title: string;
  credentials: { secretId: string; secretKey: string };
  keyTime: string;
  method: string;
  /** Decoded path. */
  pathname: string;
  query?: Record<string, string>;
  /** Headers handed to the signer. */
  headers: Record<string, string>;
  /** 'all' when the vector signs headers the Node SDK rule leaves out (date, content-type). */
  signHeaders?: 'sdk' | 'all';
  expected: {
    signKey?: string;
    formatString?: string;
    /** Lower-case hex SHA-1 of the format string (the middle line of the StringToSign). */
    formatStringSha1?: string;
    headerList?: string;
    urlParamList?: string;
    signature: string;
    authorization?: string;
  };
  /** Headers as they were on the wire, when more than the signed ones (verification must still pass). */
  wireHeaders?: Record<string, string>;
  /** A presigned URL produced by the SDK for this request. */
  presignedUrl?: string;
}

export const requestVectors: RequestVector[] = [
  {
    id: 'D1',
    title: 'official doc PUT example',
    credentials: DOC_KEYS,
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
    expected: {
      signKey: 'eb2519b498b02ac213cb1f3d1a3d27a3b3c9bc5f',
      formatString:
        'put\n/exampleobject(腾讯云)\n\ncontent-length=13&content-md5=mQ%2FfVh815F3k6TAUm8m0eg%3D%3D&content-type=text%2Fplain&date=Thu%2C%2016%20May%202019%2006%3A45%3A51%20GMT&host=examplebucket-1250000000.cos.ap-beijing.myqcloud.com&x-cos-acl=private&x-cos-grant-read=uin%3D%22100000000011%22\n',
      formatStringSha1: '8b2751e77f43a0995d6e9eb9477f4b685cca4172',
      headerList: 'content-length;content-md5;content-type;date;host;x-cos-acl;x-cos-grant-read',
      urlParamList: '',
      signature: '3b8851a11a569213c17ba8fa7dcf2abec6935172',
    },
  },
  {
    id: 'D1-encoded-path',
    title: 'D1 signed over the encoded path (the documented wrong result)',
    credentials: DOC_KEYS,
    keyTime: '1557989151;1557996351',
    method: 'PUT',
    pathname: '/exampleobject(%E8%85%BE%E8%AE%AF%E4%BA%91)',
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
    expected: { signKey: 'eb2519b498b02ac213cb1f3d1a3d27a3b3c9bc5f', signature: '7c721063919d103b9edf446ec8b660f954a66593' },
  },
  {
    id: 'D2',
    title: 'official doc GET example',
    credentials: DOC_KEYS,
    keyTime: '1557989753;1557996953',
    method: 'GET',
    pathname: '/exampleobject(腾讯云)',
    query: { 'response-content-type': 'application/octet-stream', 'response-cache-control': 'max-age=600' },
    headers: { Date: 'Thu, 16 May 2019 06:55:53 GMT', Host: 'examplebucket-1250000000.cos.ap-beijing.myqcloud.com' },
    signHeaders: 'all',
    expected: {
      signKey: '937914bf490e9e8c189836aad2052e4feeb35eaf',
      formatString:
        'get\n/exampleobject(腾讯云)\nresponse-cache-control=max-age%3D600&response-content-type=application%2Foctet-stream\ndate=Thu%2C%2016%20May%202019%2006%3A55%3A53%20GMT&host=examplebucket-1250000000.cos.ap-beijing.myqcloud.com\n',
      formatStringSha1: '54ecfe22f59d3514fdc764b87a32d8133ea611e6',
      headerList: 'date;host',
      urlParamList: 'response-cache-control;response-content-type',
      signature: '01681b8c9d798a678e43b685a9f1bba0f6c0e012',
      authorization:
        'q-sign-algorithm=sha1&q-ak=AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q&q-sign-time=1557989753;1557996953&q-key-time=1557989753;1557996953&q-header-list=date;host&q-url-param-list=response-cache-control;response-content-type&q-signature=01681b8c9d798a678e43b685a9f1bba0f6c0e012',
    },
  },
  {
    id: 'G1',
    title: 'cos-go-sdk-v5 auth_test.go vector',
    credentials: { secretId: 'QmFzZTY0IGlzIGEgZ2VuZXJp', secretKey: 'AKIDZfbOA78asKUYBcXFrJD0a1ICvR98JM' },
    keyTime: '1480932292;1481012292',
    method: 'PUT',
    pathname: '/testfile2',
    headers: {
      Host: 'testbucket-125000000.cos.ap-guangzhou.myqcloud.com',
      'x-cos-content-sha1': 'db8ac1c259eb89d4a131b253bacfca5f319d54f2',
      'x-cos-stroage-class': 'nearline',
    },
    expected: {
      headerList: 'host;x-cos-content-sha1;x-cos-stroage-class',
      urlParamList: '',
      signature: 'ce4ac0ecbcdb30538b3fee0a97cc6389694ce53a',
      authorization:
        'q-sign-algorithm=sha1&q-ak=QmFzZTY0IGlzIGEgZ2VuZXJp&q-sign-time=1480932292;1481012292&q-key-time=1480932292;1481012292&q-header-list=host;x-cos-content-sha1;x-cos-stroage-class&q-url-param-list=&q-signature=ce4ac0ecbcdb30538b3fee0a97cc6389694ce53a',
    },
  },
  {
    id: 'V1',
    title: 'simple PUT, host only',
    credentials: EXAMPLE_KEYS,
    keyTime: '1700000000;1700000900',
    method: 'PUT',
    pathname: '/uploads/photo.jpg',
    headers: { Host: 'examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com' },
    expected: {
      signKey: '5372f81efab06aec3d451ab4fa9b84d1048fbc4b',
      formatString: 'put\n/uploads/photo.jpg\n\nhost=examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com\n',
      formatStringSha1: 'c2a9115df44d123c228d9d4d5be9f5afc57dffe0',
      headerList: 'host',
      urlParamList: '',
      signature: '549e9a557b18f8e8511a11563f5062a785c4da15',
      authorization:
        'q-sign-algorithm=sha1&q-ak=AKIDEXAMPLEsecretid0000000000000000&q-sign-time=1700000000;1700000900&q-key-time=1700000000;1700000900&q-header-list=host&q-url-param-list=&q-signature=549e9a557b18f8e8511a11563f5062a785c4da15',
    },
  },
  {
    id: 'V2',
    title: 'special-character key, query and extra headers',
    credentials: EXAMPLE_KEYS,
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
    expected: {
      signKey: 'f621f9f5832de91cd8421f22ca22ceb7f9d8fd21',
      formatString:
        'put\n/dir/a b+c/中文(1)!*.txt\npartnumber=3&uploadid=1585130821cbb7df1d1184\ncontent-length=13&content-md5=mQ%2FfVh815F3k6TAUm8m0eg%3D%3D&host=examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com&x-cos-meta-author=Zhang%20San&x-cos-security-token=tok%2Fen%2B%3D%3D\n',
      formatStringSha1: 'e755cbb30fdab66285d703483213f38b97caa5d1',
      headerList: 'content-length;content-md5;host;x-cos-meta-author;x-cos-security-token',
      urlParamList: 'partnumber;uploadid',
      signature: '3563c856a809ce20598ebc8bb5148d623e4327ec',
      authorization:
        'q-sign-algorithm=sha1&q-ak=AKIDEXAMPLEsecretid0000000000000000&q-sign-time=1700000000;1700003600&q-key-time=1700000000;1700003600&q-header-list=content-length;content-md5;host;x-cos-meta-author;x-cos-security-token&q-url-param-list=partnumber;uploadid&q-signature=3563c856a809ce20598ebc8bb5148d623e4327ec',
    },
  },
  {
    id: 'V3',
    title: 'presigned GET with response-* parameters',
    credentials: EXAMPLE_KEYS,
    keyTime: '1700000000;1700000600',
    method: 'GET',
    pathname: '/folder/report 2024.pdf',
    query: { 'response-content-disposition': 'attachment; filename="r.pdf"', 'response-content-type': 'application/pdf' },
    headers: { Host: 'examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com' },
    expected: {
      formatString:
        'get\n/folder/report 2024.pdf\nresponse-content-disposition=attachment%3B%20filename%3D%22r.pdf%22&response-content-type=application%2Fpdf\nhost=examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com\n',
      formatStringSha1: '469f09319abedf60a7730c0d2f6f65a738b80290',
      headerList: 'host',
      urlParamList: 'response-content-disposition;response-content-type',
      signature: '6d61bf551d47186e2c2fcd8e3e05ad0920739029',
    },
    presignedUrl:
      'https://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/folder/report%202024.pdf?q-sign-algorithm=sha1&q-ak=AKIDEXAMPLEsecretid0000000000000000&q-sign-time=1700000000;1700000600&q-key-time=1700000000;1700000600&q-header-list=host&q-url-param-list=response-content-disposition;response-content-type&q-signature=6d61bf551d47186e2c2fcd8e3e05ad0920739029&response-content-disposition=attachment%3B%20filename%3D%22r.pdf%22&response-content-type=application%2Fpdf',
  },
  {
    id: 'V4',
    title: 'wire capture of putObject with a temporary key',
    credentials: EXAMPLE_KEYS,
    keyTime: '1795569832;1795570732',
    method: 'PUT',
    pathname: '/dir/a b+c/中文(1)!*.txt',
    // What the SDK signed: the token is added after signing and content-type is left out by its rule.
    headers: {
      host: 'examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com',
      'content-type': 'text/plain',
      'content-length': '5',
      'cache-control': '',
      'x-cos-meta-author': 'Zhang San',
    },
    expected: {
      headerList: 'content-length;host;x-cos-meta-author',
      urlParamList: '',
      signature: '26fd821cff8dcf8e9d320af710ab04eaf4e29d9e',
      authorization:
        'q-sign-algorithm=sha1&q-ak=AKIDEXAMPLEsecretid0000000000000000&q-sign-time=1795569832;1795570732&q-key-time=1795569832;1795570732&q-header-list=content-length;host;x-cos-meta-author&q-url-param-list=&q-signature=26fd821cff8dcf8e9d320af710ab04eaf4e29d9e',
    },
    wireHeaders: {
      host: 'examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com',
      'content-type': 'text/plain',
      'content-length': '5',
      'cache-control': '',
      'x-cos-meta-author': 'Zhang San',
      'x-cos-security-token': 'EXAMPLEtoken_abc-123',
    },
  },
];

export interface PostPolicyVector {
  id: string;
  title: string;
  credentials: { secretId: string; secretKey: string };
  keyTime: string;
  /** The exact policy JSON text the doc base64-encodes (4-space indent, \n newlines). */
  policyText: string;
  expected: { policy: string; signKey: string; stringToSign: string; signature: string };
}

export const postPolicyVectors: PostPolicyVector[] = [
  {
    id: 'P1',
    title: 'official POST Object example',
    credentials: DOC_KEYS,
    keyTime: '1567150692;1567157892',
    policyText:
      '{\n    "expiration": "2019-08-30T09:38:12.414Z",\n    "conditions": [\n        { "acl": "default" },\n        { "bucket": "examplebucket-1250000000" },\n        [ "starts-with", "$key", "folder/subfolder/" ],\n        [ "starts-with", "$Content-Type", "image/" ],\n        [ "starts-with", "$success_action_redirect", "https://my.website/" ],\n        [ "eq", "$x-cos-server-side-encryption", "AES256" ],\n        { "q-sign-algorithm": "sha1" },\n        { "q-ak": "AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q" },\n        { "q-sign-time": "1567150692;1567157892" }\n    ]\n}',
    expected: {
      policy:
        'ewogICAgImV4cGlyYXRpb24iOiAiMjAxOS0wOC0zMFQwOTozODoxMi40MTRaIiwKICAgICJjb25kaXRpb25zIjogWwogICAgICAgIHsgImFjbCI6ICJkZWZhdWx0IiB9LAogICAgICAgIHsgImJ1Y2tldCI6ICJleGFtcGxlYnVja2V0LTEyNTAwMDAwMDAiIH0sCiAgICAgICAgWyAic3RhcnRzLXdpdGgiLCAiJGtleSIsICJmb2xkZXIvc3ViZm9sZGVyLyIgXSwKICAgICAgICBbICJzdGFydHMtd2l0aCIsICIkQ29udGVudC1UeXBlIiwgImltYWdlLyIgXSwKICAgICAgICBbICJzdGFydHMtd2l0aCIsICIkc3VjY2Vzc19hY3Rpb25fcmVkaXJlY3QiLCAiaHR0cHM6Ly9teS53ZWJzaXRlLyIgXSwKICAgICAgICBbICJlcSIsICIkeC1jb3Mtc2VydmVyLXNpZGUtZW5jcnlwdGlvbiIsICJBRVMyNTYiIF0sCiAgICAgICAgeyAicS1zaWduLWFsZ29yaXRobSI6ICJzaGExIiB9LAogICAgICAgIHsgInEtYWsiOiAiQUtJRFFqejNsdG9tcFZqQm5pNUxpdGtXSEZsRnB3a245VTVxIiB9LAogICAgICAgIHsgInEtc2lnbi10aW1lIjogIjE1NjcxNTA2OTI7MTU2NzE1Nzg5MiIgfQogICAgXQp9',
      signKey: '39acc8c9f34ba5b19bce4e965b370cd3f62d2fba',
      stringToSign: 'd5d903b8360468bc81c1311f134989bc8c8b5b89',
      signature: '7758dc9a832e9d301dca704cacbf9d9f8172fdef',
    },
  },
];

const S1_POLICY_ENCODED =
  '%7B%22version%22%3A%222.0%22%2C%22statement%22%3A%5B%7B%22action%22%3A%5B%22name%2Fcos%3APutObject%22%5D%2C%22effect%22%3A%22allow%22%2C%22resource%22%3A%5B%22qcs%3A%3Acos%3Aap-guangzhou%3Auid%2F1250000000%3Aexamplebucket-1250000000%2Fuploads%2F*%22%5D%7D%5D%7D';

export const stsV1Vector = {
  id: 'S1',
  title: 'qcloud-cos-sts GetFederationToken (HmacSHA1)',
  secretKey: EXAMPLE_KEYS.secretKey,
  host: 'sts.tencentcloudapi.com',
  params: {
    SecretId: EXAMPLE_KEYS.secretId,
    Timestamp: 1700000000,
    Nonce: 12345,
    Action: 'GetFederationToken',
    DurationSeconds: 1800,
    Version: '2018-08-13',
    Region: 'ap-guangzhou',
    Policy: S1_POLICY_ENCODED,
    Name: 'cos-sts-nodejs',
  },
  formatString:
    'POSTsts.tencentcloudapi.com/?Action=GetFederationToken&DurationSeconds=1800&Name=cos-sts-nodejs&Nonce=12345&Policy=' +
    S1_POLICY_ENCODED +
    '&Region=ap-guangzhou&SecretId=AKIDEXAMPLEsecretid0000000000000000&Timestamp=1700000000&Version=2018-08-13',
  signature: 'TzCz8d2KdXnvNtwUEhdjlIVBUGQ=',
  /** The form body field as qs.stringify sends it. */
  bodySignature: 'Signature=TzCz8d2KdXnvNtwUEhdjlIVBUGQ%3D',
};

export const tc3Vector = {
  id: 'T1',
  title: 'TC3-HMAC-SHA256 GetFederationToken',
  secretId: EXAMPLE_KEYS.secretId,
  secretKey: EXAMPLE_KEYS.secretKey,
  host: 'sts.tencentcloudapi.com',
  timestamp: 1700000000,
  payload: `{"Name":"cos-sts","Policy":"${S1_POLICY_ENCODED}","DurationSeconds":1800}`,
  payloadSha256: '6b07abe69c71a9f7456a4b7d89254505eb4fcd1afa1aa97b60f60069d0a3cfab',
  canonicalRequestSha256: '8b1f9cf3df9f39b3d61cebe1f26839da967a4d775ed0c448ff51f8b666813054',
  authorization:
    'TC3-HMAC-SHA256 Credential=AKIDEXAMPLEsecretid0000000000000000/2023-11-14/sts/tc3_request, SignedHeaders=content-type;host, Signature=75254db7376cf40c918c9f4ed421ca1604141284c1fa114fb3a588f60f5a3a66',
};

export const crcVectors: Array<{ id: string; input: string; expected: string }> = [
  { id: 'C1', input: '', expected: '0' },
  { id: 'C2', input: '123456789', expected: '11051210869376104954' },
  { id: 'C3', input: 'hello', expected: '11177612005948864433' },
];
