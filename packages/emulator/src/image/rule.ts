import { CosErrors } from '../errors/index.js';
import type { Crop, Gravity, ImagePlan, MogrStage, OutputFormat, Stage, Thumbnail } from './plan.js';

/**
 * Parses a Cloud Infinite rule (`imageMogr2/thumbnail/400x|imageInfo`) into a plan. Pure: it knows
 * nothing of the image, so every size rule is checked against the image later, by the executor.
 * A rule COS would reject is InvalidArgument; one COS documents but the emulator does not do is
 * NotImplemented naming it, so neither is ever answered with the original bytes.
 */
export function parseRule(rule: string): ImagePlan {
  const stages = rule.split('|').map((segment) => parseStage(segment, rule));
  stages.forEach((stage, i) => {
    if (stage.kind !== 'mogr' && i < stages.length - 1) {
      throw CosErrors.invalidArgument(`"${stage.kind}" answers JSON, so it can only end a chain; the rule "${rule}" continues after it`);
    }
  });
  return { rule, stages };
}

/** Cloud Infinite's other processing interfaces, documented by COS but not emulated. */
const OTHER_INTERFACES = new Set(['imageView2', 'watermark', 'imageSlim', 'imageMogr', 'tpg', 'picmask', 'imageCompress']);

function parseStage(segment: string, rule: string): Stage {
  const slash = segment.indexOf('/');
  const name = slash < 0 ? segment : segment.slice(0, slash);
  const rest = slash < 0 ? '' : segment.slice(slash + 1);
  if (name === 'imageInfo' || name === 'imageAve' || name === 'exif') {
    if (rest.replace(/\/+$/, '') !== '')
      throw CosErrors.invalidArgument(`"${name}" takes no parameters, but the rule "${rule}" gives it "${rest}"`);
    return { kind: name };
  }
  if (name === 'imageMogr2') return parseMogr(rest, rule);
  if (OTHER_INTERFACES.has(name)) throw CosErrors.notImplemented(`Cloud Infinite's "${name}" processing (in the rule "${rule}")`);
  throw CosErrors.invalidArgument(`"${name}" in the rule "${rule}" is not a Cloud Infinite image processing interface`);
}

// Operations COS documents for imageMogr2 that the emulator does not perform.
const MOGR_NOT_EMULATED = new Set([
  'pad',
  'color',
  'rradius',
  'scrop',
  'rcrop',
  'cgif',
  'rquality',
  'lquality',
  'sharpen',
  'bright',
  'contrast',
  'grayscale',
  'size-limit',
  'minsize',
  'dstrip',
]);

// Operations that take no value.
const FLAGS = new Set(['strip', 'auto-orient']);

const GRAVITIES = new Map<string, Gravity>(
  ['northwest', 'north', 'northeast', 'west', 'center', 'east', 'southwest', 'south', 'southeast'].map((g) => [g, g as Gravity]),
);

function parseMogr(params: string, rule: string): MogrStage {
  const stage: MogrStage = { kind: 'mogr', steps: [], strip: false, interlace: false, ignoreError: false };
  // A trailing slash is how the SDKs' own samples write rules (`imageMogr2/thumbnail/200x/`).
  const tokens = params.split('/');
  while (tokens.length > 0 && tokens[tokens.length - 1] === '') tokens.pop();
  if (tokens.length === 0) throw CosErrors.invalidArgument(`"imageMogr2" needs at least one operation; the rule "${rule}" has none`);
  let gravity: Gravity = 'northwest';
  for (let i = 0; i < tokens.length; i++) {
    const op = tokens[i]!;
    if (FLAGS.has(op)) {
      if (op === 'strip') stage.strip = true;
      else stage.steps.push({ op: 'auto-orient' });
      continue;
    }
    if (MOGR_NOT_EMULATED.has(op)) throw CosErrors.notImplemented(`the imageMogr2 operation "${op}" (in the rule "${rule}")`);
    const value = tokens[++i];
    if (value === undefined || value === '') {
      if (KNOWN.has(op)) throw CosErrors.invalidArgument(`the imageMogr2 operation "${op}" needs a value; the rule "${rule}" gives none`);
      throw CosErrors.invalidArgument(`"${op}" in the rule "${rule}" is not an imageMogr2 operation`);
    }
    const bad = (what: string) => CosErrors.invalidArgument(`imageMogr2 "${op}/${value}" in the rule "${rule}": ${what}`);
    switch (op) {
      case 'thumbnail':
        stage.steps.push({ op: 'thumbnail', size: thumbnailOf(value, bad) });
        break;
      case 'gravity': {
        const g = GRAVITIES.get(value.toLowerCase());
        if (!g) throw bad(`the gravity must be one of ${[...GRAVITIES.keys()].join(', ')}`);
        gravity = g;
        break;
      }
      case 'crop':
        stage.steps.push({ op: 'crop', crop: cropOf(value, bad), gravity });
        break;
      case 'cut': {
        const m = /^(\d+)x(\d+)x(\d+)x(\d+)$/.exec(value);
        if (!m) throw bad('the cut is <width>x<height>x<dx>x<dy>');
        const [width, height, dx, dy] = m.slice(1).map(Number) as [number, number, number, number];
        if (width < 1 || height < 1) throw bad('the width and height must be at least 1');
        stage.steps.push({ op: 'cut', width, height, dx, dy });
        break;
      }
      case 'iradius':
        stage.steps.push({ op: 'iradius', radius: integer(value, 1, 4999, bad) });
        break;
      case 'rotate':
        stage.steps.push({ op: 'rotate', degrees: integer(value, 0, 360, bad) });
        break;
      case 'blur': {
        const m = /^(\d+)x(\d+)$/.exec(value);
        if (!m) throw bad('the blur is <radius>x<sigma>');
        const radius = Number(m[1]);
        const sigma = Number(m[2]);
        if (radius < 1 || radius > 50) throw bad('the radius must be 1 to 50');
        if (sigma < 1 || sigma > 50) throw bad('the sigma must be greater than 0 and at most 50');
        stage.steps.push({ op: 'blur', radius, sigma });
        break;
      }
      case 'format':
        stage.format = formatOf(value, rule, bad);
        break;
      case 'quality': {
        const m = /^(\d+)!?$/.exec(value);
        if (!m) throw bad('the quality is a number from 1 to 100, optionally followed by "!"');
        stage.quality = integer(m[1]!, 1, 100, bad);
        break;
      }
      case 'interlace':
        if (value !== '0' && value !== '1') throw bad('interlace is 0 or 1');
        stage.interlace = value === '1';
        break;
      case 'ignore-error':
        if (value !== '0' && value !== '1') throw bad('ignore-error is 0 or 1');
        stage.ignoreError = value === '1';
        break;
      default:
        throw CosErrors.invalidArgument(`"${op}" in the rule "${rule}" is not an imageMogr2 operation`);
    }
  }
  return stage;
}

