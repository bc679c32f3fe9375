/**
 * The ledger's rules, in one place for every backend (memory, SQLite, PostgreSQL): how a write is
 * judged (lease fencing, then compare-and-append, then contiguity), which statuses a claim takes,
 * and what a list limit may be. A backend implements storage; it never invents its own rules.
 */
import {
  InvalidArgumentError,
  LeaseLostError,
  NotFoundError,
  VersionConflictError,
} from '../errors.js';
import type { RunRecord, RunStatus, RunWrite } from './types.js';

/** Statuses a claim takes by default: runs that need a driver. */
export const DEFAULT_CLAIM_STATUSES: readonly RunStatus[] = ['pending', 'running', 'compensating'];

/**
 * Validates an optional result limit: absent, or a non-negative integer.
 * @throws InvalidArgumentError naming the bad value.
 */
export function checkListLimit(limit: number | undefined, name = 'limit'): number | undefined {
  if (limit === undefined) return undefined;
  if (!Number.isInteger(limit) || limit < 0) {
    throw new InvalidArgumentError(
      `${name} must be a non-negative integer, got ${String(limit)}`,
      name,
    );
  }
  return limit;
}

/**
 * Judges one write against its run's current head and lease owner, exactly as every backend must:
 * the lease first (fencing), then compare-and-append, then contiguity of the new versions.
 * Returns the error that rejects the write, or undefined when it may commit.
 */
export function checkWrite(
  w: RunWrite,
  headVersion: number,
  leaseOwner: string | null,
): Error | undefined {
  if (w.leaseOwner !== undefined && leaseOwner !== w.leaseOwner) {
    return new LeaseLostError(w.runId, w.leaseOwner);
  }
  const versions = w.versions ?? [];
  if (versions.length === 0 && w.expectedVersion === undefined) return undefined;
  if (w.expectedVersion === undefined) {
    return new InvalidArgumentError(
      'appending versions requires expectedVersion',
      'expectedVersion',
    );
  }
  if (headVersion !== w.expectedVersion) {
    return new VersionConflictError(w.runId, w.expectedVersion, headVersion);
  }
  for (let i = 0; i < versions.length; i++) {
    const v = versions[i]!;
    if (v.version !== w.expectedVersion + 1 + i || v.runId !== w.runId) {
      return new InvalidArgumentError(
        `versions must be contiguous after expectedVersion ${w.expectedVersion} and belong to run ${w.runId} (got ${v.runId} v${v.version})`,
        'versions',
      );
    }
  }
  return undefined;
}

/** @throws NotFoundError when the run has no such version. */
export function checkVersion(run: RunRecord, version: unknown, what = 'version'): number {
  if (!Number.isInteger(version) || (version as number) < 1) {
    throw new InvalidArgumentError(
      `${what} must be a positive integer, got ${String(version)}`,
      what,
    );
  }
  if ((version as number) > run.headVersion)
    throw new NotFoundError('version', `${run.runId}@${String(version)}`);
  return version as number;
}
