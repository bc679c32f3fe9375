/**
 * Domain types of the ledger: runs, versions (snapshots as stored), the step journal and
 * auxiliary records (breaker transitions, spans, evaluations, alerts, result cache).
 * Row types of each backend live inside that backend and are mapped at its boundary.
 */
import type { ErrorInfo } from '../errors.js';
import type { Json, JsonObject } from './json.js';

/** Every status a run can be in. */
export type RunStatus =
  | 'pending'
  | 'running'
  | 'waiting'
  | 'completed'
  | 'failed'
  | 'cancelled'
  | 'compensating'
  | 'compensated'
  | 'compensation_failed';

/** Statuses a run never leaves. */
export const TERMINAL_STATUSES: ReadonlySet<RunStatus> = new Set<RunStatus>([
  'completed',
  'failed',
  'cancelled',
  'compensated',
  'compensation_failed',
]);

/** Every run status, for validation of user input (CLI flags, queries). */
export const RUN_STATUSES: readonly RunStatus[] = [
  'pending',
  'running',
  'waiting',
  'completed',
  'failed',
  'cancelled',
  'compensating',
  'compensated',
  'compensation_failed',
];

/** How a version changes the state: set one slot, or replace the whole state (rollback). */
export type VersionKind = 'slot' | 'reset';

/**
 * One version as stored. It holds only what it changed (one slot, or the whole state for a
 * reset), so storage grows with the data, not with versions x state size.
 */
export interface VersionRecord {
  readonly runId: string;
  /** 1-based; version 1 is the workflow input. */
  readonly version: number;
  /** The slot written ('input' for v1), or a system marker such as '$rollback'. */
  readonly step: string;
  readonly kind: VersionKind;
  /** Canonical JSON of the slot value (kind 'slot') or of the whole state (kind 'reset'). */
  readonly payload: string;
  /** `agent@version` or `system`. */
  readonly createdBy: string;
  /** The version the producing step read its input from. */
  readonly inputVersion: number | null;
  /** The contract the slot value satisfied. */
  readonly contract: string | null;
  /** A marker: 'rollback:3', 'cached', 'skipped', 'compensated', 'signal', ... */
  readonly tag: string | null;
  readonly createdAt: number;
  readonly traceId: string | null;
  readonly hash: string;
  readonly prevHash: string;
}

/** The materialized state: one slot per step. */
export type StateData = JsonObject;

/** A state snapshot as users see it: a version with its materialized data. */
export interface StateSnapshot<D = StateData> {
  readonly runId: string;
  readonly version: number;
  readonly data: D;
  readonly step: string;
  readonly createdBy: string;
  readonly inputVersion: number | null;
  readonly contract: string | null;
  readonly tag: string | null;
  readonly hash: string;
  readonly prevHash: string;
  readonly createdAt: number;
  readonly traceId: string | null;
}

/** A run as stored. */
export interface RunRecord {
  readonly runId: string;
  readonly workflow: string;
  readonly workflowVersion: number;
  readonly status: RunStatus;
  /** The newest committed version. */
  readonly headVersion: number;
  readonly idempotencyKey: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly output: Json | null;
  readonly error: ErrorInfo | null;
  /** What the run waits for while `waiting` (a signal name). */
  readonly waitingFor: string | null;
  readonly leaseOwner: string | null;
  readonly leaseExpiresAt: number | null;
  readonly parentRunId: string | null;
  readonly parentVersion: number | null;
}

/** Fields a commit may change on a run. */
export interface RunPatch {
  readonly status?: RunStatus;
  readonly output?: Json | null;
  readonly error?: ErrorInfo | null;
  readonly waitingFor?: string | null;
  readonly updatedAt: number;
  /** Set the lease (owner and expiry) or release it (null). */
  readonly lease?: { readonly owner: string; readonly expiresAt: number } | null;
}

/** Every kind of journal entry. */
export type JournalType =
  | 'run.started'
  | 'run.resumed'
  | 'run.completed'
  | 'run.failed'
  | 'run.cancelled'
  | 'run.waiting'
  | 'run.rolled_back'
  | 'step.started'
  | 'step.succeeded'
  | 'step.failed'
  | 'step.skipped'
  | 'step.cached'
  | 'attempt.started'
  | 'attempt.failed'
  /** An entry an agent added during an attempt (`ctx.note`), e.g. an LLM agent's model call. */
  | 'attempt.note'
  | 'wait.started'
  | 'wait.timed_out'
  | 'timer.fired'
  | 'signal.received'
  | 'compensation.started'
  | 'compensation.succeeded'
  | 'compensation.failed'
  | 'compensation.attempt_failed';

