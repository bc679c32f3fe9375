/**
 * The hash chain. Each version's hash covers its header, its payload and the previous
 * version's hash, so editing, removing or reordering any version breaks every hash after it.
 */
import * as crypto from 'node:crypto';

/**
 * One-shot sha256 to hex. `crypto.hash` (Node >= 20.12) skips the Hash object and its stream
 * machinery, several times cheaper for the short inputs hashed per version; older Node 20
 * releases fall back to `createHash`.
 */
const sha256Hex: (text: string) => string =
  typeof (crypto as { hash?: unknown }).hash === 'function'
    ? (text) => (crypto as unknown as { hash: OneShotHash }).hash('sha256', text, 'hex')
    : (text) => crypto.createHash('sha256').update(text).digest('hex');

type OneShotHash = (algorithm: string, data: string, encoding: 'hex') => string;

/** The `prevHash` of version 1. */
export const GENESIS_HASH = '0'.repeat(64);

/** The fields of a version that its hash covers. */
export interface HashedFields {
  readonly runId: string;
  readonly version: number;
  readonly step: string;
  readonly kind: string;
  readonly createdBy: string;
  readonly inputVersion: number | null;
  readonly contract: string | null;
  readonly tag: string | null;
  readonly createdAt: number;
  readonly payload: string;
  readonly prevHash: string;
}

/** sha256 over a version's fields and its predecessor's hash, hex-encoded. */
export function hashVersion(f: HashedFields): string {
  // A fixed, unambiguous header: strings are JSON-quoted, so separators cannot collide.
  const header = `[${JSON.stringify(f.runId)},${f.version},${quoteName(f.step)},${quoteName(f.kind)},${quoteName(f.createdBy)},${f.inputVersion === null ? 'null' : f.inputVersion},${f.contract === null ? 'null' : quoteName(f.contract)},${f.tag === null ? 'null' : quoteName(f.tag)},${f.createdAt}]`;
  return sha256Hex(`${f.prevHash}\n${header}\n${f.payload}`);
}

/**
 * JSON-quoted names (steps, kinds, agent ids, contract ids, tags), cached: a workflow has a
 * handful, repeated in every version. Bounded, so unusual callers cannot grow it without limit.
 */
const quotedNames = new Map<string, string>();
const QUOTED_NAMES_MAX = 10_000;

function quoteName(name: string): string {
  let quoted = quotedNames.get(name);
  if (quoted === undefined) {
    quoted = JSON.stringify(name);
    if (quotedNames.size < QUOTED_NAMES_MAX) quotedNames.set(name, quoted);
  }
  return quoted;
}

/** sha256 of a string, hex-encoded. */
export function sha256(text: string): string {
  return sha256Hex(text);
}
