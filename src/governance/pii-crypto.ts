/**
 * The cryptography of crypto-shredding: AES-256-GCM data keys, one per data subject, wrapped by
 * the application's key-encryption key (KEK), and the envelope a personal field is stored as.
 *
 * Invariants:
 * - A ciphertext names its key id and is bound to it (the key id is the GCM additional data),
 *   so a ciphertext moved under another subject's key fails to decrypt instead of reading.
 * - The KEK never leaves this module's callers' hands: only wrapped data keys are stored.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { EncryptionKeyError } from '../errors.js';
import { canonicalJson, decodeJson, type Json } from '../ledger/json.js';

/** Wraps and unwraps data keys: a KMS, or {@link localKeyWrapper} over a 32-byte KEK. */
export interface KeyWrapper {
  /** Returns the data key encrypted under the KEK, as text. */
  wrap(dataKey: Uint8Array, keyId: string): string | Promise<string>;
  /** Returns the data key. Throws when the KEK does not unwrap it. */
  unwrap(wrapped: string, keyId: string): Uint8Array | Promise<Uint8Array>;
}

/** The key-encryption key: 32 bytes (raw, base64 or hex text), or a KMS-backed wrapper. */
export type KeyEncryptionKey = Uint8Array | string | KeyWrapper;

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/** The field name that marks an encrypted value: `{ "$pii": "<keyId>.<iv>.<ciphertext+tag>" }`. */
export const ENVELOPE_KEY = '$pii';

/** The 32-byte KEK from its accepted spellings. @throws EncryptionKeyError */
export function parseKek(kek: Uint8Array | string): Buffer {
  let bytes: Buffer | undefined;
  if (kek instanceof Uint8Array) bytes = Buffer.from(kek);
  else if (typeof kek === 'string') {
    const t = kek.trim();
    bytes = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  }
  if (!bytes || bytes.length !== KEY_BYTES) {
    throw new EncryptionKeyError(
      `the key-encryption key must be ${KEY_BYTES} bytes (raw, base64 or 64 hex digits), got ${bytes?.length ?? 0}`,
    );
  }
  return bytes;
}

/** A wrapper over a local 32-byte KEK (AES-256-GCM, the key id as additional data). */
export function localKeyWrapper(kek: Uint8Array | string): KeyWrapper {
  const key = parseKek(kek);
  return {
    wrap: (dataKey, keyId) => seal(key, keyId, Buffer.from(dataKey)),
    unwrap: (wrapped, keyId) => {
      const out = open(key, keyId, wrapped);
      if (!out || out.length !== KEY_BYTES) {
        throw new EncryptionKeyError(
          `the key-encryption key does not unwrap data key ${keyId} (another key, or an edited row)`,
          keyId,
        );
      }
      return out;
    },
  };
}

/** The KEK option as a wrapper. @throws EncryptionKeyError for a malformed key */
export function toKeyWrapper(kek: KeyEncryptionKey): KeyWrapper {
  if (typeof kek === 'object' && !(kek instanceof Uint8Array)) {
    if (typeof kek?.wrap !== 'function' || typeof kek.unwrap !== 'function') {
      throw new EncryptionKeyError('piiEncryption.kek must be 32 bytes or { wrap, unwrap }');
    }
    return kek;
  }
  return localKeyWrapper(kek);
}

/** A fresh random data key. */
export const newDataKey = (): Buffer => randomBytes(KEY_BYTES);

/** `iv.ciphertext+tag`, base64url, bound to `aad`. */
function seal(key: Buffer, aad: string, plain: Buffer): string {
  const iv = randomBytes(IV_BYTES);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([c.update(plain), c.final(), c.getAuthTag()]);
  return `${iv.toString('base64url')}.${body.toString('base64url')}`;
}

/** The plaintext, or undefined when the text is malformed or does not authenticate. */
function open(key: Buffer, aad: string, text: string): Buffer | undefined {
  const [ivText, bodyText, extra] = text.split('.');
  if (ivText === undefined || bodyText === undefined || extra !== undefined) return undefined;
  const iv = Buffer.from(ivText, 'base64url');
  const body = Buffer.from(bodyText, 'base64url');
  if (iv.length !== IV_BYTES || body.length < TAG_BYTES) return undefined;
  try {
    const d = createDecipheriv('aes-256-gcm', key, iv);
    d.setAAD(Buffer.from(aad, 'utf8'));
    d.setAuthTag(body.subarray(body.length - TAG_BYTES));
    return Buffer.concat([d.update(body.subarray(0, body.length - TAG_BYTES)), d.final()]);
  } catch {
    return undefined;
  }
}

/** The envelope a personal value is stored as. */
export function encryptValue(keyId: string, dataKey: Buffer, value: Json): Json {
  const text = seal(dataKey, keyId, Buffer.from(canonicalJson(value), 'utf8'));
  return { [ENVELOPE_KEY]: `${keyId}.${text}` };
}

/** The key id an envelope names, or undefined when `value` is no envelope. */
export function envelopeKeyId(value: Json): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const keys = Object.keys(value);
  const text = (value as Record<string, Json>)[ENVELOPE_KEY];
  if (keys.length !== 1 || typeof text !== 'string') return undefined;
  const dot = text.indexOf('.');
  return dot > 0 ? text.slice(0, dot) : undefined;
}

/** The value an envelope holds. @throws EncryptionKeyError when it does not authenticate */
export function decryptValue(envelope: Json, dataKey: Buffer): Json {
  const text = (envelope as Record<string, string>)[ENVELOPE_KEY]!;
  const dot = text.indexOf('.');
  const keyId = text.slice(0, dot);
  const plain = open(dataKey, keyId, text.slice(dot + 1));
  if (!plain) {
    throw new EncryptionKeyError(
      `a value encrypted under data key ${keyId} does not decrypt (edited ciphertext)`,
      keyId,
    );
  }
  return decodeJson(plain.toString('utf8'));
}
