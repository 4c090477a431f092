import type { IncomingHttpHeaders } from 'node:http';

/** What a masked value reads as in logs, listings and the console. */
export const REDACTED = '<redacted>';

// Names that carry a session token, as headers or as presigned-URL query parameters, in either dialect.
const TOKEN_NAMES = ['x-cos-security-token', 'x-amz-security-token'];
// A token's value in any text that names it: `name=value` (query strings, format strings) or
// `name:value` (canonical headers), whatever the case of the name.
const NAMED_TOKEN = new RegExp(`(${TOKEN_NAMES.join('|')})([=:])[^&\\n]*`, 'gi');
// Shorter strings are not tokens, and masking them would mangle ordinary text.
const MIN_LENGTH = 16;

/**
 * Session tokens by value: every token a request carried, in every form it can take when printed
 * (as sent, percent-encoded as a query value, RFC 3986-encoded as SigV4 canonicalises it), is
 * replaced wherever it appears, not only after a name the masker knows.
 */
export class SecretMask {
  readonly #values = new Set<string>();
  constructor(private readonly capacity = 4096) {}

  /** Remembers the tokens a request carried, in its headers or its query. */
  seeRequest(headers: IncomingHttpHeaders, url: string): void {
    for (const name of TOKEN_NAMES) {
      const value = headers[name];
      for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) this.see(v);
    }
    const q = url.indexOf('?');
    if (q < 0) return;
    for (const [name, value] of new URLSearchParams(url.slice(q + 1))) {
      if (TOKEN_NAMES.includes(name.toLowerCase())) this.see(value);
    }
  }

  /** Remembers one secret value. */
  see(value: string): void {
    if (value.length < MIN_LENGTH) return;
    const rfc3986 = encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
    for (const form of new Set([value, encodeURIComponent(value), rfc3986])) {
      this.#values.delete(form);
      this.#values.add(form);
    }
    // The oldest go first: a long-running emulator keeps masking what it saw recently.
    while (this.#values.size > this.capacity) this.#values.delete(this.#values.values().next().value!);
  }

  /** The text with every known token, and any value after a token's name, replaced. */
  mask(text: string): string {
    let out = text;
    for (const value of this.#values) if (out.includes(value)) out = out.split(value).join(REDACTED);
    return out.replace(NAMED_TOKEN, `$1$2${REDACTED}`);
  }
}