/** One journal entry. `seq` is assigned by the store. */
export interface JournalEntry {
  readonly runId: string;
  readonly seq?: number;
  readonly type: JournalType;
  readonly step: string | null;
  readonly attempt: number | null;
  readonly at: number;
  readonly durationMs: number | null;
  /** The state version the step read (inputVersion) or wrote (version). */
  readonly inputVersion: number | null;
  readonly version: number | null;
  readonly error: ErrorInfo | null;
  readonly detail: Json | null;
  /**
   * Set by the store: the run status the same write set, on the write's last entry (absent or
   * null when the write left the status alone). What watchers read as a status change.
   */
  readonly runStatus?: RunStatus | null;
}

/** Kinds of auxiliary records. */
export type AuxKind =
  | 'breaker'
  | 'span'
  | 'evaluation'
  | 'alert'
  | 'cache'
  | 'audit'
  | 'schedule'
  | 'tombstone'
  /** A call counted against a fleet-wide quota (quota-store.ts). */
  | 'quota';

/** An auxiliary record: breaker transition, span, evaluation, alert, cached result, audit entry. */
export interface AuxRecord {
  readonly kind: AuxKind;
  /** What the record is about (breaker name, span id, cache key, ...). */
  readonly key: string;
  readonly runId: string | null;
  readonly at: number;
  readonly body: Json;
}

/** Filter for auxiliary records. */
export interface AuxQuery {
  readonly kind: AuxKind;
  readonly key?: string;
  readonly runId?: string;
  /** Newest first when true (default oldest first). */
  readonly newestFirst?: boolean;
  readonly limit?: number;
}

/** Filter for listing runs (newest first, keyset-paginated). */
export interface RunQuery {
  readonly status?: RunStatus;
  readonly workflow?: string;
  readonly limit?: number;
  /** Only runs whose search attributes have all of these values. */
  readonly where?: Readonly<Record<string, string>>;
  /** Only runs created at or after this time (ms since the epoch). */
  readonly createdAfter?: number;
  /** Only runs created before this time (ms since the epoch). */
  readonly createdBefore?: number;
  /**
   * Keyset pagination: the `runId` of the last run of the previous page; the page goes on from
   * just after it (in newest-first order). An unknown run id is an InvalidArgumentError.
   */
  readonly cursor?: string;
}

/** What creating a run writes: the run row and version 1, atomically. */
export interface NewRun {
  readonly run: Omit<RunRecord, 'headVersion'>;
  readonly firstVersion: VersionRecord;
  readonly journal?: readonly JournalEntry[];
  /** Search attributes, indexed for `listRuns({ where })`. */
  readonly attributes?: Readonly<Record<string, string>>;
}

/** Result of `createRun`: `created` is false when the idempotency key or id already existed. */
export interface CreateRunResult {
  readonly run: RunRecord;
  readonly created: boolean;
}

/**
 * One run's atomic unit in a (group) commit. All of it is written, or none of it.
 */
export interface RunWrite {
  readonly runId: string;
  /** Compare-and-append: the run's head must equal this. Required when `versions` is non-empty. */
  readonly expectedVersion?: number;
  /** Fencing: the run's lease must be held by this owner (and not have been taken over). */
  readonly leaseOwner?: string;
  /** New versions, contiguous from `expectedVersion + 1`. */
  readonly versions?: readonly VersionRecord[];
  readonly journal?: readonly JournalEntry[];
  readonly run?: RunPatch;
  readonly records?: readonly AuxRecord[];
}

/** Outcome of one `RunWrite`. */
export type CommitOutcome =
  | { readonly ok: true; readonly headVersion: number }
  | { readonly ok: false; readonly error: Error };

/** A request to take leases on runs a runtime may drive. */
export interface ClaimRequest {
  readonly owner: string;
  readonly now: number;
  readonly expiresAt: number;
  /** Claim these statuses only (default: pending, running, compensating). */
  readonly statuses?: readonly RunStatus[];
  /** Claim runs of these workflows only. */
  readonly workflows?: readonly string[];
  readonly limit: number;
}
