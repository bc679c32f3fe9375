/**
 * The link from a parent's slot written by a child-workflow step to the child runs that
 * produced it. A child step's version is written by `workflow.<name>@<version>`; its children
 * are the runs whose search attribute `baton.parent` names the parent run and `baton.parent.step`
 * the step (set by the runtime when it starts them), so the link is read from the store alone.
 */
import type { StateStore } from '../ledger/store.js';
import type { RunRecord, VersionRecord } from '../ledger/types.js';
import { materialize } from '../ledger/versions.js';

/** The search attributes the runtime gives a child run (runtime/child-runner.ts). */
const PARENT = 'baton.parent';
const PARENT_STEP = 'baton.parent.step';

/** Most child runs one lineage node lists (a fan-out may have thousands; pick one by index). */
export const MAX_LINEAGE_CHILDREN = 100;

/** Whether a version's writer is a child-workflow step. */
export const isChildWriter = (createdBy: string): boolean => createdBy.startsWith('workflow.');

/**
 * The child runs of `runId`'s step `step`, oldest index first: the one at `index` when given (a
 * path like `reviews[2]`), else at most MAX_LINEAGE_CHILDREN.
 */
export async function childRunsOf(
  store: StateStore,
  runId: string,
  step: string,
  index: number | undefined,
): Promise<RunRecord[]> {
  const runs = await store.listRuns({ where: { [PARENT]: runId, [PARENT_STEP]: step } });
  const sorted = runs.sort((a, b) => a.runId.localeCompare(b.runId, 'en', { numeric: true }));
  // An index picks a fan-out's element; a single child's (`<parent>.<step>`) output may be an
  // array itself, where the index is into that output.
  const picked =
    index === undefined || sorted.some((r) => r.runId === `${runId}.${step}`)
      ? sorted
      : sorted.filter((r) => r.runId === `${runId}.${step}.${index}`);
  return picked.slice(0, MAX_LINEAGE_CHILDREN);
}

/**
 * The slots of a child run's final state its output was computed from: every slot but the input
 * (the output function is code, so which slots it read is not recorded), or the input alone
 * when the child has no other slot.
 */
export function childSlots(versions: readonly VersionRecord[]): string[] {
  const state = materialize(versions);
  const slots = Object.keys(state).filter((k) => k !== 'input');
  return slots.length > 0 ? slots : ['input'];
}
