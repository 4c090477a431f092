import type { FastifyRequest } from 'fastify';
import { CosErrors } from '../errors/index.js';
import { foreignHeaders, unknownHeaders } from '../http/header-support.js';
import type { RequestState } from './request-state.js';

/**
 * Stage 6: headers naming features the emulator does not implement are refused, never ignored (after
 * authorization, so that what COS would refuse is refused as COS does); with --loose, let through
 * with a warning. x-cos-* headers COS does not define are ignored, as COS ignores them, with a note.
 * An S3 header is refused by the name it was sent under.
 */
export function checkHeaders(request: FastifyRequest, st: RequestState, operation: string, loose: boolean): void {
  const unknown = [
    ...st.dialect.refused,
    ...unknownHeaders(st.headers, operation).map((name) => {
      const sent = st.dialect.sentAs[name];
      return { name: sent ?? name, why: sent ? `"${sent}" stands for COS's "${name}", which the emulator does not support` : undefined };
    }),
  ];
  for (const { name, why } of unknown) {
    if (!loose) throw CosErrors.notImplementedHeader(name, why);
    request.log.warn({ requestId: request.id, header: name }, `--loose: ignoring the unimplemented "${name}" header`);
    st.notes.push(`--loose: ignored the unimplemented "${name}" header`);
  }
  for (const name of foreignHeaders(st.headers)) {
    request.log.info({ requestId: request.id, header: name }, `ignoring "${name}": COS defines no such header and ignores it`);
    st.notes.push(`ignored "${name}": COS defines no such header and ignores it`);
  }
}
