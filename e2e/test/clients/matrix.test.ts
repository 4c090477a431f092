import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsSdkDriver } from './drivers/aws-sdk.js';
import { awsCliDriver, boto3Driver, rcloneDriver, s3cmdDriver } from './drivers/cli.js';
import { cosNodeSdkDriver } from './drivers/cos-node-sdk.js';
import { ClientError, type ClientDriver, type Session } from './drivers/types.js';
import { openTarget, realCosSettings, type Target } from './target.js';

// Every client COS users run, unmodified, each doing the same cases with the root key and with an STS
// key scoped to a prefix. Against the emulator by default; with COS_DIRECT_REAL_* set, against COS
// itself, which is how a case's expectation is checked (see e2e/README.md).

const DRIVERS: ClientDriver[] = [
  awsSdkDriver('aws-sdk-js'),
  awsSdkDriver('aws-sdk-js WHEN_REQUIRED', { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' }),
  cosNodeSdkDriver('cos-nodejs-sdk-v5@2', 'cos-nodejs-sdk-v5'),
  cosNodeSdkDriver('cos-nodejs-sdk-v5@3', 'cos-nodejs-sdk-v5-3'),
  boto3Driver,
  awsCliDriver,
  rcloneDriver('rclone'),
  rcloneDriver('rclone region', 'target'),
  s3cmdDriver,
];

type Case =
  | 'put and get'
  | 'head'
  | 'list by prefix'
  | 'list with delimiter'
  | 'list V2'
  | 'delete'
  | 'copy'
  | 'multipart'
  | 'presigned PUT'
  | 'presigned GET'
  | 'metadata round trip'
  | 'outside the prefix is AccessDenied';
type Credential = 'root key' | 'STS key scoped to a prefix';

/**
 * Cases the emulator still answers differently from COS, each naming the gap. They run as `it.fails`:
 * the suite stays green, and a case turns red once the emulator is fixed, to be moved out of this list.
 * Keyed by client, then case ('*': every case of that client). Against COS every case runs as a plain test.
 */
const GAPS = {
  sigV2Query:
    'an S3 SigV2 presigned URL (AWSAccessKeyId, Expires, Signature from s3cmd signurl) is taken as anonymous: 403 AccessDenied. ' +
    'Whether COS takes SigV2 is not documented (its S3 guide, doc 436/37421, shows SigV4 only), so the emulator does not take it',
} as const;
const KNOWN_GAPS: Record<string, Partial<Record<Case | '*', string>>> = {
  s3cmd: { 'presigned GET': GAPS.sigV2Query },
};

const againstCos = realCosSettings() !== undefined;
const run = `matrix/${Date.now().toString(36)}-${randomBytes(3).toString('hex')}/`;
const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let target: Target;
beforeAll(async () => {
  target = await openTarget();
  console.log(
    target.kind === 'cos'
      ? `client matrix: against COS, bucket ${target.bucket} in ${target.region}, under ${run}`
      : 'client matrix: ran against the emulator only (set COS_DIRECT_REAL_SECRET_ID, _SECRET_KEY, _BUCKET and _REGION to run it against COS)',
  );
});
afterAll(async () => {
  await target?.close();
});

/** Whether a client can run here; with CI=true a missing client fails the suite instead of skipping. */
function available(driver: ClientDriver): boolean {
  const why = driver.missing();
  if (!why) return true;
  if (process.env.CI) throw new Error(`${driver.name} is required in CI: ${why}`);
  console.warn(`client matrix: ${driver.name} skipped: ${why}`);
  return false;
}

async function refusedWith(promise: Promise<unknown>): Promise<ClientError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof ClientError) return e;
    throw e;
  }
  throw new Error('the request was accepted');
}

