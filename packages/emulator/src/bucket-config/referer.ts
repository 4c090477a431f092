import { CosErrors } from '../errors/index.js';
import { list, type Tree } from './shape.js';

/** How a request proved who sent it: COS checks the Referer of unsigned requests (and of presigned URLs if asked to). */
export type Signature = 'none' | 'header' | 'query';

const withoutScheme = (s: string) => s.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');

/** A listed domain covers every Referer that starts with it (`www.a.com` covers `www.a.com.cn/x`); `*` stands for any run of characters. */
function covers(domain: string, referer: string): boolean {
  const pattern = withoutScheme(domain)
    .split('*')
    .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${pattern}`, 'i').test(withoutScheme(referer));
}

/** Refuses a request that the bucket's referer configuration (hotlink protection) keeps out, as COS does. */
export function checkReferer(config: Tree | undefined, referer: string | undefined, signature: Signature): void {
  if (config?.Status !== 'Enabled') return;
  if (signature === 'header' || (signature === 'query' && config.VerifySignatureURL !== 'Enabled')) return;
  const type = String(config.RefererType);
  if (referer === undefined || referer.trim() === '') {
    if (config.EmptyReferConfiguration === 'Allow') return;
    throw CosErrors.accessDenied(
      `the bucket's referer configuration (${type}) denies requests without a Referer (EmptyReferConfiguration ${String(config.EmptyReferConfiguration ?? 'Deny')})`,
    );
  }
  const domains = list((config.DomainList as Tree | undefined)?.Domain).map(String);
  const hit = domains.find((d) => covers(d, referer));
  if (type === 'White-List' && !hit)
    throw CosErrors.accessDenied(`Referer "${referer}" is not on the bucket's referer White-List (${domains.join(', ')})`);
  if (type === 'Black-List' && hit)
    throw CosErrors.accessDenied(`Referer "${referer}" is on the bucket's referer Black-List (it matches ${hit})`);
}
