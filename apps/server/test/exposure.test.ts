import { describe, expect, it } from 'vitest';
import { exposureWarning } from '../src/exposure.js';
import { resolveOptions } from '../src/index.js';

const base = { secretId: 'AKIDx', secretKey: 'k', bucket: 'dev-1250000000', region: 'ap-guangzhou' };

describe('the warning at start about who can take tickets (issue 24)', () => {
  it('says an unauthenticated server on 0.0.0.0 is open to any machine, and how to close it', () => {
    const warning = exposureWarning(resolveOptions(base), '0.0.0.0', 3000);
    expect(warning).toContain('anyone from any machine that can reach 0.0.0.0:3000');
    expect(warning).toContain('AUTH_TOKENS');
    expect(warning).toContain('HOST=127.0.0.1');
  });

  it('names loopback as this machine only, and says nothing once authentication is on', () => {
    expect(exposureWarning(resolveOptions(base), '127.0.0.1', 3000)).toContain('on this machine');
    expect(exposureWarning(resolveOptions({ ...base, bearerTokens: ['a-long-enough-bearer-token'] }), '0.0.0.0', 3000)).toBeUndefined();
  });
});
