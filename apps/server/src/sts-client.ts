import STS from 'qcloud-cos-sts';
import type { CamPolicy } from '@cos-direct/signer';
import { ServerError } from './errors.js';

export interface TemporaryKey {
  tmpSecretId: string;
  tmpSecretKey: string;
  sessionToken: string;
  startTime: number;
  expiredTime: number;
}

export interface StsClientOptions {
  secretId: string;
  secretKey: string;
  endpoint: string;
  region: string;
  timeoutMs: number;
}

/**
 * GetFederationToken through the official qcloud-cos-sts SDK, bounded in time. Upstream messages are
 * logged by the caller, never sent to clients: they can name the account or echo parameters.
 */
export class StsClient {
  constructor(private readonly options: StsClientOptions) {}

  async getFederationToken(policy: CamPolicy, durationSeconds: number): Promise<TemporaryKey> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ServerError('SRV_ERR_STS_TIMEOUT')), this.options.timeoutMs);
    });
    try {
      const result = await Promise.race([
        STS.getCredential({
          secretId: this.options.secretId,
          secretKey: this.options.secretKey,
          host: this.options.endpoint,
          region: this.options.region,
          durationSeconds,
          policy,
        }),
        timeout,
      ]);
      const c = result?.credentials;
      if (!c?.tmpSecretId || !c.tmpSecretKey || !c.sessionToken || !Number.isInteger(result.expiredTime)) {
        throw new StsUpstreamError('the STS answer has no credentials');
      }
      return { ...c, startTime: result.startTime, expiredTime: result.expiredTime };
    } catch (e) {
      if (e instanceof ServerError) throw e;
      throw new StsUpstreamError(describeUpstream(e));
    } finally {
      clearTimeout(timer);
    }
  }
}

/** An STS failure; `detail` is for the log only. */
export class StsUpstreamError extends ServerError {
  constructor(readonly detail: string) {
    super('SRV_ERR_STS_FAILED');
  }
}

function describeUpstream(e: unknown): string {
  if (e && typeof e === 'object') {
    const o = e as { Code?: string; Message?: string; code?: string; message?: string };
    if (o.Code) return `${o.Code}: ${o.Message ?? ''}`;
    if (o.code || o.message) return `${o.code ?? 'error'}: ${o.message ?? ''}`;
  }
  return String(e);
}
