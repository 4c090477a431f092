import { CosErrors } from '../errors/index.js';
import { checkObjectKey } from '../http/object-key.js';
import type { ImagePlan } from './plan.js';
import { parseRule } from './rule.js';

/** COS processes at most five rules per request (doc 1045/33695, 436/40592: "up to 5 rules"). */
export const MAX_RULES = 5;

/** One rule of a Pic-Operations header: where its copy goes, and what makes it. */
export interface CopyRule {
  /** The copy's object key, resolved against the original's folder. */
  key: string;
  fileid: string;
  plan: ImagePlan;
}

export interface PicOperations {
  /** `is_pic_info: 1`: the answer describes the original too. */
  picInfo: boolean;
  rules: CopyRule[];
}

const bad = (what: string) => CosErrors.invalidArgument(`Pic-Operations: ${what}`);

/**
 * Where COS stores a rule's copy: a fileid with a leading "/" is a key from the bucket's root, any
 * other is relative to the folder the original is in (doc 1045/33695, the fileid row). A trailing "/"
 * would name an object with no file name, which the same row warns against; it is refused here.
 */
export function copyKeyOf(originalKey: string, fileid: string): string {
  if (fileid === '' || fileid === '/') throw bad('a rule has an empty "fileid"');
  if (fileid.endsWith('/')) throw bad(`the fileid "${fileid}" ends with "/", which names no file`);
  const key = fileid.startsWith('/') ? fileid.slice(1) : originalKey.slice(0, originalKey.lastIndexOf('/') + 1) + fileid;
  checkObjectKey(key);
  return key;
}

/**
 * The Pic-Operations header, parsed and checked before any byte is stored: JSON with `is_pic_info`
 * and up to five `rules` of `fileid` and `rule`, each rule one that makes an image. `bucket` in a
 * rule may name the request's own bucket only.
 */
export function parsePicOperations(value: string, originalKey: string, bucket: string): PicOperations {
  let doc: unknown;
  try {
    doc = JSON.parse(value);
  } catch {
    throw bad('the header is not JSON');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw bad('the header is not a JSON object');
  const { is_pic_info: picInfo, rules = [] } = doc as { is_pic_info?: unknown; rules?: unknown };
  if (picInfo !== undefined && picInfo !== 0 && picInfo !== 1 && picInfo !== '0' && picInfo !== '1') {
    throw bad(`"is_pic_info" is ${JSON.stringify(picInfo)}; it is 0 or 1`);
  }
  if (!Array.isArray(rules)) throw bad('"rules" is not an array');
  if (rules.length > MAX_RULES) throw bad(`${rules.length} rules; COS processes at most ${MAX_RULES} in one request`);
  return {
    picInfo: String(picInfo) === '1',
    rules: rules.map((entry: unknown, i): CopyRule => {
      if (typeof entry !== 'object' || entry === null) throw bad(`rule ${i + 1} is not an object`);
      const { fileid, rule, bucket: target } = entry as Record<string, unknown>;
      if (typeof fileid !== 'string') throw bad(`rule ${i + 1} has no "fileid"`);
      if (typeof rule !== 'string' || rule === '') throw bad(`rule ${i + 1} has no "rule"`);
      if (target !== undefined && target !== '' && target !== bucket) {
        throw CosErrors.notImplemented(`Pic-Operations storing a copy in another bucket ("${String(target)}")`);
      }
      if (rule.startsWith('style/')) throw CosErrors.notImplemented(`Cloud Infinite image styles (the rule "${rule}")`);
      const plan = parseRule(rule);
      if (plan.stages.some((stage) => stage.kind !== 'mogr')) {
        throw bad(`the rule "${rule}" answers JSON, not an image, so it makes no copy to store`);
      }
      return { key: copyKeyOf(originalKey, fileid), fileid, plan };
    }),
  };
}
