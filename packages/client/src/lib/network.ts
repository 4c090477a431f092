import type { ServerErrorCode } from '@cos-direct/protocol';
import { type ClientErrorCode, CosDirectError } from '../errors.js';
import type { Interceptor } from './dispatch.js';
import { CERTIFICATE_CODES, CORS_REFUSED, retryAfterMs } from './retry-policy.js';

/**
 * A failure without an answer, named for what an app does about it: a certificate is fixed by trusting
 * its CA, CORS by the server's configuration, an unreachable sign server by waiting or fixing its address.
 * The transports decide only what the platform tells (`networkCode`); which server failed is known here.
 */
export function classifyNetworkError(error: unknown, side: 'sign-server' | 'cos'): unknown {
  if (!(error instanceof CosDirectError) || error.code !== 'CLIENT_ERR_NETWORK') return error;
  const network = error.networkCode ?? '';
  const code: ClientErrorCode = CERTIFICATE_CODES.includes(network)
    ? 'CLIENT_ERR_CERTIFICATE'
    : network === CORS_REFUSED
      ? side === 'cos'
        ? 'CLIENT_ERR_COS_CORS'
        : 'CLIENT_ERR_SIGN_SERVER_CORS'
      : side === 'cos'
        ? 'CLIENT_ERR_NETWORK'
        : 'CLIENT_ERR_SIGN_SERVER_UNREACHABLE';
  if (code === error.code) return error;
  return new CosDirectError(code, error.message, { networkCode: network, cause: error.cause ?? error });
}

/** The COS requests' step above retry: their network failures, named. */
export function network(side: 'sign-server' | 'cos'): Interceptor {
  return (next) => async (req) => {
    try {
      return await next(req);
    } catch (e) {
      throw classifyNetworkError(e, side);
    }
  };
}

const BY_SERVER_CODE: Partial<Record<ServerErrorCode, ClientErrorCode>> = {
  // The client sends a well-formed size, so an invalid one is over the server's limit.
  SRV_ERR_INVALID_SIZE: 'CLIENT_ERR_TOO_LARGE',
  SRV_ERR_UPLOAD_TOO_LARGE: 'CLIENT_ERR_TOO_LARGE',
  SRV_ERR_INVALID_EXTENSION: 'CLIENT_ERR_TYPE_NOT_ALLOWED',
  SRV_ERR_INVALID_CONTENT_TYPE: 'CLIENT_ERR_TYPE_NOT_ALLOWED',
  SRV_ERR_UNAUTHENTICATED: 'CLIENT_ERR_UNAUTHENTICATED',
  SRV_ERR_FORBIDDEN: 'CLIENT_ERR_FORBIDDEN',
  SRV_ERR_RATE_LIMITED: 'CLIENT_ERR_RATE_LIMITED',
};

// Another sign server's refusals are told apart by their status alone.
const BY_STATUS: Record<number, ClientErrorCode> = {
  401: 'CLIENT_ERR_UNAUTHENTICATED',
  403: 'CLIENT_ERR_FORBIDDEN',
  429: 'CLIENT_ERR_RATE_LIMITED',
};

/** The code of a sign server's refusal: by its SRV_ERR_* code when it sent one of ours, else by the status. */
export function signServerRefusalCode(status: number, serverCode: ServerErrorCode | undefined): ClientErrorCode {
  return (serverCode && BY_SERVER_CODE[serverCode]) ?? BY_STATUS[status] ?? 'CLIENT_ERR_SIGN_SERVER';
}

export { retryAfterMs };
