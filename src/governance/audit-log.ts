/**
 * The audit log of a store: reading it, verifying its chain (and every run's chain) against a
 * signed checkpoint, and taking checkpoints.
 *
 * What `verify` detects:
 * - without a checkpoint: an audit entry edited, deleted, inserted or reordered (its hash or
 *   its link to the previous one breaks), unless the whole chain after it was recomputed;
 * - with a checkpoint: also a recomputed audit chain or a truncated tail (the Merkle root of
 *   entries 1..n differs), and a run whose versions were edited and re-hashed (the hash of the
 *   checkpointed version differs from the head the checkpoint signed).
 */
import type { KeyObject } from 'node:crypto';
import type { AuditEntry } from '../ledger/governance-store.js';
import type { StateStore } from '../ledger/store.js';
import { verifyChain } from '../ledger/versions.js';
import { AUDIT_GENESIS, auditHash } from './audit-hash.js';
import { governanceOf } from './catalog.js';
import {
  auditLeaf,
  type Checkpoint,
  openCheckpoint,
  type RunHead,
  signCheckpoint,
} from './checkpoint.js';
import { merkleRoot } from './merkle.js';

/** One thing `verify` found wrong. */
export interface AuditProblem {
  readonly kind: 'audit' | 'run' | 'checkpoint';
  /** The first audit entry that does not verify. */
  readonly seq?: number;
  readonly runId?: string;
  /** The first run version that does not verify. */
  readonly version?: number;
  readonly reason: string;
}

/** The answer of `verify`. */
export interface AuditReport {
  readonly ok: boolean;
  /** Audit entries checked. */
  readonly entries: number;
  /** Runs checked against the checkpoint. */
  readonly runs: number;
  readonly problems: readonly AuditProblem[];
  /** The checkpoint verified against, if any. */
  readonly checkpoint?: { readonly at: number; readonly auditSize: number; readonly keyId: string };
}

/** Options of `verify`. */
export interface AuditVerifyOptions {
  /** A checkpoint (object or the exported JSON text) to verify the store against. */
  readonly checkpoint?: Checkpoint | string;
  /** Where the checkpoint came from, for errors (a file name). */
  readonly source?: string;
  /** Require the checkpoint to be signed by this Ed25519 public key (SPKI PEM). */
  readonly publicKey?: string;
}

/** The audit log of one store. */
export interface AuditLog {
  /** Entries with seq >= `from`, at most `limit`. */
  entries(from?: number, limit?: number): Promise<AuditEntry[]>;
  /**
   * Verifies the audit chain, and with a checkpoint, the chain's prefix and every run head it
   * signed.
   * @throws CheckpointInvalidError for a malformed checkpoint, one signed by another key, or a
   * bad signature (nothing in the store is read or changed then).
   */
  verify(options?: AuditVerifyOptions): Promise<AuditReport>;
  /**
   * Takes a checkpoint now, signed with an Ed25519 private key (PEM or KeyObject) kept outside
   * the database, and records it in the store (it is also returned for export).
   * @throws CheckpointInvalidError when the key is not an Ed25519 private key.
   */
  checkpoint(privateKey: string | KeyObject): Promise<Checkpoint>;
}

/**
 * Opens the audit log of a migrated store.
 * @example
 * const cp = await auditLog(store).checkpoint(privateKeyPem);
 * writeFileSync('cp.json', JSON.stringify(cp));
 * const report = await auditLog(store).verify({ checkpoint: readFileSync('cp.json', 'utf8') });
 */
