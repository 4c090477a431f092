import { describe, expect, it } from 'vitest';
import { contentTypeOfExtension, contentTypeOfKey, EXTENSION_CONTENT_TYPES } from '../src/content-types.js';

describe('content types by extension', () => {
  it('types a key by the extension of its last segment, as COS stores an upload without a type', () => {
    expect(contentTypeOfKey('1.zip')).toBe('application/zip');
    expect(contentTypeOfKey('docs/1.TXT')).toBe('text/plain');
    expect(contentTypeOfKey('a.b/photo.jpeg')).toBe('image/jpeg');
    expect(contentTypeOfKey('a.b/noext')).toBe('application/octet-stream');
    expect(contentTypeOfKey('1')).toBe('application/octet-stream');
    expect(contentTypeOfKey('x.unknown')).toBe('application/octet-stream');
  });

  it('looks up extensions with or without their dot, and never finds Object members', () => {
    expect(contentTypeOfExtension('.PNG')).toBe('image/png');
    expect(contentTypeOfExtension('constructor')).toBe('application/octet-stream');
    expect(contentTypeOfExtension('__proto__')).toBe('application/octet-stream');
    for (const [ext, type] of Object.entries(EXTENSION_CONTENT_TYPES)) {
      expect(ext).toBe(ext.toLowerCase());
      expect(type).toMatch(/^[a-z]+\/[a-z0-9.+-]+$/);
    }
  });
});
