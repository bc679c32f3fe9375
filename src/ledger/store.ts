/**
 * The ledger interface every backend implements (memory, SQLite, PostgreSQL).
 *
 * Contract, checked by the shared conformance suite (src/testing/state-store-contract.ts):
 * - Append-only: a committed version is never updated or deleted; versions of a run are
 *   contiguous from 1 and monotonic.
 * - Compare-and-append: a `RunWrite` with `expectedVersion` commits only if the run's head
 *   equals it; otherwise that write fails with `VersionConflictError` and writes nothing.
 * - Fencing: a `RunWrite` with `leaseOwner` commits only while that owner holds the lease;
 *   otherwise `LeaseLostError`.
 * - `commit` takes many runs' writes and commits them in one transaction (group commit); each
 *   write is atomic on its own, and one write's conflict does not fail the others.
 * - Identical lifecycle on every backend: construct, `migrate()`, use, `close()`.
 */

import type { EventStore } from './event-store.js';
import type { GovernanceStore } from './governance-store.js';
import type { ChangeFeed, SearchAttributes, WorkflowShape } from './observe.js';
import type { QuotaStore } from './quota-store.js';
import type {
  AuxQuery,
  AuxRecord,
  ClaimRequest,
  CommitOutcome,
  CreateRunResult,
  JournalEntry,
  NewRun,
  RunQuery,
  RunRecord,
  RunWrite,
  VersionRecord,
} from './types.js';

/** Which backend a store is. */
export type StoreKind = 'memory' | 'sqlite' | 'postgres';

/** The ledger. */
export interface StateStore {
  readonly kind: StoreKind;
  /**
   * How many group commits may be in flight at once (default 1). A store whose commit ends with
   * a wait that does not hold its write lock (SQLite's background fsync) sets more, so the next
   * batch commits while the previous one syncs.
   */
  readonly commitPipeline?: number;
  /**
   * True for a store opened read-only (`readOnly: true`): every write throws
   * `StoreReadOnlyError`, and `migrate()` only checks the store. A runtime on it skips its
   * start-up writes (catalog registration, workflow shapes) and can only answer questions.
   */
  readonly readOnly?: boolean;
  /**
   * Creates or upgrades the schema. Throws `StoreSchemaTooNewError` / `NotABatonStoreError`.
   * On a read-only store: opens and checks it, writing nothing (`StoreSchemaOutdatedError` for
   * an older schema, `NotABatonStoreError` for anything that is not a Baton store).
   */
  migrate(): Promise<void>;
  close(): Promise<void>;

  /**
   * Creates a run with its version 1 atomically. If a run with the same id or idempotency key
   * exists, returns it with `created: false` and writes nothing.
   */
  createRun(init: NewRun): Promise<CreateRunResult>;
  /**
   * Creates many runs in one transaction (group commit of starts); each init is judged on its
   * own, as by `createRun`, and a rejected one yields its error.
   */
  createRuns(inits: readonly NewRun[]): Promise<(CreateRunResult | Error)[]>;
  getRun(runId: string): Promise<RunRecord | undefined>;
  /**
   * Runs newest first (`createdAt`, then `runId`, descending), filtered, one keyset page at a
   * time (`cursor` = the last run id of the previous page).
   * @throws InvalidArgumentError for a cursor that names no run, or a bad limit.
   */
  listRuns(query: RunQuery): Promise<RunRecord[]>;
  /** The search attributes a run was created with (empty when none). */
  readAttributes(runId: string): Promise<SearchAttributes>;
  /** Records (or replaces) the shape of a workflow version. */
  saveShape(shape: WorkflowShape): Promise<void>;
  /** Recorded workflow shapes, by name then version (all when `name` is absent). */
  readShapes(name?: string): Promise<WorkflowShape[]>;

  /** Group commit: one transaction, one outcome per write (see the contract above). */
  commit(writes: readonly RunWrite[]): Promise<CommitOutcome[]>;

  /** Versions of a run in order, optionally limited to `[from, to]`. */
  readVersions(runId: string, from?: number, to?: number): Promise<VersionRecord[]>;
  readJournal(runId: string): Promise<JournalEntry[]>;

  /** Takes leases on unowned or expired runs; returns the runs now held by `owner`. */
  claimRuns(request: ClaimRequest): Promise<RunRecord[]>;
  /** Extends the leases `owner` still holds; returns the ids still held. */
  renewLeases(owner: string, runIds: readonly string[], expiresAt: number): Promise<string[]>;

  appendRecords(records: readonly AuxRecord[]): Promise<void>;
  queryRecords(query: AuxQuery): Promise<AuxRecord[]>;
  /**
   * Deletes a run with its versions, journal, search attributes and the auxiliary records about
   * it (spans, evaluations, alerts), in one transaction; audit and tombstone records stay.
   * The only exception to append-only, used by retention (which leaves a tombstone first).
   * Returns false when there was no such run.
   */
  deleteRun(runId: string): Promise<boolean>;
  /** Deletes auxiliary records of a kind older than `before` (retention). Returns how many. */
  pruneRecords(kind: AuxRecord['kind'], before: number): Promise<number>;

  /** The event log and deliveries of choreography (see event-store.ts for the contract). */
  readonly events: EventStore;

  /** The governance tables: contract catalog, grants, audit chain (governance-store.ts). */
  readonly governance: GovernanceStore;
  /** The feed of committed journal entries that watchers follow (see observe.ts). */
  readonly changes: ChangeFeed;
  /** Fleet-wide quotas taken transactionally (quota-store.ts), e.g. a model gateway's limits. */
  readonly quotas: QuotaStore;
}
