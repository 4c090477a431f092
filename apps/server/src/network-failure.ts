/** How a request to an upstream service (STS, COS) failed before any answer: what a person can act on. */
export type NetworkFailureKind = 'dns' | 'connect' | 'tls';

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_(VERIFY|GET)|ERR_TLS|ERR_SSL|EPROTO/;

/** The kind of a socket-level error, by its Node error code; undefined for anything else. */
export function networkFailureOf(error: unknown): { kind: NetworkFailureKind; code: string } | undefined {
  const code = (error as { code?: unknown })?.code;
  if (typeof code !== 'string') return undefined;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_FAIL' || code === 'EAI_NONAME') return { kind: 'dns', code };
  if (TLS_CODES.test(code)) return { kind: 'tls', code };
  if (/^(ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|EPIPE|ECONNABORTED)$/.test(code)) return { kind: 'connect', code };
  return undefined;
}

/** One sentence for a failure to reach `host`, naming the setting to check. */
export function describeNetworkFailure(host: string, failure: { kind: NetworkFailureKind; code: string }, setting: string): string {
  switch (failure.kind) {
    case 'dns':
      return `${host} could not be resolved (DNS, ${failure.code}): check the network, or ${setting}`;
    case 'connect':
      return `the connection to ${host} failed (${failure.code}): check the network, a proxy or firewall, or ${setting}`;
    case 'tls':
      return `${host}'s TLS certificate is not trusted (${failure.code}): for a private CA set NODE_EXTRA_CA_CERTS, or check ${setting}`;
  }
}
