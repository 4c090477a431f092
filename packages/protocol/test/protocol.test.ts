import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  type DirectTicket,
  type DirectTicketInput,
  MULTIPART_COMPLETIONS,
  type MultipartTicket,
  type MultipartTicketInput,
  OCTET_STREAM,
  SIGN_SERVER_PATHS,
  type SeedDirectTicket,
} from '../src/index.js';

describe('@cos-direct/protocol', () => {
  it('names the sign server routes the seed and the server use', () => {
    expect(SIGN_SERVER_PATHS).toEqual({
      directSign: '/sts-direct-sign',
      multipart: '/sts-multipart',
      postPolicy: '/post-policy',
      confirm: '/confirm',
      completeMultipart: '/complete-multipart',
      multipartRefresh: '/sts-multipart-refresh',
      limits: '/limits',
      health: '/healthz',
      live: '/livez',
      ready: '/readyz',
      metrics: '/metrics',
    });
    expect(OCTET_STREAM).toBe('application/octet-stream');
    expect(MULTIPART_COMPLETIONS).toEqual(['server', 'client']);
  });

  it('lets an uploader take a seed ticket, and every server ticket', () => {
    expectTypeOf<SeedDirectTicket>().toExtend<DirectTicketInput>();
    expectTypeOf<DirectTicket>().toExtend<DirectTicketInput>();
    expectTypeOf<MultipartTicket>().toExtend<MultipartTicketInput>();
    expectTypeOf<DirectTicket['cosUrl']>().toEqualTypeOf<string>();
    expectTypeOf<DirectTicketInput['cosUrl']>().toEqualTypeOf<string | undefined>();
  });
});
