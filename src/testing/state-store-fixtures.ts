/**
 * Builders for store tests and benchmarks: runs with a real version 1, chained versions, and a
 * compare-and-append loop that retries on conflict the way the orchestrator does.
 */
import { isVersionConflictError } from '../errors.js';
import { GENESIS_HASH } from '../ledger/hash.js';
import type { Json } from '../ledger/json.js';
import type { StateStore } from '../ledger/store.js';
import type {
  CommitOutcome,
  JournalEntry,
  NewRun,
  RunRecord,
  RunStatus,
  VersionRecord,
} from '../ledger/types.js';
import { buildVersion } from '../ledger/versions.js';

/** Options of `sampleRun`. */
export interface SampleRunOptions {
  readonly workflow?: string;
  readonly status?: RunStatus;
  readonly idempotencyKey?: string | null;
  readonly createdAt?: number;
  readonly input?: Json;
  readonly journal?: readonly JournalEntry[];
}

/** A `NewRun` for `runId` whose version 1 is a properly hashed input slot. */
export function sampleRun(runId: string, o: SampleRunOptions = {}): NewRun {
  const createdAt = o.createdAt ?? 1_000;
  const run: Omit<RunRecord, 'headVersion'> = {
    runId,
    workflow: o.workflow ?? 'wf',
    workflowVersion: 1,
    status: o.status ?? 'pending',
    idempotencyKey: o.idempotencyKey ?? null,
    createdAt,
    updatedAt: createdAt,
    output: null,
    error: null,
    waitingFor: null,
    leaseOwner: null,
    leaseExpiresAt: null,
    parentRunId: null,
    parentVersion: null,
  };
  const firstVersion = buildVersion(
    {
      runId,
      version: 1,
      step: 'input',
      createdBy: 'system',
      inputVersion: null,
      contract: null,
      createdAt,
      prevHash: GENESIS_HASH,
    },
    o.input ?? { runId },
  );
  return { run, firstVersion, ...(o.journal ? { journal: o.journal } : {}) };
}

/** The version after `prev`, writing `value` into slot `step`, chained to `prev`'s hash. */
export function nextVersion(
  prev: VersionRecord,
  step: string,
  value: Json,
  createdBy = 'agent@1.0.0',
): VersionRecord {
  return buildVersion(
    {
      runId: prev.runId,
      version: prev.version + 1,
      step,
      createdBy,
      inputVersion: prev.version,
      contract: null,
      createdAt: prev.createdAt + 1,
      prevHash: prev.hash,
    },
    value,
  );
}

/** A journal entry with only the fields a test cares about set. */
export function journalEntry(
  runId: string,
  type: JournalEntry['type'],
  at: number,
  step: string | null = null,
): JournalEntry {
  return {
    runId,
    type,
    step,
    attempt: null,
    at,
    durationMs: null,
    inputVersion: null,
    version: null,
    error: null,
    detail: null,
  };
}

/** What `appendWithRetry` did. */
export interface AppendResult {
  /** The version this call won. */
  readonly version: VersionRecord;
  /** How many times it lost the race and retried. */
  readonly conflicts: number;
}

/**
 * Appends one version to `runId` by compare-and-append, re-reading the head and retrying on
 * `VersionConflictError`, as any writer racing others must.
 * @throws whatever the store reports other than a conflict, or after `maxAttempts` conflicts.
 */
export async function appendWithRetry(
  store: StateStore,
  runId: string,
  step: string,
  value: Json,
  maxAttempts = 10_000,
): Promise<AppendResult> {
  for (let conflicts = 0; conflicts < maxAttempts; conflicts++) {
    const run = await store.getRun(runId);
    if (!run) throw new Error(`run ${runId} does not exist`);
    const [head] = await store.readVersions(runId, run.headVersion, run.headVersion);
    if (!head) throw new Error(`run ${runId} has no version ${run.headVersion}`);
    const version = nextVersion(head, step, value);
    const [outcome] = await store.commit([
      { runId, expectedVersion: head.version, versions: [version] },
    ]);
    if (outcome?.ok) return { version, conflicts };
    if (!outcome || !isVersionConflictError(outcome.error)) throw outcome?.error;
  }
  throw new Error(`gave up appending to ${runId} after ${maxAttempts} conflicts`);
}

/** What a backend's factory hands the suite: a fresh, not yet migrated store. */
export interface StoreUnderTest {
  readonly store: StateStore;
  /** Removes what the store left behind (a temp file, a schema). Called after `close()`. */
  readonly cleanup?: () => Promise<void>;
}

/** Gives a test the store of the current test. */
export type CurrentStore = () => StateStore;

/** Expects a failed outcome and returns its error. */
export function failure(outcome: CommitOutcome | undefined): Error {
  if (!outcome || outcome.ok) throw new Error(`expected a failed outcome, got ${String(outcome)}`);
  return outcome.error;
}
