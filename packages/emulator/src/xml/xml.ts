import { XMLParser } from 'fast-xml-parser';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
const entity = (c: string) => ENTITIES[c]!;

export function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, entity);
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is escaped here
const NEEDS_ESCAPE = /[&<>"'\x00-\x08\x0b-\x1f\x7f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is escaped here
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/g;

/**
 * Text of a response document: XML-escaped, and control characters (a key may hold them) as numeric
 * character references, so that no raw control character reaches a client's parser and a carriage
 * return survives XML's end-of-line normalisation.
 */
export function escapeXmlText(value: string): string {
  // Most text needs nothing: one test, no copies (a listing page escapes thousands of values).
  if (!NEEDS_ESCAPE.test(value)) return value;
  return escapeXml(value).replace(CONTROL, (c) => `&#x${c.charCodeAt(0).toString(16).toUpperCase()};`);
}

export type XmlValue = string | number | boolean | undefined | null | XmlNode | XmlValue[];
export interface XmlNode {
  [name: string]: XmlValue;
}

/**
 * A name may carry the element's attributes after it (`Grantee xsi:type="Group"`), for the few
 * documents whose readers need them; the closing tag names the element alone.
 */
const elementName = (name: string) => {
  const space = name.indexOf(' ');
  return space < 0 ? name : name.slice(0, space);
};

// Appends to one string rather than joining returned pieces: a listing page has thousands of elements.
function append(out: string, name: string, value: XmlValue, indent: string): string {
  if (value === undefined) return out;
  if (Array.isArray(value)) {
    for (const v of value) out = append(out, name, v, indent);
    return out;
  }
  if (value === null || value === '') return `${out}${indent}<${name}/>\n`;
  if (typeof value === 'object') {
    out += `${indent}<${name}>\n`;
    const opened = out.length;
    const inner = `${indent}\t`;
    for (const k in value) out = append(out, k, value[k], inner);
    // An element with nothing in it gets no newline in it either: ElementTree, and so the Python SDK,
    // reads that newline as the element's text, where COS's answer reads as None.
    if (out.length === opened) return `${out.slice(0, -1)}</${elementName(name)}>\n`;
    return `${out}${indent}</${elementName(name)}>\n`;
  }
  return `${out}${indent}<${name}>${escapeXmlText(typeof value === 'string' ? value : String(value))}</${elementName(name)}>\n`;
}

/** One element as `toXml` lays it out, for documents whose children of different names interleave. */
export function write(name: string, value: XmlValue, indent: string): string {
  return append('', name, value, indent);
}

/** Serialises a response document the way COS lays them out: declaration, tab indentation ('' is an empty root, other text a root of text). */
export function toXml(root: string, body: XmlNode | string): string {
  return append('<?xml version="1.0" encoding="UTF-8"?>\n', root, body, '');
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * XML's references in one pass: its five named entities and numeric character references (`&#34;`,
 * `&#x22;`: Go's encoder writes a CompleteMultipartUpload ETag's quotes so). Nothing else: no HTML
 * names, no entities a DOCTYPE declares. A reference to no character is left as written.
 */
function decodeReferences(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (whole, ref: string) => {
    if (ref[0] !== '#') return NAMED[ref]!;
    const code = ref[1] === 'x' ? Number.parseInt(ref.slice(2), 16) : Number(ref.slice(1));
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

const parser = new XMLParser({
  ignoreDeclaration: true,
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  entityDecoder: {
    decode: decodeReferences,
    setExternalEntities: () => undefined,
    addInputEntities: () => undefined,
    reset: () => undefined,
    setXmlVersion: () => undefined,
  },
  isArray: (name) => name === 'Part' || name === 'Object' || name === 'CORSRule' || name.startsWith('Allowed') || name === 'ExposeHeader',
});

/** Parses a request body; throws on text that is not XML. */
export function parseXml(text: string): Record<string, unknown> {
  const trimmed = text.trim();
  if (!trimmed.startsWith('<')) throw new Error('the body is not XML');
  const parsed = parser.parse(trimmed, true) as Record<string, unknown>;
  return parsed;
}
