/**
 * A version as blame describes it: who wrote it, from what. Shared by blame.ts and
 * child-blame.ts (which blame.ts imports, so it cannot import blame.ts back).
 */
import type { StateSnapshot } from '../ledger/types.js';

/** One version in a blame: who wrote it, from what. */
export interface BlameVersion {
  readonly runId: string;
  readonly version: number;
  readonly step: string;
  /** `agent@version`, or `system` (the workflow input, a reset, a skipped marker). */
  readonly createdBy: string;
  /** The version the writer read (null for a run's first version). */
  readonly inputVersion: number | null;
  readonly tag: string | null;
  readonly createdAt: number;
  readonly hash: string;
}

/** The blame view of a state snapshot (its version's header, without the data). */
export function blameVersion(s: StateSnapshot): BlameVersion {
  return {
    runId: s.runId,
    version: s.version,
    step: s.step,
    createdBy: s.createdBy,
    inputVersion: s.inputVersion,
    tag: s.tag,
    createdAt: s.createdAt,
    hash: s.hash,
  };
}
