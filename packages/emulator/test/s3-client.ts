import { Agent } from 'node:http';
import type { LookupFunction } from 'node:net';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { RunningEmulator } from '../src/index.js';
import { REGION } from './helpers.js';

// The SDK announces, once per process, that its future releases will need Node 22; Node 20.19+ is a supported
// line here and the notice is not about the emulator. Clients are created after this line.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

// The S3 SDK addresses the bucket virtual-hosted (<bucket>.cos.<region>.myqcloud.com), as COS's
// docs have it; an http.Agent whose lookup answers loopback for every name brings those hosts to
// the emulator without touching DNS or /etc/hosts.
const loopback: LookupFunction = (_hostname, options, callback) => {
  if (options.all)
    (callback as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
};

/** An S3 client of the emulator's root key, sending only the checksums an operation requires, as COS users set it. */
export function s3ClientOf(emu: RunningEmulator, overrides: Partial<S3ClientConfig> = {}): S3Client {
  return new S3Client({
    region: REGION,
    endpoint: `http://cos.${REGION}.myqcloud.com:${new URL(emu.info.cos.http).port}`,
    forcePathStyle: false,
    credentials: { accessKeyId: emu.info.credentials.secretId, secretAccessKey: emu.info.credentials.secretKey },
    // COS takes no aws-chunked bodies and checks no x-amz-checksum-*: the SDK must only send what an operation requires.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { httpAgent: new Agent({ lookup: loopback }) },
    maxAttempts: 1,
    ...overrides,
  });
}
