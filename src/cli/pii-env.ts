/**
 * The CLI's key-encryption key for crypto-shredded stores: `$BATON_PII_KEK` (32 bytes, base64
 * or 64 hex digits). With it, commands read personal fields in clear (masked as usual for a
 * principal without READ_PII); without it they show the stored ciphertext envelopes. Erasing
 * needs no key.
 */
import type { PiiEncryptionOptions } from '../index.js';

export const PII_KEK_ENV = 'BATON_PII_KEK';

/** `{ piiEncryption }` for createRuntime when the environment holds a key, else nothing. */
export function piiFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): { piiEncryption: PiiEncryptionOptions } | Record<string, never> {
  const kek = env[PII_KEK_ENV];
  return kek ? { piiEncryption: { kek } } : {};
}