export function auditLog(store: StateStore, options: { now?: () => number } = {}): AuditLog {
  const g = governanceOf(store);
  const now = options.now ?? Date.now;

  const runHeads = async (): Promise<RunHead[]> => {
    const runs = await store.listRuns({});
    const heads: RunHead[] = [];
    for (const r of runs) {
      const [head] = await store.readVersions(r.runId, r.headVersion, r.headVersion);
      if (head) heads.push([r.runId, head.version, head.hash]);
    }
    return heads;
  };

  return {
    entries: (from, limit) => g.readAudit(from, limit),
    async checkpoint(privateKey) {
      const entries = await g.readAudit();
      const cp = signCheckpoint(entries, await runHeads(), now(), privateKey);
      await g.saveCheckpoint({ auditSize: cp.auditSize, at: cp.at, body: JSON.stringify(cp) });
      return cp;
    },
    async verify(opts = {}) {
      const cp =
        opts.checkpoint === undefined
          ? undefined
          : openCheckpoint(opts.checkpoint, opts.source ?? 'checkpoint', opts.publicKey);
      const entries = await g.readAudit();
      const problems: AuditProblem[] = [...chainProblems(entries)];
      let runs = 0;
      if (cp) {
        problems.push(...prefixProblems(entries, cp));
        for (const head of cp.runs) {
          runs++;
          const p = await runProblem(store, head);
          if (p) problems.push(p);
        }
      }
      return {
        ok: problems.length === 0,
        entries: entries.length,
        runs,
        problems,
        ...(cp ? { checkpoint: { at: cp.at, auditSize: cp.auditSize, keyId: cp.keyId } } : {}),
      };
    },
  };
}

/** The first break of the chain: a gap, a wrong link, or a hash that does not match. */
function chainProblems(entries: readonly AuditEntry[]): AuditProblem[] {
  let prev = AUDIT_GENESIS;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const seq = i + 1;
    if (e.seq !== seq) {
      return [{ kind: 'audit', seq, reason: `entry ${seq} is missing (found ${e.seq}): deleted?` }];
    }
    if (e.prevHash !== prev) {
      return [
        {
          kind: 'audit',
          seq,
          reason: 'does not link to the entry before it: deleted, inserted or reordered',
        },
      ];
    }
    if (auditHash(prev, seq, e) !== e.hash) {
      return [{ kind: 'audit', seq, reason: 'its hash does not match its content: edited' }];
    }
    prev = e.hash;
  }
  return [];
}

/** Entries 1..auditSize must be the ones the checkpoint signed. */
function prefixProblems(entries: readonly AuditEntry[], cp: Checkpoint): AuditProblem[] {
  if (entries.length < cp.auditSize) {
    return [
      {
        kind: 'checkpoint',
        seq: entries.length + 1,
        reason: `the checkpoint covers ${cp.auditSize} entries but only ${entries.length} are stored: truncated`,
      },
    ];
  }
  const prefix = entries.slice(0, cp.auditSize);
  const root = merkleRoot(prefix.map(auditLeaf)).toString('hex');
  if (root === cp.auditRoot) return [];
  // Find the first entry that differs from the chain the checkpoint saw, when its head still is.
  const at = cp.auditSize > 0 && prefix.at(-1)?.hash !== cp.auditHead ? cp.auditSize : undefined;
  return [
    {
      kind: 'checkpoint',
      ...(at !== undefined ? { seq: at } : {}),
      reason: 'audit entries differ from those the checkpoint signed: the chain was rewritten',
    },
  ];
}

/** A checkpointed run head must still be the hash of that version, over an intact chain. */
async function runProblem(
  store: StateStore,
  [runId, version, hash]: RunHead,
): Promise<AuditProblem | undefined> {
  const versions = await store.readVersions(runId, 1, version);
  if (versions.length < version) {
    return {
      kind: 'run',
      runId,
      version: versions.length + 1,
      reason: `version ${versions.length + 1} of ${version} is gone`,
    };
  }
  const chain = verifyChain(versions);
  if (!chain.ok) return { kind: 'run', runId, version: chain.brokenAt, reason: chain.reason };
  if (chain.headHash !== hash) {
    return {
      kind: 'run',
      runId,
      version,
      reason: `the chain was recomputed: version ${version} hashes to ${chain.headHash.slice(0, 12)}, the checkpoint signed ${hash.slice(0, 12)}`,
    };
  }
  return undefined;
}
