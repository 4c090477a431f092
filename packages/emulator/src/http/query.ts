/** Form-style decoding, as COS decodes paths and queries: '+' is a space. */
export function formDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, ' '));
}
