/**
 * End seals: what binds a run's final status and output to its hash chain.
 *
 * When a run ends (completed, failed, cancelled, compensated, compensation_failed), the write
 * that ends it journals a seal in the ending entry's `detail.seal`: the status, the head version
 * and its hash, and the sha256 of the canonical output. `verifyRun` then checks the run row
 * against it, so deleting the last versions and lowering `head_version`, editing `runs.output`
 * or `runs.status` no longer pass `verify`.
 *
 * Invariants:
 * - A seal is data inside an existing journal field: no table changes, and a store written by a
 *   release before seals still opens and verifies. Its ended runs carry no seal and are reported
 *   as `end: 'unsealed'`, never as tampering.
 * - The seal that counts is the one on the run's latest status change (the journal entry the store
 *   marks with `runStatus`); a rollback or a parent's compensation reopens a run with a later,
 *   unsealed status change, and the run is sealed again when it ends again.
 * - Like the chain itself, a seal has no secret: someone who rewrites the journal, the versions
 *   and the run row consistently is caught only by a signed checkpoint (governance).
 */
import { GENESIS_HASH, sha256 } from './hash.js';
import { canonicalJson, type Json } from './json.js';
import type { JournalEntry, RunRecord, RunStatus, VersionRecord } from './types.js';
import { TERMINAL_STATUSES } from './types.js';
import { type VerifyResult, verifyChain } from './versions.js';

/** The seal journaled with a run's end (format 1). */
export interface RunSeal {
  readonly format: 1;
  readonly status: RunStatus;
  readonly headVersion: number;
  readonly headHash: string;
  /** sha256 of the canonical JSON of the run's output (`null` when it has none). */
  readonly outputHash: string;
}

/** How a run's end was checked: sealed and matching, ended before seals, or not ended. */
export type RunEndCheck = 'sealed' | 'unsealed' | 'open';

/** The result of `rt.verify(runId)`: the chain, and the run's end against its seal. */
export type RunVerifyResult =
  | (Extract<VerifyResult, { ok: true }> & { readonly end: RunEndCheck })
  | Extract<VerifyResult, { ok: false }>;

/** The seal for a run ending with `status` and `output` at the head `headVersion`/`headHash`. */
export function runSeal(
  status: RunStatus,
  headVersion: number,
  headHash: string,
  output: Json | null | undefined,
): RunSeal {
  return {
    format: 1,
    status,
    headVersion,
    headHash,
    outputHash: outputHash(output ?? null),
  };
}

/** `detail` with the seal added (the ending entry's other detail fields are kept). */
export function withSeal(detail: Json | null | undefined, seal: RunSeal): Json {
  const base =
    detail !== null && typeof detail === 'object' && !Array.isArray(detail) ? detail : {};
  return { ...base, seal: { ...seal } };
}

/** The head hash after appending `versions` on top of `prevHash`. */
export function headHashAfter(prevHash: string, versions: readonly VersionRecord[]): string {
  return versions.length > 0 ? versions[versions.length - 1]!.hash : prevHash;
}

/**
 * Verifies a run: its chain (contiguous, every hash, the recorded head) and, when it ended,
 * its status, head and output against the seal of its latest status change.
 */
export function verifyRun(
  run: RunRecord,
  versions: readonly VersionRecord[],
  journal: readonly JournalEntry[],
): RunVerifyResult {
  const chain = verifyChain(versions, run.headVersion);
  if (!chain.ok) return chain;
  const last = lastStatusChange(journal);
  const seal = last ? readSeal(last.detail) : undefined;
  const broken = (at: number, reason: string): RunVerifyResult => ({
    ok: false,
    versions: versions.length,
    brokenAt: at,
    reason,
  });
  if (seal === null) return broken(run.headVersion, 'the run end seal in the journal is malformed');
  if (seal === undefined) {
    // No seal on the latest status change: a run still going, or one ended by an earlier
    // release. An ended run's status must still be the end the journal recorded (a status
    // change without journal entries records none, so only two ends are compared).
    const recorded = last?.runStatus;
    if (
      recorded &&
      recorded !== run.status &&
      TERMINAL_STATUSES.has(recorded) &&
      TERMINAL_STATUSES.has(run.status)
    ) {
      return broken(
        run.headVersion,
        `run status is '${run.status}' but its journal last set '${recorded}' (status edited)`,
      );
    }
    return { ...chain, end: TERMINAL_STATUSES.has(run.status) ? 'unsealed' : 'open' };
  }
  const problem = sealProblem(run, seal, chain.headHash, versions.length);
  return problem ? broken(problem.at, problem.reason) : { ...chain, end: 'sealed' };
}

function sealProblem(
  run: RunRecord,
  seal: RunSeal,
  headHash: string,
  stored: number,
): { at: number; reason: string } | undefined {
  if (run.status !== seal.status) {
    return {
      at: seal.headVersion,
      reason: `run status is '${run.status}' but the run was sealed '${seal.status}' (status edited)`,
    };
  }
  if (seal.headVersion !== stored) {
    return {
      at: Math.min(seal.headVersion, stored) + 1,
      reason: `the run was sealed at version ${seal.headVersion} but ${stored} versions are stored (versions removed or added after its end)`,
    };
  }
  if (seal.headHash !== (stored === 0 ? GENESIS_HASH : headHash)) {
    return {
      at: seal.headVersion,
      reason: `version ${seal.headVersion} hashes to ${short(headHash)} but the run was sealed with ${short(seal.headHash)} (history rewritten after its end)`,
    };
  }
  if (outputHash(run.output) !== seal.outputHash) {
    return {
      at: seal.headVersion,
      reason: 'the run output does not match the output sealed with its end (output edited)',
    };
  }
  return undefined;
}

/** The latest journal entry that changed the run's status. */
function lastStatusChange(journal: readonly JournalEntry[]): JournalEntry | undefined {
  for (let i = journal.length - 1; i >= 0; i--) {
    const e = journal[i]!;
    if (e.runStatus) return e;
  }
  return undefined;
}

/** The seal in a journal detail: undefined when absent, null when present but malformed. */
function readSeal(detail: Json | null): RunSeal | null | undefined {
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) return undefined;
  if (!Object.hasOwn(detail, 'seal')) return undefined;
  const s = (detail as { readonly [k: string]: Json }).seal;
  if (s === null || typeof s !== 'object' || Array.isArray(s)) return null;
  const o = s as { readonly [k: string]: Json };
  if (
    o.format !== 1 ||
    typeof o.status !== 'string' ||
    typeof o.headVersion !== 'number' ||
    typeof o.headHash !== 'string' ||
    typeof o.outputHash !== 'string'
  ) {
    return null;
  }
  return {
    format: 1,
    status: o.status as RunStatus,
    headVersion: o.headVersion,
    headHash: o.headHash,
    outputHash: o.outputHash,
  };
}

function outputHash(output: Json | null): string {
  return sha256(canonicalJson(output));
}

function short(hash: string): string {
  return hash.slice(0, 12);
}
