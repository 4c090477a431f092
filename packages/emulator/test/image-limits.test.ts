import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../src/index.js';
import { emulator, signed, xmlField } from './helpers.js';

/** A PNG that only declares its size: the limits must refuse it from the header, before any decoding. */
function pngHeader(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(1))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe("image processing within COS's limits", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await emulator({ httpPort: 0, httpsPort: false });
  });
  afterAll(() => emu.close());

  const refusal = async (key: string, body: Buffer, rule = 'imageInfo') => {
    expect((await signed(emu, 'PUT', key, { body })).status).toBe(200);
    const res = await signed(emu, 'GET', key, { query: { [rule]: '' } });
    return { status: res.status, code: xmlField(res.text, 'Code'), reason: xmlField(res.text, 'Reason') ?? '' };
  };

  it('refuses an input over 30,000 px on a side', async () => {
    const r = await refusal('limits/wide.png', pngHeader(30_001, 10));
    expect(r).toMatchObject({ status: 400, code: 'InvalidArgument' });
    expect(r.reason).toContain('30000 px on a side');
  });

  it('refuses an input over 250 megapixels', async () => {
    const r = await refusal('limits/huge.png', pngHeader(20_000, 13_000));
    expect(r).toMatchObject({ status: 400, code: 'InvalidArgument' });
    expect(r.reason).toContain('250 million');
  });

  it('answers imageInfo for a GIF', async () => {
    const frame = { width: 100, height: 100, channels: 4 as const, background: '#f00' };
    const gif = await sharp({ create: frame }).gif().toBuffer();
    const r = await refusal('limits/anim.gif', gif, 'imageInfo');
    expect(r.status).toBe(200);
  });

  it('refuses an input over 32 MB before reading it', async () => {
    const r = await refusal('limits/big.bin', Buffer.alloc(32 * 1024 * 1024 + 1));
    expect(r).toMatchObject({ status: 400, code: 'InvalidArgument' });
    expect(r.reason).toContain('32 MB');
  });

  it('refuses an output over 9,999 px on a side', async () => {
    const png = await sharp({ create: { width: 100, height: 100, channels: 3, background: '#fff' } })
      .png()
      .toBuffer();
    const r = await refusal('limits/out.png', png, 'imageMogr2/thumbnail/10000x');
    expect(r).toMatchObject({ status: 400, code: 'InvalidArgument' });
    expect(r.reason).toContain('9999 px');
  });

  it('serves many at once, a few at a time', async () => {
    const jpg = await sharp({ create: { width: 1200, height: 900, channels: 3, background: '#369' } })
      .jpeg()
      .toBuffer();
    await signed(emu, 'PUT', 'limits/many.jpg', { body: jpg });
    const all = await Promise.all(
      Array.from({ length: 12 }, (_, i) => signed(emu, 'GET', 'limits/many.jpg', { query: { [`imageMogr2/thumbnail/${100 + i}x`]: '' } })),
    );
    expect(all.map((r) => r.status)).toEqual(Array(12).fill(200));
  });
});
