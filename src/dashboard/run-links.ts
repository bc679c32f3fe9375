/**
 * The links of a run to its parent and children (child workflows), read from the store alone:
 * a child carries its parent's run id and step as search attributes, so the dashboard needs no
 * workflow code to follow the link either way.
 */
import type { Runtime } from '../index.js';

/** The search attributes the runtime puts on a child run (see runtime/child-runner.ts). */
const PARENT = 'baton.parent';
const PARENT_STEP = 'baton.parent.step';

/** A run's parent (null for a top-level run) and its child runs, oldest id first. */
export interface RunLinks {
  readonly parent: { readonly runId: string; readonly step: string } | null;
  readonly children: readonly {
    readonly runId: string;
    readonly step: string;
    readonly workflow: string;
    readonly status: string;
  }[];
}

export async function runLinks(rt: Runtime, runId: string): Promise<RunLinks> {
  const [attributes, children] = await Promise.all([
    rt.searchAttributes(runId),
    rt.children(runId),
  ]);
  const parentId = attributes[PARENT];
  const parent = parentId ? { runId: parentId, step: attributes[PARENT_STEP] ?? '' } : null;
  // A child's id is `<parent>.<step>[.<i>]` and step names hold no dot: the step is read from
  // the id, not with one more query per child (a fan-out may have thousands).
  const links = children.map((c) => ({
    runId: c.runId,
    step: c.runId.slice(runId.length + 1).split('.')[0] ?? '',
    workflow: c.workflow,
    status: c.status,
  }));
  return { parent, children: links };
}
