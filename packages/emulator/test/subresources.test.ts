import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUBRESOURCES } from '../src/bucket-config/subresources.js';
import { COS_SUBRESOURCES, type SubresourceMethod } from '../src/cos-subresources.js';
import type { RunningEmulator } from '../src/index.js';
import { BUCKET, emulator, raw, REGION, signed, xmlField } from './helpers.js';

const reason = (text: string) => xmlField(text, 'Reason')?.replace(/&quot;/g, '"');
const refuses = (row: (typeof COS_SUBRESOURCES)[number], method: SubresourceMethod) =>
  row.refused === true || (row.refused?.includes(method) ?? false);

/** Walks the table of COS's sub-resources: each is served, or refused by name with 501 and a refusal logged. */
describe('every sub-resource COS documents', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await emulator({ httpsPort: false });
    await signed(emu, 'PUT', 'obj.txt', { body: 'x' });
  });
  afterAll(() => emu.close());

  for (const row of COS_SUBRESOURCES) {
    for (const scope of ['bucket', 'object'] as const) {
      for (const method of row[scope] ?? []) {
        const label = `${method} ${scope === 'bucket' ? '/' : '/obj.txt'}?${row.param}`;
        it(`${label}: ${refuses(row, method) ? 'refused by name' : 'served'}`, async () => {
          const param = row.chain ? `${row.param}/thumbnail/100x` : row.param;
          const res = await signed(emu, method, scope === 'bucket' ? '' : 'obj.txt', { query: { [param]: '' } });
          if (!refuses(row, method)) {
            expect(res.status, res.text).not.toBe(501);
            return;
          }
          expect(res.status).toBe(501);
          expect(xmlField(res.text, 'Code')).toBe('NotImplemented');
          expect(reason(res.text)).toContain(`"${row.param}" sub-resource`);
          const [logged] = emu.refusals(1);
          expect(logged?.code).toBe('NotImplemented');
          expect(logged?.reason).toContain(`"${row.param}"`);
        });
      }
    }
  }

  it('names a bucket sub-resource sent to an object, instead of serving the object', async () => {
    const res = await signed(emu, 'GET', 'obj.txt', { query: { lifecycle: '' } });
    expect(res.status).toBe(501);
    expect(reason(res.text)).toContain('"lifecycle" sub-resource on an object');
    // A name that is no bucket configuration and no missing feature is left to routing, as COS ignores it.
    expect((await signed(emu, 'GET', 'obj.txt', { query: { location: '' } })).status).toBe(200);
  });

  it('PUT ?intelligent-tiering is not PUT Bucket, and PUT /<channel>?live stores no object', async () => {
    expect((await signed(emu, 'PUT', '', { query: { 'intelligent-tiering': '', id: 'a' } })).status).toBe(501);
    expect((await signed(emu, 'PUT', 'channel', { query: { live: '' }, body: '<LiveChannelConfiguration/>' })).status).toBe(501);
    expect((await signed(emu, 'HEAD', 'channel')).status).toBe(404);
  });

  it('lists every bucket configuration the emulator stores, served with the methods COS offers', () => {
    for (const spec of SUBRESOURCES) {
      const row = COS_SUBRESOURCES.find((r) => r.param === spec.param);
      expect(row?.bucket, spec.param).toBeDefined();
      expect(row!.refused === true, spec.param).toBe(false);
    }
    const configurations = COS_SUBRESOURCES.filter((r) => r.configuration).map((r) => r.param);
    expect(configurations.sort()).toEqual(SUBRESOURCES.map((s) => s.param).sort());
    expect(new Set(COS_SUBRESOURCES.map((r) => r.param)).size).toBe(COS_SUBRESOURCES.length);
  });
});

describe('a CORS preflight for a feature the emulator refuses', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await emulator({ httpsPort: false });
  });
  afterAll(() => emu.close());

  const host = `${BUCKET}.cos.${REGION}.myqcloud.com`;
  for (const [path, method] of [
    ['/photo.jpg?select&select-type=2', 'POST'],
    ['/photo.jpg?restore', 'POST'],
    ['/?list-type=2', 'GET'],
  ] as const) {
    it(`OPTIONS ${path} is answered from the bucket's CORS rules`, async () => {
      const res = await raw(`${emu.info.cos.http}${path}`, {
        method: 'OPTIONS',
        headers: { host, origin: 'http://localhost:5173', 'access-control-request-method': method },
      });
      expect(res.status, res.text).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe('*');
    });
  }

  it('the 501 of the request itself carries the CORS headers, so a page can read why', async () => {
    const res = await signed(emu, 'POST', 'photo.jpg', { query: { restore: '' }, headers: { origin: 'http://localhost:5173' } });
    expect(res.status).toBe(501);
    expect(res.headers['access-control-allow-origin']).toBe('*');
  });
});

describe('the region in a virtual-hosted name', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await emulator({ httpsPort: false });
  });
  afterAll(() => emu.close());

  for (const region of ['gz', 'ap-beijing', 'ap-shanghai']) {
    it(`${region}: the bucket is not there (NoSuchBucket), and nothing is stored through it`, async () => {
      const host = `${BUCKET}.cos.${region}.myqcloud.com`;
      const head = await signed(emu, 'HEAD', '', { host });
      expect(head.status).toBe(404);
      const put = await signed(emu, 'PUT', 'elsewhere.txt', { host, body: 'x' });
      expect(put.status).toBe(404);
      expect(xmlField(put.text, 'Code')).toBe('NoSuchBucket');
      expect(reason(put.text)).toContain(`serves its buckets in ${REGION}`);
      expect((await signed(emu, 'HEAD', 'elsewhere.txt')).status).toBe(404);
    });
  }

  it('creating a bucket in another region is refused by name', async () => {
    const res = await signed(emu, 'PUT', '', { host: `made-1250000000.cos.ap-shanghai.myqcloud.com` });
    expect(res.status).toBe(501);
    expect((await signed(emu, 'HEAD', '', { host: `made-1250000000.cos.${REGION}.myqcloud.com` })).status).toBe(404);
  });

  it("the emulator's own region, path style and the bare address still answer", async () => {
    expect((await signed(emu, 'HEAD', '')).status).toBe(200);
    const bare = new URL(emu.info.cos.http).host;
    expect((await signed(emu, 'PUT', 'bare.txt', { host: bare, body: 'x' })).status).toBe(200);
  });
});
