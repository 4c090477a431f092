import { CosErrors } from '../errors/index.js';

/** The names that open a Cloud Infinite processing parameter on a download (`?imageMogr2/…`, `?imageInfo`). */
const INTERFACES = new Set([
  'imageMogr2',
  'imageInfo',
  'imageAve',
  'exif',
  'imageView2',
  'watermark',
  'imageSlim',
  'imageMogr',
  'tpg',
  'picmask',
]);

/**
 * The processing rule a GET or HEAD of an object carries, or undefined for a plain download. COS
 * reads the rule from a query parameter with no value (`?imageMogr2/thumbnail/400x`), which the
 * SDKs sign as such; `ci-process` asks for Cloud Infinite's other services (video, documents,
 * moderation), which the emulator has none of, so it is refused rather than served as a download.
 */
export function processingRuleOf(query: Record<string, string>): string | undefined {
  const ciProcess = query['ci-process'];
  if (ciProcess !== undefined) throw CosErrors.notImplemented(`Cloud Infinite's "ci-process=${ciProcess}"`);
  const rules = Object.keys(query).filter((name) => INTERFACES.has(/^[^/|]*/.exec(name)![0]));
  if (rules.length > 1) throw CosErrors.notImplemented(`more than one processing parameter in one request (${rules.join(', ')})`);
  return rules[0];
}
