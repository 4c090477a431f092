import type { ResolvedServerOptions } from './config/index.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * What the command says at start when anyone who can reach the listen address may take tickets: no
 * authentication, and an address other machines can reach (HOST defaults to 0.0.0.0).
 */
export function exposureWarning(options: ResolvedServerOptions, host: string, port: number): string | undefined {
  if (options.authenticate || options.jwt || options.bearerTokens?.length) return undefined;
  const where = LOOPBACK.has(host) ? `on this machine (${host}:${port})` : `from any machine that can reach ${host}:${port}`;
  return (
    `no authentication: anyone ${where} can take upload tickets for ${options.bucket}. ` +
    'Set AUTH_TOKENS, JWT_SECRET or JWKS_URL before exposing it' +
    (LOOPBACK.has(host) ? '' : ', or HOST=127.0.0.1 to keep it on this machine')
  );
}
