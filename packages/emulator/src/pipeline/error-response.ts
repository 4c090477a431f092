import type { CosError } from '../errors/index.js';
import { escapeXml } from '../xml/xml.js';

/** COS's error document: Code, Message, Resource, RequestId, TraceId, plus any details and the emulator's Reason. */
export function errorXml(error: CosError, resource: string, requestId: string, traceId: string): string {
  let body = `<?xml version='1.0' encoding='utf-8' ?>\n<Error>\n\t<Code>${escapeXml(error.code)}</Code>\n\t<Message>${escapeXml(error.message)}</Message>\n`;
  for (const [name, value] of Object.entries(error.details)) body += `\t<${name}>${escapeXml(value)}</${name}>\n`;
  if (error.code === 'AccessDenied' || error.code === 'RequestTimeTooSkewed') {
    body += `\t<ServerTime>${new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')}</ServerTime>\n`;
  }
  if (error.reason) body += `\t<Reason>${escapeXml(error.reason)}</Reason>\n`;
  body += `\t<Resource>${escapeXml(resource)}</Resource>\n\t<RequestId>${escapeXml(requestId)}</RequestId>\n\t<TraceId>${escapeXml(traceId)}</TraceId>\n</Error>`;
  return body;
}
