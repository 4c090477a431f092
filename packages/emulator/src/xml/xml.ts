import { XMLParser } from 'fast-xml-parser';

export function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/**
 * Text of a response document: XML-escaped, and control characters (a key may hold them) as numeric
 * character references, so that no raw control character reaches a client's parser and a carriage
 * return survives XML's end-of-line normalisation.
 */
export function escapeXmlText(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is escaped here
  return escapeXml(value).replace(/[\x00-\x08\x0b-\x1f\x7f]/g, (c) => `&#x${c.charCodeAt(0).toString(16).toUpperCase()};`);
}

export type XmlValue = string | number | boolean | undefined | null | XmlNode | XmlValue[];
export interface XmlNode {
  [name: string]: XmlValue;
}

/** One element as `toXml` lays it out, for documents whose children of different names interleave. */
export function write(name: string, value: XmlValue, indent: string): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.map((v) => write(name, v, indent)).join('');
  if (value === null || value === '') return `${indent}<${name}/>\n`;
  if (typeof value === 'object') {
    let inner = '';
    for (const [k, v] of Object.entries(value)) inner += write(k, v, `${indent}\t`);
    return `${indent}<${name}>\n${inner}${indent}</${name}>\n`;
  }
  return `${indent}<${name}>${escapeXmlText(String(value))}</${name}>\n`;
}

/** Serialises a response document the way COS lays them out: declaration, tab indentation ('' is an empty root). */
export function toXml(root: string, body: XmlNode | ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${write(root, body, '')}`;
}

const parser = new XMLParser({
  ignoreDeclaration: true,
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => name === 'Part' || name === 'Object' || name === 'CORSRule' || name.startsWith('Allowed') || name === 'ExposeHeader',
});

/** Parses a request body; throws on text that is not XML. */
export function parseXml(text: string): Record<string, unknown> {
  const trimmed = text.trim();
  if (!trimmed.startsWith('<')) throw new Error('the body is not XML');
  const parsed = parser.parse(trimmed, true) as Record<string, unknown>;
  return parsed;
}
