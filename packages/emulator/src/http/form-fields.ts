import type { HeaderSource } from './headers.js';

/** A POST form's field by name, without regard to case (the first spelling the form used). */
export function fieldOf(fields: Record<string, string>, name: string): string | undefined {
  if (name in fields) return fields[name];
  const lower = name.toLowerCase();
  for (const k of Object.keys(fields)) if (k.toLowerCase() === lower) return fields[k];
  return undefined;
}

/** A form's fields read as the headers they stand for; the form's `acl` field is x-cos-acl. */
export function formSource(fields: Record<string, string>): HeaderSource {
  return {
    get: (name) => (name === 'x-cos-acl' ? (fieldOf(fields, 'acl') ?? fieldOf(fields, name)) : fieldOf(fields, name)),
    entries: () => Object.entries(fields),
    describe: (name) => `the ${name} field`,
  };
}