const KNOWN = new Set([
  'thumbnail',
  'gravity',
  'crop',
  'cut',
  'iradius',
  'rotate',
  'blur',
  'format',
  'quality',
  'interlace',
  'ignore-error',
]);

type Bad = (what: string) => Error;

function integer(value: string, min: number, max: number, bad: Bad): number {
  if (!/^\d+$/.test(value)) throw bad(`"${value}" is not a whole number`);
  const n = Number(value);
  if (n < min || n > max) throw bad(`the value must be ${min} to ${max}`);
  return n;
}

const positive = (value: string, bad: Bad): number => integer(value, 1, Number.MAX_SAFE_INTEGER, bad);

/** The thumbnail sizes of doc 436/44880; sizes beyond the output limit are refused once the result is known. */
export function thumbnailOf(value: string, bad: Bad): Thumbnail {
  let m = /^!(\d+)p$/.exec(value);
  if (m) {
    const p = integer(m[1]!, 1, 1000, bad);
    return { kind: 'percent', width: p, height: p };
  }
  m = /^!(\d+)px$/.exec(value);
  if (m) return { kind: 'percent', width: integer(m[1]!, 1, 1000, bad), height: 100 };
  m = /^!x(\d+)p$/.exec(value);
  if (m) return { kind: 'percent', width: 100, height: integer(m[1]!, 1, 1000, bad) };
  m = /^(\d+)@$/.exec(value);
  if (m) return { kind: 'area', pixels: positive(m[1]!, bad) };
  m = /^!(\d+)x(\d+)r$/.exec(value);
  if (m) return { kind: 'cover', width: positive(m[1]!, bad), height: positive(m[2]!, bad) };
  m = /^(\d+)x(\d+)!$/.exec(value);
  if (m) return { kind: 'exact', width: positive(m[1]!, bad), height: positive(m[2]!, bad) };
  m = /^(\d*)x(\d*)([<>])?$/.exec(value);
  if (m && (m[1] !== '' || m[2] !== '')) {
    const size: Thumbnail = { kind: 'fit' };
    if (m[1] !== '') size.width = positive(m[1]!, bad);
    if (m[2] !== '') size.height = positive(m[2]!, bad);
    if (m[3]) size.only = m[3] === '>' ? 'shrink' : 'enlarge';
    return size;
  }
  throw bad('not a thumbnail size COS knows (<W>x, x<H>, <W>x<H>, <W>x<H>> or <, !<P>p, !<P>px, !x<P>p, !<W>x<H>r, <W>x<H>!, <Area>@)');
}

function cropOf(value: string, bad: Bad): Crop {
  let m = /^(\d*)x(\d*)$/.exec(value);
  if (m && (m[1] !== '' || m[2] !== '')) {
    const crop: Crop = { kind: 'size' };
    if (m[1] !== '') crop.width = positive(m[1]!, bad);
    if (m[2] !== '') crop.height = positive(m[2]!, bad);
    return crop;
  }
  m = /^!(\d+)x(\d+)a(\d+)a(\d+)$/.exec(value);
  if (m) {
    const [width, height, dx, dy] = m.slice(1).map(Number) as [number, number, number, number];
    if (width < 1 || height < 1) throw bad('the width and height must be at least 1');
    return { kind: 'offset', width, height, dx, dy };
  }
  throw bad('not a crop COS knows (<W>x, x<H>, <W>x<H>, !<W>x<H>a<dx>a<dy>)');
}

const FORMATS: Record<string, OutputFormat> = {
  jpg: 'jpeg',
  jpeg: 'jpeg',
  png: 'png',
  webp: 'webp',
  gif: 'gif',
  bmp: 'bmp',
  avif: 'avif',
};
// Formats COS writes that the emulator's codecs cannot.
const FORMATS_NOT_EMULATED = new Set(['heif', 'heic', 'tpg', 'svgc', 'yjpeg', 'jxl']);

function formatOf(value: string, rule: string, bad: Bad): OutputFormat {
  const lower = value.toLowerCase();
  const format = FORMATS[lower];
  if (format) return format;
  if (FORMATS_NOT_EMULATED.has(lower)) throw CosErrors.notImplemented(`the output format "${value}" (in the rule "${rule}")`);
  throw bad(`the format must be one of jpg, png, webp, gif, bmp, avif, heif, tpg`);
}
