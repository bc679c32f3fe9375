/**
 * A repeated start (same run id or idempotency key) returns the existing run only when it is the
 * same request: same workflow, same version, same input. Anything else is a conflict, so a caller
 * never receives another workflow's run (and output) as if it were its own.
 */
import { IdempotencyConflictError } from '../errors.js';
import type { RunRecord, VersionRecord } from '../ledger/types.js';
import type { RuntimeCore } from './runtime-core.js';
import type { Workflow } from './workflow.js';

/**
 * Checks that an existing run matches the start that found it.
 * @throws IdempotencyConflictError naming what differs (workflow, version or input).
 */
export async function assertSameStart(
  core: RuntimeCore,
  existing: RunRecord,
  wf: Workflow,
  firstVersion: VersionRecord,
  opts: { readonly runId?: string | undefined; readonly idempotencyKey?: string | undefined },
): Promise<void> {
  const key =
    opts.runId !== undefined && existing.runId === opts.runId ? 'runId' : 'idempotencyKey';
  const value = (key === 'runId' ? opts.runId : opts.idempotencyKey) ?? existing.runId;
  const conflict = (differs: string) =>
    new IdempotencyConflictError(key, value, existing.runId, differs);
  if (existing.workflow !== wf.name) throw conflict(`workflow ('${existing.workflow}')`);
  if (existing.workflowVersion !== wf.version)
    throw conflict(`workflow version (${existing.workflowVersion})`);
  // Version 1 is the canonical (sorted-key) encoding of the input, so equal inputs encode equal.
  const [stored] = await core.store.readVersions(existing.runId, 1, 1);
  if (stored && stored.payload !== firstVersion.payload) throw conflict('input');
}
