import type { CorsRule } from '../persistence/index.js';

/** The CORS rule a bucket gets with devCors (--dev-cors): any origin, the methods and headers a browser upload needs. */
export const DEV_CORS_RULE: CorsRule = Object.freeze({
  id: 'cos-direct-dev',
  allowedOrigins: ['*'],
  allowedMethods: ['GET', 'PUT', 'POST', 'DELETE', 'HEAD'],
  allowedHeaders: ['*'],
  exposeHeaders: ['ETag', 'Content-Length', 'x-cos-request-id', 'x-cos-hash-crc64ecma', 'x-cos-version-id', 'Location'],
  maxAgeSeconds: 600,
}) as CorsRule;
