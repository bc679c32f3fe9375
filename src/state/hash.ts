/**
 * The hash chain. Each version's hash covers its header, its payload and the previous
 * version's hash, so editing, removing or reordering any version breaks every hash after it.
 */
import { createHash } from 'node:crypto';

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
  const header = `[${JSON.stringify(f.runId)},${f.version},${JSON.stringify(f.step)},${JSON.stringify(f.kind)},${JSON.stringify(f.createdBy)},${f.inputVersion === null ? 'null' : f.inputVersion},${f.contract === null ? 'null' : JSON.stringify(f.contract)},${f.tag === null ? 'null' : JSON.stringify(f.tag)},${f.createdAt}]`;
  return createHash('sha256').update(`${f.prevHash}\n${header}\n`).update(f.payload).digest('hex');
}

/** sha256 of a string, hex-encoded. */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
