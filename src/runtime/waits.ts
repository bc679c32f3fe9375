/**
 * What waiting runs wait for: a timer (`.sleep()`), a signal (`.wait()`), a reviewer (a step
 * with `onFailure: 'human'`), or an agent's own wait (`ctx.suspend`, e.g. a tool approval). Read from the store alone (the run's parked steps and the journal
 * entries that parked them), so any runtime or the CLI answers the same.
 */
import type { StateStore } from '../ledger/store.js';
import type { JournalEntry } from '../ledger/types.js';
import { parkedSteps } from '../orchestrator/parked.js';
import { isAgentWait } from '../orchestrator/suspensions.js';

/** Why a run waits: 'agent' is an agent parked on its own wait (e.g. a tool awaiting approval). */
export type WaitReason = 'timer' | 'signal' | 'review' | 'agent';

/** One parked step of a waiting run. */
export interface WaitInfo {
  readonly runId: string;
  readonly workflow: string;
  readonly step: string;
  readonly reason: WaitReason;
  /** When the wait began (ms since the epoch). */
  readonly since: number;
  /** When a timer fires or a wait times out; null when nothing is due. */
  readonly dueAt: number | null;
}

/** Filter of `rt.waits()`. */
export interface WaitQuery {
  readonly reason?: WaitReason;
  readonly workflow?: string;
}

/** Every parked step of every waiting run, soonest due first (then oldest). */
export async function listWaits(store: StateStore, query: WaitQuery = {}): Promise<WaitInfo[]> {
  const runs = await store.listRuns({
    status: 'waiting',
    ...(query.workflow ? { workflow: query.workflow } : {}),
  });
  const out: WaitInfo[] = [];
  for (const run of runs) {
    const journal = await store.readJournal(run.runId);
    for (const step of parkedSteps(run.waitingFor)) {
      const info = waitOf(journal, step);
      const w = { runId: run.runId, workflow: run.workflow, step, ...info };
      if (!query.reason || w.reason === query.reason) out.push(w);
    }
  }
  const due = (w: WaitInfo) => w.dueAt ?? Number.POSITIVE_INFINITY;
  return out.sort((a, b) => due(a) - due(b) || a.since - b.since);
}

function waitOf(
  journal: readonly JournalEntry[],
  step: string,
): { reason: WaitReason; since: number; dueAt: number | null } {
  if (isAgentWait(step)) {
    for (let i = journal.length - 1; i >= 0; i--) {
      const j = journal[i]!;
      const d = j.detail as { reason?: unknown; wait?: unknown } | null;
      if (j.type === 'wait.started' && d?.reason === 'agent' && d.wait === step)
        return { reason: 'agent', since: j.at, dueAt: null };
    }
  }
  for (let i = journal.length - 1; i >= 0; i--) {
    const j = journal[i]!;
    if (j.step !== step) continue;
    if (j.type === 'wait.started') {
      const d = (j.detail ?? {}) as { deadline?: unknown; reason?: unknown };
      return {
        reason: d.reason === 'timer' ? 'timer' : 'signal',
        since: j.at,
        dueAt: typeof d.deadline === 'number' ? d.deadline : null,
      };
    }
    if (j.type === 'step.failed') return { reason: 'review', since: j.at, dueAt: null };
  }
  return { reason: 'signal', since: 0, dueAt: null };
}
