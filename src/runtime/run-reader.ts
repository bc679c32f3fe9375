/**
 * Reading runs: records, lists, journal, history, state at a version, diff, verify, trace and
 * breakers. Reads never write: every answer comes from committed rows (and, for a trace, the
 * spans flushed first).
 */

import { InvalidArgumentError, NotFoundError, RunPrunedError } from '../errors.js';
import { checkVersion } from '../ledger/ledger-rules.js';
import { type RunVerifyResult, verifyRun } from '../ledger/run-seal.js';
import { StateReader } from '../ledger/state-reader.js';
import {
  type JournalEntry,
  RUN_STATUSES,
  type RunQuery,
  type RunRecord,
  type StateData,
  type StateSnapshot,
} from '../ledger/types.js';
import type { RuntimeCore } from '../orchestrator/runtime-core.js';
import type { BreakerSnapshot } from '../resilience/circuit-breaker.js';
import { readTombstone } from '../retention/prune.js';
import { diffJson, type StateDiff } from '../time-travel/diff.js';
import { readNestedTrace } from '../tracing/nested-trace.js';
import type { TraceSpan } from '../tracing/stored-span.js';
import { readUsage, type UsageQuery, type UsageReport } from '../tracing/usage.js';

/** Answers questions about runs from the store. */
export class RunReader {
  /** Snapshots at a version (cached forever: a version never changes). */
  readonly snapshots: StateReader;

  constructor(
    private readonly core: RuntimeCore,
    private readonly ready: () => Promise<void>,
  ) {
    const pii = core.pii;
    this.snapshots = new StateReader(
      core.store,
      undefined,
      pii ? (data: StateData) => pii.open(data) : undefined,
    );
  }

  /** @throws NotFoundError for an unknown run. */
  async getRun(runId: string): Promise<RunRecord> {
    if (typeof runId !== 'string' || runId.length === 0)
      throw new InvalidArgumentError('runId must be a non-empty string', 'runId');
    await this.ready();
    const run = await this.core.store.getRun(runId);
    if (run) return run;
    // A deleted run reads as pruned (its tombstone), never as missing.
    const tombstone = await readTombstone(this.core.store, runId);
    if (tombstone) throw new RunPrunedError(runId, tombstone.prunedAt);
    throw new NotFoundError('run', runId);
  }

  async listRuns(query: RunQuery = {}): Promise<RunRecord[]> {
    if (typeof query !== 'object' || query === null) {
      throw new InvalidArgumentError('listRuns takes { status?, workflow?, limit? }', 'query');
    }
    if (query.status !== undefined && !RUN_STATUSES.includes(query.status)) {
      throw new InvalidArgumentError(
        `status must be one of ${RUN_STATUSES.join(', ')}, got ${JSON.stringify(query.status)}`,
        'status',
      );
    }
    if (query.workflow !== undefined && typeof query.workflow !== 'string') {
      throw new InvalidArgumentError(
        `workflow must be a string, got ${JSON.stringify(query.workflow)}`,
        'workflow',
      );
    }
    await this.ready();
    return this.core.store.listRuns(query);
  }

  async journal(runId: string): Promise<JournalEntry[]> {
    await this.getRun(runId);
    return this.core.store.readJournal(runId);
  }

  async history(runId: string): Promise<StateSnapshot[]> {
    await this.getRun(runId);
    return this.snapshots.history(runId);
  }

  async state(runId: string, version: number): Promise<StateSnapshot> {
    if (!Number.isInteger(version) || version < 1) {
      throw new InvalidArgumentError(
        `version must be a positive integer, got ${String(version)}`,
        'version',
      );
    }
    await this.getRun(runId);
    return this.snapshots.at(runId, version);
  }

  async verify(runId: string): Promise<RunVerifyResult> {
    const run = await this.getRun(runId);
    const [versions, journal] = await Promise.all([
      this.core.store.readVersions(runId),
      this.core.store.readJournal(runId),
    ]);
    return verifyRun(run, versions, journal);
  }

  async diff(runId: string, a: number, b: number): Promise<StateDiff> {
    const run = await this.getRun(runId);
    const from = checkVersion(run, a, 'a');
    const to = checkVersion(run, b, 'b');
    const [sa, sb] = await Promise.all([
      this.snapshots.at(runId, from),
      this.snapshots.at(runId, to),
    ]);
    return { runId, from, to, changes: diffJson(sa.data, sb.data) };
  }

  async trace(runId: string): Promise<TraceSpan[]> {
    await this.getRun(runId);
    await this.core.telemetry.flush();
    return readNestedTrace(this.core.store, runId);
  }

  async usage(query: UsageQuery = {}): Promise<UsageReport> {
    await this.ready();
    await this.core.telemetry.flush();
    return readUsage(this.core.store, query);
  }

  breakers(): BreakerSnapshot[] {
    return this.core.guards.breakers();
  }
}
