// What the sign server allows, read from its GET /limits, and the checks the page makes before asking
// for a ticket: a refused file costs no ticket and no upload.
import { formatBytes } from '@cos-direct/client/browser';

export interface Limits {
  allowedExtensions: string[];
  /** Largest file in bytes, or undefined when the server sets none. */
  maxBytes?: number;
}

/** Reads GET /limits; undefined when the server has no such endpoint (it then checks each file itself). */
export async function fetchLimits(signUrl: string, fetcher: typeof fetch = fetch): Promise<Limits | undefined> {
  try {
    const res = await fetcher(`${signUrl.replace(/\/$/, '')}/limits`);
    if (!res.ok) return undefined;
    const body = (await res.json()) as { data?: { allowedExtensions?: unknown; maxSize?: unknown; maxMultipartSize?: unknown } };
    const d = body.data;
    if (!d || !Array.isArray(d.allowedExtensions)) return undefined;
    const sizes = [d.maxSize, d.maxMultipartSize].filter((n): n is number => typeof n === 'number' && n > 0);
    return { allowedExtensions: d.allowedExtensions.map(String), maxBytes: sizes.length ? Math.min(...sizes) : undefined };
  } catch {
    return undefined;
  }
}

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

export { formatBytes };

/** A sentence for the page, or undefined when the file may go. */
export function refusal(file: { name: string; size: number }, limits: Limits | undefined): string | undefined {
  const ext = extensionOf(file.name);
  if (!ext) return 'This file has no extension (like .jpg), so the server cannot tell what it is.';
  if (limits && !limits.allowedExtensions.includes(ext)) {
    return `.${ext} files are not accepted here. Allowed: ${limits.allowedExtensions.map((e) => `.${e}`).join(', ')}.`;
  }
  if (limits?.maxBytes !== undefined && file.size > limits.maxBytes) {
    return `This file is ${formatBytes(file.size)}; the limit is ${formatBytes(limits.maxBytes)} per file.`;
  }
  // An empty file is a file: COS stores it, and the CLI and Uppy upload it too.
  return undefined;
}

export function describeLimits(limits: Limits | undefined): string {
  if (!limits) return 'The server checks each file when you pick it.';
  const types = limits.allowedExtensions.map((e) => `.${e}`).join(', ');
  return `Accepted: ${types}${limits.maxBytes !== undefined ? ` · up to ${formatBytes(limits.maxBytes)} per file` : ''}.`;
}
