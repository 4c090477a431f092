/** A CAM resource string normalised to what a request is compared against. */
export interface ResourcePattern {
  any: boolean;
  region: string;
  appId: string;
  /** Long bucket name, or '*' */
  bucket: string;
  /** Key pattern ('' = the bucket itself), '*' wildcards. */
  key: string;
}

export interface RequestResource {
  region: string;
  appId: string;
  bucket: string;
  key: string;
}

/**
 * Parses both COS resource forms:
 *   qcs::cos:<region>:uid/<appid>:<bucket>-<appid>/<key>
 *   qcs::cos:<region>:uid/<appid>:prefix//<appid>/<short bucket>/<key>
 */
export function parseResource(resource: string): ResourcePattern | { error: string } {
  if (resource === '*') return { any: true, region: '*', appId: '*', bucket: '*', key: '*' };
  const m = /^qcs:([^:]*):cos:([^:]*):(?:uid\/)?([^:]*):(.*)$/.exec(resource);
  if (!m) return { error: `"${resource}" is not a qcs::cos resource` };
  const region = m[2] || '*';
  const appId = m[3] || '*';
  const rest = m[4]!;
  if (rest === '*') return { any: false, region, appId, bucket: '*', key: '*' };
  const prefixForm = /^prefix\/\/(\d+)\/([^/]+)(?:\/(.*))?$/.exec(rest);
  if (prefixForm) {
    return { any: false, region, appId, bucket: `${prefixForm[2]}-${prefixForm[1]}`, key: prefixForm[3] ?? '' };
  }
  const slash = rest.indexOf('/');
  if (slash < 0) return { any: false, region, appId, bucket: rest, key: rest.endsWith('*') ? '*' : '' };
  return { any: false, region, appId, bucket: rest.slice(0, slash), key: rest.slice(slash + 1) };
}

const wildcardCache = new Map<string, RegExp>();
export function wildcardMatch(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  if (!pattern.includes('*')) return pattern === value;
  let re = wildcardCache.get(pattern);
  if (!re) {
    re = new RegExp(
      '^' +
        pattern
          .split('*')
          .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
          .join('.*') +
        '$',
      's',
    );
    wildcardCache.set(pattern, re);
  }
  return re.test(value);
}

export function resourceMatches(pattern: ResourcePattern, request: RequestResource): boolean {
  if (pattern.any) return true;
  return (
    wildcardMatch(pattern.region, request.region) &&
    wildcardMatch(pattern.appId, request.appId) &&
    wildcardMatch(pattern.bucket, request.bucket) &&
    wildcardMatch(pattern.key, request.key)
  );
}

export function describeResource(r: RequestResource): string {
  return `qcs::cos:${r.region}:uid/${r.appId}:${r.bucket}/${r.key}`;
}
