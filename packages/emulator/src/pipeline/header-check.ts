import type { FastifyRequest } from 'fastify';
import { CosErrors } from '../errors/index.js';
import { foreignHeaders, unknownHeaders } from '../http/header-support.js';

/**
 * Stage 6: headers naming features the emulator does not implement are refused, never ignored (after
 * authorization, so that what COS would refuse is refused as COS does); with --loose, let through
 * with a warning. x-cos-* headers COS does not define are ignored, as COS ignores them, with a note.
 */
export function checkHeaders(request: FastifyRequest, headers: FastifyRequest['headers'], operation: string, loose: boolean): void {
  for (const name of unknownHeaders(headers, operation)) {
    if (!loose) throw CosErrors.notImplementedHeader(name);
    request.log.warn({ requestId: request.id, header: name }, `--loose: ignoring the unimplemented "${name}" header`);
  }
  for (const name of foreignHeaders(headers)) {
    request.log.info({ requestId: request.id, header: name }, `ignoring "${name}": COS defines no such header and ignores it`);
  }
}
