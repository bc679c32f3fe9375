/**
 * The engine's own public types: a run handle, start options, alerts. Declared with the engine,
 * below the runtime facade (runtime/runtime-types.ts re-exports them), so every part that uses
 * one (driver, saga, waits) depends downward only.
 */
import type { ErrorInfo } from '../errors.js';
import type { RunStatus } from '../ledger/types.js';

/** Something an operator must look at: a review task, a failed compensation, an orphaned run. */
export interface Alert {
  readonly kind: 'review' | 'compensation_failed' | 'workflow_not_registered' | 'wait_timed_out';
  readonly runId: string;
  readonly workflow: string;
  readonly step?: string;
  readonly message: string;
  readonly error?: ErrorInfo;
}

/** Options of `rt.start`. */
export interface StartOptions {
  /** Use this run id (default: a new sortable id). */
  readonly runId?: string;
  /** Starting twice with the same key returns the same run, even from two processes. */
  readonly idempotencyKey?: string;
  /** Search attributes added to those the workflow's `searchable` derives (these win). */
  readonly tags?: Readonly<Record<string, string>>;
}

/** A started run. */
export interface RunHandle<Out = unknown> {
  readonly id: string;
  /** The run's current status, read from the store. */
  status(): Promise<RunStatus>;
  /**
   * Resolves with the workflow output once the run completes.
   * @throws RunFailedError when it ends failed, compensated or compensation_failed.
   * @throws RunCancelledError when it is cancelled.
   */
  result(): Promise<Out>;
}
