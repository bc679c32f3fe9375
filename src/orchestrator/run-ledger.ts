/**
 * A driver's writes to its run: where the run stands in the store (head, last hash, run record)
 * and every commit the driver makes — finished steps, waiting, compensating, the end.
 * The driver decides what happens to a run (run-driver.ts); this module says how it is written.
 *
 * Invariants:
 * - Every write is a compare-and-append on the head this writer last committed, fenced by the
 *   runtime's lease; a lost race or lease (VERSION_CONFLICT, LEASE_LOST) calls `onLost` and
 *   throws LeaseLostError: another writer owns the run now.
 * - `head`, `prevHash` and `run` move only after the store acknowledged the write.
 * - Journal entries buffered between commits ride along with the next write (no transaction
 *   of their own).
 */
import {
  type ErrorInfo,
  isLeaseLostError,
  isVersionConflictError,
  LeaseLostError,
} from '../errors.js';
import type { Json } from '../ledger/json.js';
import { headHashAfter, runSeal, withSeal } from '../ledger/run-seal.js';
import type {
  AuxRecord,
  JournalEntry,
  RunPatch,
  RunRecord,
  RunWrite,
  VersionRecord,
} from '../ledger/types.js';
import { type Completion, versionsFor } from './completions.js';
import { journalEntry as entry } from './journal.js';
import type { RuntimeCore } from './runtime-core.js';

/** What a write says beyond the fencing fields, which the ledger fills in. */
type WriteBody = Omit<RunWrite, 'runId' | 'expectedVersion' | 'leaseOwner'>;

/** One driver's view of its run in the store, and the writes that move it. */
export class RunLedger {
  head: number;
  prevHash: string;
  run: RunRecord;
  private pending: JournalEntry[] = [];

  constructor(
    private readonly core: RuntimeCore,
    run: RunRecord,
    last: VersionRecord,
    private readonly onLost: () => void,
  ) {
    this.run = run;
    this.head = last.version;
    this.prevHash = last.hash;
  }

  get runId(): string {
    return this.run.runId;
  }

  /** Buffers a journal entry for the next write. */
  journal(e: JournalEntry): void {
    this.pending.push(e);
  }

  /**
   * Commits finished steps as the next versions, in one write. With `output`, the run completes
   * in the same write; otherwise a run that was not `running` (resumed from waiting) becomes
   * running again with `waitingFor` as given.
   * @returns the head before the write (the first new version is one above it).
   */
  async commitSteps(
    completions: readonly Completion[],
    output: { readonly value: Json } | undefined,
    waitingFor: string | null,
  ): Promise<number> {
    const now = this.core.clock.now();
    const versions: VersionRecord[] = [];
    const journal: JournalEntry[] = [];
    const records: AuxRecord[] = [];
    // A step that started and finished since the last commit is journaled once, by its ending
    // entry (its start is `at - durationMs`): one row fewer per step on the hottest path.
    for (const e of this.pending) {
      if (e.type !== 'step.started' || !hasCompletion(completions, e.step)) journal.push(e);
    }
    this.pending = [];
    const lastHash = versionsFor(this.runId, completions, this.head, this.prevHash, now, {
      versions,
      journal,
      records,
    });
    // When these are the run's last steps, the completion rides in the same write: one
    // transaction and one head update fewer per run.
    const statusChange: RunPatch | undefined = output
      ? { status: 'completed', output: output.value, waitingFor: null, lease: null, updatedAt: now }
      : this.run.status !== 'running'
        ? { status: 'running', updatedAt: now, waitingFor }
        : undefined;
    if (output) {
      const seal = runSeal('completed', this.head + versions.length, lastHash, output.value);
      journal.push(entry(this.runId, 'run.completed', null, now, { detail: withSeal(null, seal) }));
    }
    await this.submit({
      versions,
      journal,
      records: records.length > 0 ? records : undefined,
      run: statusChange,
    });
    const before = this.head;
    this.head += versions.length;
    this.prevHash = lastHash;
    if (output) this.released({ status: 'completed', output: output.value }, now);
    else if (statusChange) this.run = { ...this.run, status: 'running' };
    return before;
  }

