/**
 * Durable wait timeouts: a parked wait whose deadline passed is taken by the runtime that
 * noticed (a compare-and-append on the run's head, so a signal or a cancel that landed first
 * wins) and resumed with the wait's `onTimeout`: 'skip' fills the slot with the skipped
 * marker, 'fail' fails the run (and compensates it).
 */
import { describeError, StepTimeoutError } from '../errors.js';
import type { RunRecord } from '../ledger/types.js';
import { journalEntry } from './journal.js';
import type { RunDriver } from './run-driver.js';
import type { Alert } from './run-types.js';
import type { RuntimeCore } from './runtime-core.js';
import { fireTimer } from './timers.js';
import type { WorkflowRegistry } from './workflow-registry.js';

/** A run taken over because its wait expired: drive it with `prepare`, then raise `alert`. */
export interface ExpiredWait {
  readonly run: RunRecord;
  readonly prepare: (driver: RunDriver) => void;
  /** Raised for a wait that timed out (a timer firing raises none). */
  readonly alert?: Alert;
}

/** Takes a run whose wait expired, or returns undefined when there is nothing (left) to do. */
export async function expireWait(
  core: RuntimeCore,
  registry: WorkflowRegistry,
  runId: string,
  step: string,
): Promise<ExpiredWait | undefined> {
  const run = await core.store.getRun(runId);
  if (run?.status !== 'waiting' || !registry.has(run.workflow, run.workflowVersion))
    return undefined;
  const spec = registry.get(run.workflow, run.workflowVersion).steps.find((s) => s.name === step);
  if (spec?.kind === 'sleep') return fireTimer(core, run, step);
  if (spec?.kind !== 'wait') return undefined;
  const now = core.clock.now();
  const lease = { owner: core.owner, expiresAt: now + core.leaseMs };
  const onTimeout = spec.onTimeout ?? 'fail';
  const [outcome] = await core.store.commit([
    {
      runId,
      expectedVersion: run.headVersion,
      journal: [journalEntry(runId, 'wait.timed_out', step, now, { detail: { onTimeout } })],
      run: { status: 'running', lease, updatedAt: now },
    },
  ]);
  if (!outcome?.ok) return undefined; // A signal or a cancel got there first.
  const error = waitTimeoutError(step, spec.timeoutMs ?? 0);
  return {
    run: { ...run, status: 'running', leaseOwner: lease.owner, leaseExpiresAt: lease.expiresAt },
    prepare: (d) =>
      onTimeout === 'skip' ? d.skipWait(step, error.message) : d.failWait(step, error),
    alert: {
      kind: 'wait_timed_out',
      runId,
      workflow: run.workflow,
      step,
      message: error.message,
      error,
    },
  };
}

/** The error info of a wait that timed out with onTimeout 'fail'. */
export function waitTimeoutError(step: string, timeoutMs: number) {
  return describeError(new StepTimeoutError(step, timeoutMs), step);
}
