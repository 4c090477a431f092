import type { ConfirmedThumbnail, ConfirmedUpload } from '@cos-direct/protocol';
import { type CosClient, CosUpstreamError, xmlValue } from './cos-client.js';

/** The raster formats Cloud Infinite's imageMogr2 reads; an SVG, a PDF or a video gets no thumbnail. */
const IMAGE_EXTENSIONS = new Set(['jpg', 'jpeg', 'png', 'gif', 'bmp', 'webp', 'tif', 'tiff', 'heic', 'heif', 'avif']);

// A rule's `format/<name>` decides the copy's format, so its extension too.
const FORMAT_EXTENSIONS: Record<string, string> = {
  jpeg: 'jpg',
  jpg: 'jpg',
  png: 'png',
  webp: 'webp',
  gif: 'gif',
  bmp: 'bmp',
  avif: 'avif',
};

const extensionOf = (key: string) => {
  const name = key.slice(key.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
};

/** True for an upload COS can make a thumbnail of: an image by its extension, or by its type when the key has none. */
export function isImage(upload: Pick<ConfirmedUpload, 'key' | 'contentType'>): boolean {
  const ext = extensionOf(upload.key);
  if (ext) return IMAGE_EXTENSIONS.has(ext);
  const type = upload.contentType.toLowerCase();
  return type.startsWith('image/') && !type.startsWith('image/svg');
}

/**
 * Where the copy of `key` goes: next to it, its name with `suffix` added before the extension, which is
 * the format the rule converts to, if it names one (`a/b.png` → `a/b_thumb.png`, or `a/b_thumb.webp`
 * with `format/webp`). It stays in the original's folder, so under the ticket's prefix.
 */
export function thumbnailKeyOf(key: string, rule: string, suffix: string): string {
  const ext = extensionOf(key);
  const base = ext ? key.slice(0, key.length - ext.length - 1) : key;
  const formats = [...rule.matchAll(/(?:^|\/)format\/([a-z]+)/g)];
  const format = formats.at(-1)?.[1];
  const out = (format && FORMAT_EXTENSIONS[format]) ?? ext;
  return `${base}${suffix}${out ? `.${out}` : ''}`;
}

/**
 * Has COS make the configured copy of a confirmed image with the server's own key: `POST <key>?image_process`
 * with a Pic-Operations header of one rule whose `fileid` is the copy's key from the bucket's root (doc
 * 1045/33695, 436/40592). Needs the bucket bound to Cloud Infinite; see the README for the permissions.
 */
export class Thumbnails {
  constructor(
    private readonly cos: CosClient,
    private readonly rule: string,
    private readonly suffix: string,
  ) {}

  /** The copy, or why there is none; never throws, so a failed copy leaves the confirmation standing. */
  async make(upload: ConfirmedUpload): Promise<ConfirmedThumbnail | undefined> {
    if (!isImage(upload)) return undefined;
    const key = thumbnailKeyOf(upload.key, this.rule, this.suffix);
    const operations = JSON.stringify({ is_pic_info: 0, rules: [{ fileid: `/${key}`, rule: this.rule }] });
    let answer: Awaited<ReturnType<CosClient['send']>>;
    try {
      answer = await this.cos.send('POST', upload.key, { image_process: '' }, undefined, { 'pic-operations': operations });
    } catch (e) {
      const detail = e instanceof CosUpstreamError ? e.detail : e instanceof Error ? e.message : String(e);
      return { error: { code: 'SRV_ERR_COS_FAILED', message: `POST ?image_process: ${detail}` } };
    }
    const code = xmlValue(answer.text, 'Code');
    if (answer.status !== 200 || code) {
      return {
        error: {
          code: code ?? 'SRV_ERR_COS_FAILED',
          message: xmlValue(answer.text, 'Message') ?? `POST ?image_process answered HTTP ${answer.status}`,
        },
      };
    }
    const made = /<ProcessResults>\s*<Object>([\s\S]*?)<\/Object>/.exec(answer.text)?.[1];
    if (!made) return { error: { code: 'SRV_ERR_COS_FAILED', message: 'POST ?image_process answered no processed object' } };
    return {
      key: xmlValue(made, 'Key') ?? key,
      width: Number(xmlValue(made, 'Width')),
      height: Number(xmlValue(made, 'Height')),
      size: Number(xmlValue(made, 'Size')),
    };
  }
}
