import { COS_LIMITS } from '@cos-direct/signer';
import { CosErrors } from '../errors/index.js';

/** COS's object key rules (doc 436/13324): at most 850 bytes, no leading "/" or "\", none of the characters 0x18 to 0x1B. */
export function checkObjectKey(key: string): void {
  const bytes = Buffer.byteLength(key);
  if (bytes > COS_LIMITS.maxKeyBytes) {
    throw CosErrors.invalidUri(`the object key is ${bytes} bytes; COS allows at most ${COS_LIMITS.maxKeyBytes}`);
  }
  if (key.startsWith('/') || key.startsWith('\\')) {
    throw CosErrors.invalidUri(`the object key ${JSON.stringify(key.slice(0, 100))} starts with "${key[0]}", which COS does not allow`);
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters COS forbids in keys
  const control = /[\x18-\x1b]/.exec(key);
  if (control) {
    throw CosErrors.invalidUri(
      `the object key contains the character 0x${control[0].charCodeAt(0).toString(16).toUpperCase()}; COS does not allow 0x18 to 0x1B in keys`,
    );
  }
}
