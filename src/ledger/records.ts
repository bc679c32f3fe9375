/**
 * Builders of the stored records that stores keep in memory (the memory store's ledger, cached
 * rows). Each builds one object literal with every field in a fixed order, then freezes it.
 *
 * Why not `Object.freeze({ ...record, field })`: V8 gives a frozen copy of a spread object a map
 * (hidden class) of its own, so a store holding 10,000 runs held ~90,000 maps and their
 * descriptor arrays (about a third of its memory). Literals share one map per shape.
 */
import type { JournalEntry, RunPatch, RunRecord, RunStatus } from './types.js';

/** A frozen run record with the fields of `r` (and `headVersion`, when given). */
export function freezeRun(
  r: Omit<RunRecord, 'headVersion'> & { readonly headVersion?: number },
  headVersion = r.headVersion ?? 1,
): RunRecord {
  return Object.freeze({
    runId: r.runId,
    workflow: r.workflow,
    workflowVersion: r.workflowVersion,
    status: r.status,
    headVersion,
    idempotencyKey: r.idempotencyKey,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    output: r.output,
    error: r.error,
    waitingFor: r.waitingFor,
    leaseOwner: r.leaseOwner,
    leaseExpiresAt: r.leaseExpiresAt,
    parentRunId: r.parentRunId,
    parentVersion: r.parentVersion,
  });
}

/** The frozen record of `rec` after a commit: its new head and, when given, a patch. */
export function patchRun(rec: RunRecord, headVersion: number, patch?: RunPatch): RunRecord {
  if (!patch) return freezeRun(rec, headVersion);
  const lease = patch.lease;
  return Object.freeze({
    runId: rec.runId,
    workflow: rec.workflow,
    workflowVersion: rec.workflowVersion,
    status: patch.status ?? rec.status,
    headVersion,
    idempotencyKey: rec.idempotencyKey,
    createdAt: rec.createdAt,
    updatedAt: patch.updatedAt,
    output: patch.output !== undefined ? patch.output : rec.output,
    error: patch.error !== undefined ? patch.error : rec.error,
    waitingFor: patch.waitingFor !== undefined ? patch.waitingFor : rec.waitingFor,
    leaseOwner: lease === undefined ? rec.leaseOwner : (lease?.owner ?? null),
    leaseExpiresAt: lease === undefined ? rec.leaseExpiresAt : (lease?.expiresAt ?? null),
    parentRunId: rec.parentRunId,
    parentVersion: rec.parentVersion,
  });
}

/** A frozen journal entry carrying its sequence number (and the status its write set). */
export function journalWithSeq(
  j: JournalEntry,
  seq: number,
  runStatus: RunStatus | null = null,
): JournalEntry {
  return Object.freeze({
    runId: j.runId,
    seq,
    type: j.type,
    step: j.step,
    attempt: j.attempt,
    at: j.at,
    durationMs: j.durationMs,
    inputVersion: j.inputVersion,
    version: j.version,
    error: j.error,
    detail: j.detail,
    runStatus,
  });
}