for (const driver of DRIVERS) {
  describe.skipIf(!available(driver))(driver.name, () => {
    for (const credential of ['root key', 'STS key scoped to a prefix'] as Credential[]) {
      describe(credential, () => {
        const prefix = `${run}${slug(driver.name)}/${credential === 'root key' ? 'root' : 'sts'}/`;
        let session: Session;
        let listed: Promise<void> | undefined;
        beforeAll(async () => {
          session = await driver.open(target, credential === 'root key' ? target.root : await target.scopedKey(prefix));
        });
        // Three objects, two of them under a "folder": what a delimiter listing tells apart.
        const seedListing = () => {
          listed ??= (async () => {
            for (const name of ['list/a.txt', 'list/sub/b.txt', 'list/sub/c.txt']) await session.put(prefix + name, Buffer.from(name));
          })();
          return listed;
        };

        const test = (name: Case, body: () => Promise<void>, offered = true) => {
          if (!offered || (credential !== 'root key' && driver.bucketWide?.includes(name))) return;
          const gaps = againstCos ? undefined : KNOWN_GAPS[driver.name];
          const reason = gaps?.[name] ?? gaps?.['*'];
          (reason ? it.fails : it)(reason ? `${name} [emulator gap: ${reason}]` : name, body);
        };

        test('put and get', async () => {
          const body = randomBytes(4096);
          await session.put(`${prefix}put/object.bin`, body);
          expect(sha(await session.get(`${prefix}put/object.bin`))).toBe(sha(body));
        });

        test('head', async () => {
          const body = randomBytes(1234);
          await session.put(`${prefix}head/object.bin`, body);
          const info = await session.head(`${prefix}head/object.bin`);
          expect(info.size).toBe(1234);
          expect(info.etag?.replace(/"/g, '')).toBe(createHash('md5').update(body).digest('hex'));
        });

        test('list by prefix', async () => {
          await seedListing();
          const out = await session.list(`${prefix}list/`);
          expect(out.keys.sort()).toEqual([`${prefix}list/a.txt`, `${prefix}list/sub/b.txt`, `${prefix}list/sub/c.txt`]);
        });

        test('list with delimiter', async () => {
          await seedListing();
          const out = await session.list(`${prefix}list/`, '/');
          expect(out).toEqual({ keys: [`${prefix}list/a.txt`], prefixes: [`${prefix}list/sub/`] });
        });

        test(
          'list V2',
          async () => {
            await seedListing();
            const out = await session.listV2!(`${prefix}list/`, '/');
            expect(out).toEqual({ keys: [`${prefix}list/a.txt`], prefixes: [`${prefix}list/sub/`] });
          },
          driver.offers.includes('listV2'),
        );

        test('delete', async () => {
          await session.put(`${prefix}delete/object.txt`, Buffer.from('doomed'));
          await session.delete(`${prefix}delete/object.txt`);
          expect((await session.list(`${prefix}delete/`)).keys).toEqual([]);
        });

        test('copy', async () => {
          const body = randomBytes(2048);
          await session.put(`${prefix}copy/source.bin`, body);
          await session.copy(`${prefix}copy/source.bin`, `${prefix}copy/destination.bin`);
          expect(sha(await session.get(`${prefix}copy/destination.bin`))).toBe(sha(body));
        });

        test('multipart', async () => {
          const body = randomBytes(6 * 1024 * 1024 + 321);
          await session.multipart(`${prefix}multipart/object.bin`, body);
          const info = await session.head(`${prefix}multipart/object.bin`);
          expect(info.size).toBe(body.length);
          // A multipart ETag names its part count; a single PUT's is the body's MD5. rclone and s3cmd store
          // the whole file's MD5 in the object's metadata (x-amz-meta-md5chksum, x-amz-meta-s3cmd-attrs)
          // when they upload in parts, and report that in its place.
          const etag = info.etag?.replace(/"/g, '');
          if (!/-\d+$/.test(etag ?? '')) expect(etag).toBe(createHash('md5').update(body).digest('hex'));
          expect(sha(await session.get(`${prefix}multipart/object.bin`))).toBe(sha(body));
        });

        test(
          'presigned PUT',
          async () => {
            const body = randomBytes(777);
            const url = await session.presignPut!(`${prefix}presigned/put.bin`);
            expect((await target.fetchUrl(url, { method: 'PUT', body })).status).toBe(200);
            expect(sha(await session.get(`${prefix}presigned/put.bin`))).toBe(sha(body));
          },
          driver.offers.includes('presignPut'),
        );

        test(
          'presigned GET',
          async () => {
            const body = randomBytes(555);
            await session.put(`${prefix}presigned/get.bin`, body);
            const res = await target.fetchUrl(await session.presignGet!(`${prefix}presigned/get.bin`));
            expect(res.status).toBe(200);
            expect(sha(res.body)).toBe(sha(body));
          },
          driver.offers.includes('presignGet'),
        );

        test('metadata round trip', async () => {
          await session.putWithMeta(`${prefix}meta/object.txt`, Buffer.from('with metadata'), { color: 'blue', 'project-id': '42' });
          const meta = session.headMeta
            ? await session.headMeta(`${prefix}meta/object.txt`)
            : (await session.head(`${prefix}meta/object.txt`)).meta;
          expect(meta).toMatchObject({ color: 'blue', 'project-id': '42' });
          expect((await session.get(`${prefix}meta/object.txt`)).toString()).toBe('with metadata');
        });

        test(
          'outside the prefix is AccessDenied',
          async () => {
            const outside = `${run}${slug(driver.name)}/outside.txt`;
            // A client that HEADs first sees a bare 403 without COS's error document.
            const denied = (e: ClientError) =>
              e.code === 'AccessDenied' || ((e.code === undefined || e.code === 'Forbidden') && e.status === 403);
            const put = await refusedWith(session.put(outside, Buffer.from('not here')));
            expect(denied(put), put.message).toBe(true);
            const get = await refusedWith(session.get(outside));
            expect(denied(get), get.message).toBe(true);
          },
          credential !== 'root key',
        );
      });
    }
  });
}
