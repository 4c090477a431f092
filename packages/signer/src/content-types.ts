/**
 * The Content-Type of a file extension (lower case, without the dot): what COS stores for an upload
 * (PUT Object, POST Object, Initiate Multipart Upload) that names no type, by the extension of its key.
 * One table for the sign server (which binds a ticket to its extension's type) and the emulator (which
 * stores it as COS does), so what a ticket says and what the bucket stores agree. An extension not listed
 * gets `application/octet-stream`. Read it through the functions below: an extension such as
 * "constructor" must not find Object's members.
 */
export const EXTENSION_CONTENT_TYPES: Readonly<Record<string, string>> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  bmp: 'image/bmp',
  webp: 'image/webp',
  heic: 'image/heic',
  avif: 'image/avif',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  svg: 'image/svg+xml',
  html: 'text/html',
  htm: 'text/html',
  xhtml: 'application/xhtml+xml',
  xml: 'application/xml',
  css: 'text/css',
  js: 'text/javascript',
  mjs: 'text/javascript',
  txt: 'text/plain',
  csv: 'text/csv',
  json: 'application/json',
  pdf: 'application/pdf',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ppt: 'application/vnd.ms-powerpoint',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  zip: 'application/zip',
  tar: 'application/x-tar',
  '7z': 'application/x-7z-compressed',
  apk: 'application/vnd.android.package-archive',
  wasm: 'application/wasm',
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  webm: 'video/webm',
  avi: 'video/x-msvideo',
  flv: 'video/x-flv',
  mkv: 'video/x-matroska',
  m3u8: 'application/vnd.apple.mpegurl',
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  aac: 'audio/aac',
  flac: 'audio/flac',
  ogg: 'audio/ogg',
  woff: 'font/woff',
  woff2: 'font/woff2',
  ttf: 'font/ttf',
  otf: 'font/otf',
};

/** What COS stores for an upload without a type and without a known extension. */
export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

/** The type of an extension (`zip`, `JPG`, with or without its dot); application/octet-stream when unknown. */
export function contentTypeOfExtension(extension: string): string {
  const ext = extension.replace(/^\./, '').toLowerCase();
  return Object.hasOwn(EXTENSION_CONTENT_TYPES, ext) ? EXTENSION_CONTENT_TYPES[ext]! : DEFAULT_CONTENT_TYPE;
}

/**
 * The type COS stores for an upload of `key` that names none: by the extension of the key's last segment
 * (`a/1.zip` → application/zip, `1.TXT` → text/plain), application/octet-stream without a known one.
 */
export function contentTypeOfKey(key: string): string {
  const name = key.slice(key.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot < 0 ? DEFAULT_CONTENT_TYPE : contentTypeOfExtension(name.slice(dot + 1));
}
