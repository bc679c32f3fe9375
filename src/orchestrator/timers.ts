/**
 * Durable timers (`.sleep()`): a sleeping run is parked like a wait, with its due time in the
 * journal (`wait.started`, detail `{ deadline, reason: 'timer' }`), and holds nothing in memory
 * but one deadline entry. When the time comes, the runtime that notices takes the run with a
 * compare-and-append on its head (`timer.fired`), so the timer fires once across every runtime
 * sharing the store, and fills the slot with `{ dueAt, firedAt }`.
 */
import type { RunRecord } from '../ledger/types.js';
import { journalEntry } from './journal.js';
import type { RunDriver } from './run-driver.js';
import type { RuntimeCore } from './runtime-core.js';

/** A run taken because its timer is due: drive it with `prepare`. */
export interface FiredTimer {
  readonly run: RunRecord;
  readonly prepare: (driver: RunDriver) => void;
}

/** The due time of a parked timer, from the journal entry that parked it. */
export async function timerDue(core: RuntimeCore, runId: string, step: string): Promise<number> {
  let due = core.clock.now();
  for (const j of await core.store.readJournal(runId)) {
    if (j.type !== 'wait.started' || j.step !== step) continue;
    const at = (j.detail as { deadline?: unknown } | null)?.deadline;
    if (typeof at === 'number') due = at;
  }
  return due;
}

/** Takes a run whose timer is due (or undefined if a cancel or another runtime got there first). */
export async function fireTimer(
  core: RuntimeCore,
  run: RunRecord,
  step: string,
): Promise<FiredTimer | undefined> {
  const dueAt = await timerDue(core, run.runId, step);
  const now = core.clock.now();
  if (dueAt > now) return undefined;
  const lease = { owner: core.owner, expiresAt: now + core.leaseMs };
  const [outcome] = await core.store.commit([
    {
      runId: run.runId,
      expectedVersion: run.headVersion,
      journal: [journalEntry(run.runId, 'timer.fired', step, now, { detail: { dueAt } })],
      run: { status: 'running', lease, updatedAt: now },
    },
  ]);
  if (!outcome?.ok) return undefined;
  return {
    run: { ...run, status: 'running', leaseOwner: lease.owner, leaseExpiresAt: lease.expiresAt },
    prepare: (d) => d.fireTimer(step, dueAt),
  };
}
