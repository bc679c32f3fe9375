/**
 * Credentials never reach a message or a log line: a NATS server may be given as
 * `nats://user:password@host`, `nats://token@host` or `user:password@host`, and the client's own
 * errors may repeat it. Every user-info part is replaced by `***`.
 */

/** `scheme://userinfo@` → `scheme://***@`. */
const WITH_SCHEME = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi;
/** `user:password@host` with no scheme, at the start of a word. */
const WITHOUT_SCHEME = /(^|[\s,'"([])[^\s/@,'"():]+:[^\s/@,'"]*@/g;

/** `text` with every URL credential replaced by `***`. */
export function redactCredentials(text: string): string {
  return text.replace(WITH_SCHEME, '$1***@').replace(WITHOUT_SCHEME, '$1***@');
}
