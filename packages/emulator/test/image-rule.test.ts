import { describe, expect, it } from 'vitest';
import { cropRect, thumbnailSize } from '../src/image/geometry.js';
import { processingRuleOf } from '../src/image/request.js';
import { parseRule } from '../src/image/rule.js';

const fails = (rule: string) => {
  try {
    parseRule(rule);
  } catch (e) {
    return { code: (e as { code: string }).code, reason: (e as { reason: string }).reason };
  }
  throw new Error(`"${rule}" parsed`);
};

describe('the rule parser', () => {
  it('reads every thumbnail size form', () => {
    const size = (v: string) => {
      const stage = parseRule(`imageMogr2/thumbnail/${v}`).stages[0]!;
      return stage.kind === 'mogr' && stage.steps[0]!.op === 'thumbnail' ? stage.steps[0]!.size : undefined;
    };
    expect(size('400x')).toEqual({ kind: 'fit', width: 400 });
    expect(size('x300')).toEqual({ kind: 'fit', height: 300 });
    expect(size('400x300')).toEqual({ kind: 'fit', width: 400, height: 300 });
    expect(size('400x300>')).toEqual({ kind: 'fit', width: 400, height: 300, only: 'shrink' });
    expect(size('400x300<')).toEqual({ kind: 'fit', width: 400, height: 300, only: 'enlarge' });
    expect(size('!50p')).toEqual({ kind: 'percent', width: 50, height: 50 });
    expect(size('!50px')).toEqual({ kind: 'percent', width: 50, height: 100 });
    expect(size('!x50p')).toEqual({ kind: 'percent', width: 100, height: 50 });
    expect(size('!400x300r')).toEqual({ kind: 'cover', width: 400, height: 300 });
    expect(size('400x300!')).toEqual({ kind: 'exact', width: 400, height: 300 });
    expect(size('10000@')).toEqual({ kind: 'area', pixels: 10000 });
  });

  it('keeps the order of steps, applies gravity to the crops after it, and reads encoding options', () => {
    const [stage] = parseRule(
      'imageMogr2/auto-orient/thumbnail/400x/gravity/center/crop/100x100/rotate/90/format/webp/quality/80!/strip/interlace/1/',
    ).stages;
    expect(stage).toEqual({
      kind: 'mogr',
      steps: [
        { op: 'auto-orient' },
        { op: 'thumbnail', size: { kind: 'fit', width: 400 } },
        { op: 'crop', crop: { kind: 'size', width: 100, height: 100 }, gravity: 'center' },
        { op: 'rotate', degrees: 90 },
      ],
      format: 'webp',
      quality: 80,
      strip: true,
      interlace: true,
      ignoreError: false,
    });
  });

  it('splits a chain on "|" and only lets JSON answers end it', () => {
    expect(parseRule('imageMogr2/thumbnail/10x|imageMogr2/blur/3x2|imageInfo').stages.map((s) => s.kind)).toEqual([
      'mogr',
      'mogr',
      'imageInfo',
    ]);
    expect(fails('imageAve|imageMogr2/strip').code).toBe('InvalidArgument');
  });

  it.each([
    'imageMogr2',
    'imageMogr2/thumbnail',
    'imageMogr2/thumbnail/0x',
    'imageMogr2/thumbnail/x',
    'imageMogr2/thumbnail/!0p',
    'imageMogr2/crop/axb',
    'imageMogr2/rotate/-1',
    'imageMogr2/blur/51x2',
    'imageMogr2/quality/0',
    'imageMogr2/interlace/2',
    'imageMogr2/gravity/up',
    'imageMogr2/format/exe',
    'imageMogr2/nosuch/1',
    'imageInfo/x',
    'imageMagic/1',
  ])('refuses the malformed "%s" with InvalidArgument', (rule) => {
    expect(fails(rule).code).toBe('InvalidArgument');
  });

  it.each([
    'imageMogr2/rradius/10',
    'imageMogr2/format/heif',
    'imageMogr2/format/tpg',
    'imageView2/2/w/10',
    'watermark/1/image/aGk',
    'imageSlim',
  ])('refuses "%s", which COS documents, with NotImplemented naming it', (rule) => {
    const { code, reason } = fails(rule);
    expect(code).toBe('NotImplemented');
    expect(reason).toContain(rule.split('/')[rule.startsWith('imageMogr2') ? (rule.includes('format') ? 2 : 1) : 0]);
  });
});

describe('the geometry', () => {
  const from = { width: 800, height: 600 };
  it('scales as COS documents', () => {
    expect(thumbnailSize({ kind: 'fit', width: 400 }, from)).toEqual({ width: 400, height: 300 });
    expect(thumbnailSize({ kind: 'fit', width: 400, height: 400 }, from)).toEqual({ width: 400, height: 300 });
    expect(thumbnailSize({ kind: 'fit', width: 1600, only: 'shrink' }, from)).toEqual(from);
    expect(thumbnailSize({ kind: 'fit', width: 400, only: 'enlarge' }, from)).toEqual(from);
    expect(thumbnailSize({ kind: 'cover', width: 400, height: 400 }, from)).toEqual({ width: 533, height: 400 });
    expect(thumbnailSize({ kind: 'area', pixels: 120000 }, from)).toEqual({ width: 400, height: 300 });
  });
  it('places crops by gravity and clips them to the image', () => {
    expect(cropRect({ kind: 'size', width: 100, height: 100 }, 'southeast', from)).toEqual({
      left: 700,
      top: 500,
      width: 100,
      height: 100,
    });
    expect(cropRect({ kind: 'size', width: 2000 }, 'center', from)).toEqual({ left: 0, top: 0, width: 800, height: 600 });
    expect(cropRect({ kind: 'offset', width: 300, height: 300, dx: 700, dy: 500 }, 'northwest', from)).toEqual({
      left: 700,
      top: 500,
      width: 100,
      height: 100,
    });
  });
});

describe('finding the processing parameter', () => {
  it('takes the parameter that opens with an interface name, and refuses ci-process', () => {
    expect(processingRuleOf({ 'imageMogr2/thumbnail/10x': '', 'response-content-type': 'a' })).toBe('imageMogr2/thumbnail/10x');
    expect(processingRuleOf({ imageInfo: '' })).toBe('imageInfo');
    expect(processingRuleOf({ versionId: 'x' })).toBeUndefined();
    expect(() => processingRuleOf({ 'ci-process': 'snapshot' })).toThrow();
    expect(() => processingRuleOf({ imageInfo: '', imageAve: '' })).toThrow();
  });
});