  /** Parks the run: `run.waiting` for `steps`, lease released. */
  async commitWaiting(steps: readonly string[], waitingFor: string | null): Promise<RunRecord> {
    const now = this.core.clock.now();
    await this.submit({
      journal: [
        ...this.takePending(),
        entry(this.runId, 'run.waiting', null, now, { detail: { steps: [...steps] } }),
      ],
      run: { status: 'waiting', waitingFor, lease: null, updatedAt: now },
    });
    this.run = {
      ...this.run,
      status: 'waiting',
      waitingFor,
      leaseOwner: null,
      leaseExpiresAt: null,
      headVersion: this.head,
    };
    return this.run;
  }

  /** Records the failure and moves the run to `compensating` (the saga runs next). */
  async commitCompensating(step: string, error: ErrorInfo): Promise<void> {
    const now = this.core.clock.now();
    await this.submit({
      journal: [
        ...this.takePending(),
        entry(this.runId, 'run.failed', step, now, { error, detail: { compensating: true } }),
      ],
      run: { status: 'compensating', error, updatedAt: now },
    });
    this.run = { ...this.run, status: 'compensating', error };
  }

  /** Appends journal entries alone (the saga's compensation steps). */
  commitJournal(entries: JournalEntry[]): Promise<void> {
    return this.submit({ journal: entries });
  }

  /**
   * Ends the run: `patch` applied, the ending entry `type` journaled (for `step` when a step
   * caused it), `versions` appended (a cancel marker, the compensated state), lease released.
   */
  async commitEnd(
    patch: Omit<RunPatch, 'updatedAt'>,
    type: JournalEntry['type'],
    step: string | null,
    detail: Record<string, unknown> | null = null,
    versions: VersionRecord[] = [],
  ): Promise<RunRecord> {
    const now = this.core.clock.now();
    // The end is sealed with the head it leaves and the output the run will show (verify checks
    // the run row against it: run-seal.ts).
    const seal = runSeal(
      patch.status ?? this.run.status,
      this.head + versions.length,
      headHashAfter(this.prevHash, versions),
      patch.output !== undefined ? patch.output : this.run.output,
    );
    await this.submit({
      versions,
      journal: [
        ...this.takePending(),
        entry(this.runId, type, step, now, {
          error: patch.error ?? null,
          detail: withSeal(detail as Json | null, seal),
        }),
      ],
      run: { ...patch, waitingFor: null, lease: null, updatedAt: now },
    });
    this.head += versions.length;
    this.released(patch, now);
    return this.run;
  }

  private takePending(): JournalEntry[] {
    return this.pending.splice(0);
  }

  /** The run record after a write that ended it (lease and waits released). */
  private released(patch: Omit<RunPatch, 'updatedAt'>, now: number): void {
    this.run = {
      ...this.run,
      ...patch,
      status: patch.status ?? this.run.status,
      output: patch.output ?? this.run.output,
      error: patch.error ?? this.run.error,
      headVersion: this.head,
      updatedAt: now,
      waitingFor: null,
      leaseOwner: null,
      leaseExpiresAt: null,
    };
  }

  /** Submits a write fenced by head and lease; a lost race or lease means another owner now. */
  private async submit(body: WriteBody): Promise<void> {
    const outcome = await this.core.committer.submit({
      runId: this.runId,
      expectedVersion: this.head,
      leaseOwner: this.core.owner,
      ...body,
    });
    if (outcome.ok) return;
    if (isVersionConflictError(outcome.error) || isLeaseLostError(outcome.error)) {
      this.onLost();
      throw new LeaseLostError(this.runId, this.core.owner);
    }
    throw outcome.error;
  }
}

/** Whether some completion is for `step` (a loop: this runs for every journal entry). */
function hasCompletion(completions: readonly Completion[], step: string | null): boolean {
  for (let i = 0; i < completions.length; i++) if (completions[i]!.step === step) return true;
  return false;
}
