/**
 * The audit chain's hashing, shared by every backend: `hash = sha256(prevHash \n canonical)`,
 * where `canonical` is the canonical JSON of the entry's fields and its `seq`. Changing any
 * field, the order, or removing an entry changes every later hash.
 */

import type { AuditDraft, AuditEntry } from '../ledger/governance-store.js';
import { GENESIS_HASH, sha256 } from '../ledger/hash.js';
import { canonicalJson } from '../ledger/json.js';

/** The hash of the entry before the first. */
export const AUDIT_GENESIS = GENESIS_HASH;

/** The hash of entry `seq` following `prevHash`. */
export function auditHash(prevHash: string, seq: number, d: AuditDraft): string {
  const body = canonicalJson({
    seq,
    at: d.at,
    principal: d.principal,
    action: d.action,
    securable: d.securable,
    params: d.params,
    result: d.result,
    detail: d.detail,
  });
  return sha256(`${prevHash}\n${body}`);
}

/** Numbers and chains drafts after the entry `(lastSeq, lastHash)`. */
export function chainAudit(
  lastSeq: number,
  lastHash: string,
  drafts: readonly AuditDraft[],
): AuditEntry[] {
  const out: AuditEntry[] = [];
  let seq = lastSeq;
  let prev = lastHash;
  for (const d of drafts) {
    seq++;
    const hash = auditHash(prev, seq, d);
    out.push(Object.freeze({ ...d, seq, prevHash: prev, hash }));
    prev = hash;
  }
  return out;
}
