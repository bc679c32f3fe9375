/**
 * Retention: deleting finished runs past their retention, each replaced by a tombstone.
 *
 * Invariants:
 * - Only finished (terminal) runs whose last change is older than the cutoff are deleted.
 *   Runs that wait, run or compensate are never touched, nor a run that is the parent of a live
 *   child, nor a child whose parent is live (its parent may still need its output).
 * - A tombstone (run id, workflow, status, final head hash, deletion time) is written before
 *   the run is deleted, so a deleted run reads as pruned (`RunPrunedError`), never as missing.
 * - Every pass that deletes anything is recorded in the audit log as `runs.prune`.
 */
import type { Json } from '../ledger/json.js';
import type { StateStore } from '../ledger/store.js';
import { type RunRecord, type RunStatus, TERMINAL_STATUSES } from '../ledger/types.js';

/** Search attribute naming a child run's parent (see runtime/child-runner.ts). */
const PARENT_ATTRIBUTE = 'baton.parent';

/** Options of `rt.prune()`. */
export interface PruneOptions {
  /** Delete finished runs whose last change is older than this many ms. */
  readonly olderThan: number;
  /** Only runs that ended with this status. */
  readonly status?: RunStatus;
  /** Only runs of this workflow. */
  readonly workflow?: string;
  /** Report what would be deleted, delete nothing. */
  readonly dryRun?: boolean;
}

/** What a prune pass did (or, dry, would do). */
export interface PruneReport {
  readonly dryRun: boolean;
  /** Runs last changed before this time were eligible. */
  readonly cutoff: number;
  readonly runIds: readonly string[];
  /** Eligible by age but kept, with the reason. */
  readonly kept: readonly { readonly runId: string; readonly reason: string }[];
}

/** What is left of a pruned run. */
export interface Tombstone {
  readonly runId: string;
  readonly workflow: string;
  readonly workflowVersion: number;
  readonly status: RunStatus;
  readonly headVersion: number;
  /** The hash of its last version: proof of what the deleted history ended with. */
  readonly headHash: string | null;
  readonly createdAt: number;
  readonly prunedAt: number;
}

/** The tombstone of a pruned run, if it was pruned. */
export async function readTombstone(
  store: StateStore,
  runId: string,
): Promise<Tombstone | undefined> {
  const [r] = await store.queryRecords({ kind: 'tombstone', key: runId, limit: 1 });
  return r ? (r.body as unknown as Tombstone) : undefined;
}

/** Deletes (or lists, dry) the finished runs past retention. */
export async function pruneRuns(
  store: StateStore,
  now: number,
  options: PruneOptions,
  principal = 'system',
): Promise<PruneReport> {
  const cutoff = now - options.olderThan;
  const candidates = (
    await store.listRuns({
      createdBefore: cutoff,
      ...(options.status ? { status: options.status } : {}),
      ...(options.workflow ? { workflow: options.workflow } : {}),
    })
  ).filter((r) => TERMINAL_STATUSES.has(r.status) && r.updatedAt < cutoff);
  const runIds: string[] = [];
  const kept: { runId: string; reason: string }[] = [];
  for (const run of candidates) {
    const reason = await liveLink(store, run);
    if (reason) kept.push({ runId: run.runId, reason });
    else runIds.push(run.runId);
  }
  const report = { dryRun: options.dryRun === true, cutoff, runIds, kept };
  if (report.dryRun || runIds.length === 0) return report;
  for (const runId of runIds) await pruneOne(store, runId, now);
  await store.governance.appendAudit([
    {
      at: now,
      principal,
      action: 'runs.prune',
      securable: 'run:*',
      params: {
        olderThan: options.olderThan,
        status: options.status ?? null,
        workflow: options.workflow ?? null,
      },
      result: 'ok',
      detail: { cutoff, pruned: runIds } as Json,
    },
  ]);
  return report;
}

/** Why a finished run must stay: its parent or one of its children is still live. */
async function liveLink(store: StateStore, run: RunRecord): Promise<string | undefined> {
  const parentId = (await store.readAttributes(run.runId))[PARENT_ATTRIBUTE];
  if (parentId) {
    const parent = await store.getRun(parentId);
    if (parent && !TERMINAL_STATUSES.has(parent.status))
      return `its parent ${parentId} is ${parent.status}`;
  }
  for (const child of await store.listRuns({ where: { [PARENT_ATTRIBUTE]: run.runId } })) {
    if (!TERMINAL_STATUSES.has(child.status)) return `its child ${child.runId} is ${child.status}`;
  }
  return undefined;
}

async function pruneOne(store: StateStore, runId: string, now: number): Promise<void> {
  const run = await store.getRun(runId);
  if (!run || !TERMINAL_STATUSES.has(run.status)) return;
  const [head] = await store.readVersions(runId, run.headVersion, run.headVersion);
  const tombstone: Tombstone = {
    runId,
    workflow: run.workflow,
    workflowVersion: run.workflowVersion,
    status: run.status,
    headVersion: run.headVersion,
    headHash: head?.hash ?? null,
    createdAt: run.createdAt,
    prunedAt: now,
  };
  await store.appendRecords([
    { kind: 'tombstone', key: runId, runId: null, at: now, body: tombstone as unknown as Json },
  ]);
  await store.deleteRun(runId);
}
