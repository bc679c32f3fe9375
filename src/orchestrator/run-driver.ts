/**
 * Drives one run: the single writer of its state.
 *
 * Invariants:
 * - Versions are assigned by this driver only, in commit order, each committed with
 *   compare-and-append on the head this driver last committed and fenced by its lease, so a
 *   driver that lost its run (lease taken over, run cancelled elsewhere) can commit nothing.
 * - A step is done when its slot is in the state; the state is only ever read from committed
 *   versions, so a resumed run never re-runs a committed step.
 * - When a step fails with `fail`, no new step starts; steps already running finish and are
 *   committed (their side effects happened, so they must be compensated too), then the saga runs.
 */

import type { Agent } from '../agents/agent.js';
import { describeError, type ErrorInfo, isLeaseLostError, LeaseLostError } from '../errors.js';
import { type Json, sealJson } from '../ledger/json.js';
import type {
  AuxRecord,
  JournalEntry,
  RunPatch,
  RunRecord,
  RunWrite,
  StateData,
  VersionRecord,
} from '../ledger/types.js';
import { Cancellation } from '../resilience/cancellation.js';
import {
  noopRunScope,
  noopStepScope,
  noopTelemetry,
  type RunScope,
  type StepScope,
} from '../tracing/telemetry.js';
import {
  type Completion,
  type StepTiming,
  skipped,
  succeeded,
  versionsFor,
} from './completions.js';
import { type DegradeTarget, degrade } from './degrade.js';
import { cancelMarker, journalEntry as entry } from './journal.js';
import { parkedSteps, serializeParked } from './parked.js';
import type { RuntimeCore } from './runtime-core.js';
import { runStep } from './step-runner.js';
import type { StepSpec, Workflow } from './workflow.js';

/** How a driver stopped. */
export type DriverEnd =
  | { readonly kind: 'ended'; readonly run: RunRecord }
  | { readonly kind: 'waiting'; readonly run: RunRecord }
  | { readonly kind: 'detached'; readonly reason: string };

/** Drives one run until it ends, waits, or loses its lease. */
export class RunDriver {
  private head: number;
  private prevHash: string;
  private data: StateData;
  private readonly inFlight = new Map<string, number>();
  private readonly completions: Completion[] = [];
  private journalBuffer: JournalEntry[] = [];
  private failure: { step: string; error: ErrorInfo } | undefined;
  private readonly parked: Set<string>;
  /** Stops this run's agents; a Cancellation, so a run never stopped pays for no AbortSignal. */
  private readonly stop = new Cancellation();
  private stopReason: 'cancelled' | 'lease_lost' | 'closed' | undefined;
  private wake: (() => void) | undefined;
  private scope: RunScope | undefined;
  /** False without telemetry: then no span attributes are built (garbage on every step). */
  private readonly traced: boolean;

  constructor(
    private readonly core: RuntimeCore,
    private readonly workflow: Workflow,
    private run: RunRecord,
    versions: readonly VersionRecord[],
    data: StateData,
  ) {
    const last = versions[versions.length - 1]!;
    this.head = last.version;
    this.prevHash = last.hash;
    this.data = data;
    this.parked = new Set(parkedSteps(run.waitingFor));
    this.traced = core.telemetry !== noopTelemetry;
  }

  get runId(): string {
    return this.run.runId;
  }

  /** Stops the driver: in-flight agents are aborted; nothing more is committed unless cancelling. */
  halt(reason: 'cancelled' | 'lease_lost' | 'closed'): void {
    if (this.stopReason) return;
    this.stopReason = reason;
    this.stop.abort(
      reason === 'lease_lost' ? new LeaseLostError(this.run.runId, this.core.owner) : reason,
    );
    this.wake?.();
  }

  /** Marks a parked wait as failed (its timeout passed with onTimeout 'fail'). */
  failWait(step: string, error: ErrorInfo): void {
    this.parked.delete(step);
    this.failure ??= { step, error };
  }

  /** Fills a parked wait with the skipped marker (its timeout passed with onTimeout 'skip'). */
  skipWait(step: string, reason: string): void {
    this.parked.delete(step);
    const spec = this.workflow.steps.find((s) => s.name === step);
    if (spec) this.pushSkip(spec, reason);
  }

  /** Drives the run. Never throws for run-level failures; those end the run. */
  async drive(): Promise<DriverEnd> {
    const w = this.workflow;
    this.scope = this.traced
      ? this.core.telemetry.run(this.runId, {
          'baton.run.id': this.runId,
          'baton.workflow': w.name,
          'baton.workflow.version': w.version,
          'baton.run.resumed_from': this.head,
          'baton.run.status.at_start': this.run.status,
        })
      : noopRunScope;
    let end: DriverEnd;
    try {
      end = this.run.status === 'compensating' ? await this.compensate() : await this.progress();
    } catch (e) {
      if (this.stopReason === 'lease_lost' || isLeaseLostError(e)) {
        end = { kind: 'detached', reason: 'lease lost' };
      } else if (this.stopReason === 'closed') {
        end = { kind: 'detached', reason: 'runtime closed' };
      } else {
        // The store refused or failed a commit: stop the agents still running for this run (the
        // run stays resumable from its last committed version, by this or another runtime).
        this.halt('closed');
        this.scope.end('error', describeError(e));
        throw e;
      }
    }
    this.scope.end(
      end.kind === 'detached' ? `detached: ${end.reason}` : end.run.status,
      end.kind === 'ended' ? (end.run.error ?? undefined) : undefined,
    );
    return end;
  }

  private async progress(): Promise<DriverEnd> {
    for (;;) {
      if (this.stopReason === 'cancelled') {
        const marker = cancelMarker(
          this.runId,
          this.head + 1,
          this.prevHash,
          this.core.clock.now(),
        );
        return this.finish({ status: 'cancelled' }, 'run.cancelled', null, [marker]);
      }
      if (this.stopReason) return { kind: 'detached', reason: this.stopReason };
      if (!this.failure) this.launchReady();
      // Journal entries ride along with the next version commit (no extra transaction).
      if (this.completions.length > 0) {
        const ended = await this.flush();
        if (ended) return ended;
        continue;
      }
      if (this.inFlight.size > 0) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        this.wake = undefined;
        continue;
      }
      if (this.failure) return this.failRun();
      if (hasAll(this.data, this.workflow.order)) return this.complete();
      if (this.parked.size > 0) return this.enterWaiting();
      throw new Error(`run ${this.runId}: no step can make progress (internal error)`);
    }
  }

  private launchReady(): void {
    for (const spec of this.workflow.steps) {
      const name = spec.name;
      if (name in this.data || this.inFlight.has(name) || this.parked.has(name)) continue;
      if (!hasAll(this.data, spec.needs)) continue;
      const view = this.view(spec);
      if (spec.when && !(spec.when as (v: unknown) => boolean)(view)) {
        this.pushSkip(spec, 'condition false (when)');
        continue;
      }
      if (spec.kind === 'wait') {
        this.parkWait(spec);
        continue;
      }
      this.launch(spec as StepSpec & { agent: Agent }, view);
    }
  }

  private view(spec: StepSpec): Record<string, unknown> {
    const view: Record<string, unknown> = { input: this.data.input };
    for (const n of spec.needs) view[n] = this.data[n];
    return Object.freeze(view);
  }

  private launch(spec: StepSpec & { agent: Agent }, view: unknown): void {
    const startedAt = this.core.clock.now();
    const inputVersion = this.head;
    this.inFlight.set(spec.name, startedAt);
    this.journal(entry(this.runId, 'step.started', spec.name, startedAt, { inputVersion }));
    const at = spec.agent.id.lastIndexOf('@');
    const scope = this.traced
      ? this.runScope().step(spec.name, {
          'baton.run.id': this.runId,
          'baton.workflow': this.workflow.name,
          'baton.workflow.version': this.workflow.version,
          'baton.step': spec.name,
          'baton.agent': spec.agent.id.slice(0, at),
          'baton.agent.version': spec.agent.id.slice(at + 1),
          'baton.state.version.in': inputVersion,
        })
      : noopStepScope;
    void runStep({
      scope,
      core: this.core,
      workflow: this.workflow,
      runId: this.runId,
      step: spec,
      view,
      inputVersion,
      signal: this.stop,
      journal: (e) => this.journal(e),
    }).then(async (result) => {
      const now = this.core.clock.now();
      const timing = { inputVersion, durationMs: now - startedAt, attempt: result.attempts };
      if (result.ok) {
        this.completions.push(
          succeeded(this.runId, spec.agent, spec.name, result, timing, now, scope),
        );
      } else {
        await degrade(this.degradeTarget(), spec, result, timing, now, scope);
      }
      // A finished step stays in flight until its version is committed (see flush), so it is
      // never launched twice; a step that ended without a version leaves now.
      if (!completionOf(this.completions, spec.name)) this.inFlight.delete(spec.name);
      this.wake?.();
    });
  }

  private pushSkip(
    spec: StepSpec,
    reason: string,
    error: ErrorInfo | null = null,
    timing: StepTiming | null = null,
    scope?: StepScope,
  ): void {
    const stepScope =
      scope ??
      this.runScope().step(spec.name, { 'baton.step': spec.name, 'baton.run.id': this.runId });
    this.completions.push(
      skipped(
        this.runId,
        spec.name,
        reason,
        this.head,
        this.core.clock.now(),
        stepScope,
        error,
        timing,
      ),
    );
  }

  /** What a failed step may do to this run: see degrade.ts. */
  private degradeTarget(): DegradeTarget {
    return {
      runId: this.runId,
      workflow: this.workflow,
      core: this.core,
      stopped: () => this.stopReason !== undefined,
      push: (c) => this.completions.push(c),
      park: (step) => this.parked.add(step),
      journal: (e) => this.journal(e),
      fail: (step, error) => {
        this.failure ??= { step, error };
      },
      skip: (spec, reason, error, timing, scope) =>
        this.pushSkip(spec, reason, error, timing, scope),
    };
  }

  private runScope(): RunScope {
    return this.scope ?? noopTelemetry.run(this.runId, {});
  }

  private parkWait(spec: StepSpec): void {
    this.parked.add(spec.name);
    const now = this.core.clock.now();
    const deadline = spec.timeoutMs !== undefined ? now + spec.timeoutMs : null;
    this.runScope().event('wait.started', {
      'baton.step': spec.name,
      'baton.wait.deadline': deadline ?? undefined,
    });
    this.journal(entry(this.runId, 'wait.started', spec.name, now, { detail: { deadline } }));
  }

  private journal(e: JournalEntry): void {
    this.journalBuffer.push(e);
  }

  /** Commits every finished step as new versions, in one write (one transaction, shared). */
  private async flush(): Promise<DriverEnd | undefined> {
    const completions = this.completions.splice(0);
    const now = this.core.clock.now();
    const versions: VersionRecord[] = [];
    const journal: JournalEntry[] = [];
    const records: AuxRecord[] = [];
    // A step that started and finished since the last commit is journaled once, by its ending
    // entry (its start is `at - durationMs`): one row fewer per step on the hottest path.
    for (const e of this.journalBuffer) {
      if (e.type !== 'step.started' || !completionOf(completions, e.step)) journal.push(e);
    }
    this.journalBuffer = [];
    const stored = this.core.pii ? await this.sealCompletions(completions) : completions;
    const lastHash = versionsFor(this.runId, stored, this.head, this.prevHash, now, {
      versions,
      journal,
      records,
    });
    // Structural sharing: untouched slots are shared with the previous state (all frozen).
    const data = this.stateWith(completions);
    // When these are the run's last steps, the completion rides in the same write: one
    // transaction and one head update fewer per run.
    const output = this.finalOutput(completions, data);
    const statusChange: RunPatch | undefined = output
      ? { status: 'completed', output: output.value, waitingFor: null, lease: null, updatedAt: now }
      : this.run.status !== 'running'
        ? { status: 'running', updatedAt: now, waitingFor: serializeParked(this.parked) }
        : undefined;
    if (output) journal.push(entry(this.runId, 'run.completed', null, now));
    await this.commit({
      runId: this.runId,
      expectedVersion: this.head,
      leaseOwner: this.core.owner,
      versions,
      journal,
      records: records.length > 0 ? records : undefined,
      run: statusChange,
    });
    let out = this.head;
    for (const c of completions) {
      this.inFlight.delete(c.step);
      ++out;
      if (this.traced) c.scope?.end(c.outcome, { 'baton.state.version.out': out });
    }
    this.data = data;
    this.head += versions.length;
    this.prevHash = lastHash;
    if (output) {
      this.run = {
        ...this.run,
        status: 'completed',
        output: output.value,
        headVersion: this.head,
        updatedAt: now,
        waitingFor: null,
        leaseOwner: null,
        leaseExpiresAt: null,
      };
      return { kind: 'ended', run: this.run };
    }
    if (statusChange) this.run = { ...this.run, status: 'running' };
    return undefined;
  }

  /**
   * The workflow output, when committing these completions finishes the run: nothing else is
   * running, parked or failed, and every step then has its slot. Undefined otherwise, or when
   * the output selector fails (the regular path then reports that failure).
   */
  private finalOutput(
    completions: readonly Completion[],
    data: StateData,
  ): { value: Json } | undefined {
    if (this.failure || this.parked.size > 0 || this.stopReason) return undefined;
    if (this.inFlight.size !== completions.length) return undefined;
    if (!hasAll(data, this.workflow.order)) return undefined;
    try {
      return { value: this.outputOf(data) };
    } catch {
      return undefined;
    }
  }

  /** Completions as stored: personal fields encrypted (values in memory stay plaintext). */
  private async sealCompletions(completions: readonly Completion[]): Promise<Completion[]> {
    const input = (this.data.input ?? null) as Json;
    return Promise.all(
      completions.map(async (c) => {
        const value = c.value as Json;
        const sealed = await this.core.pii!.sealSlot(
          this.workflow,
          this.runId,
          input,
          c.step,
          value,
        );
        return sealed === value ? c : { ...c, encoded: sealJson(sealed, `$.${c.step}`).encoded };
      }),
    );
  }

  /**
   * The state after `completions`, frozen. Keys are added in one fixed order (input, then the
   * workflow's step order) so every run of a workflow shares a handful of hidden classes; a
   * frozen spread copy would get a class of its own each time.
   */
  private stateWith(completions: readonly Completion[]): StateData {
    const prev = this.data as Record<string, unknown>;
    const data: Record<string, unknown> = { input: prev.input };
    for (const name of this.workflow.order) {
      const c = completionOf(completions, name);
      if (c) data[name] = c.value;
      else if (name in prev) data[name] = prev[name];
    }
    // Slots the workflow does not declare (a state written by another version) are kept too.
    for (const key in prev) if (!(key in data)) data[key] = prev[key];
    return Object.freeze(data) as StateData;
  }

  /** Submits a write; a lost race or lease means another writer owns the run now. */
  private async commit(write: RunWrite): Promise<void> {
    const outcome = await this.core.committer.submit(write);
    if (!outcome.ok) {
      const code = (outcome.error as { code?: string }).code;
      if (code === 'VERSION_CONFLICT' || code === 'LEASE_LOST') {
        this.halt('lease_lost');
        throw new LeaseLostError(this.runId, this.core.owner);
      }
      throw outcome.error;
    }
  }

  private async complete(): Promise<DriverEnd> {
    let output: Json;
    try {
      output = this.outputOf(this.data);
    } catch (e) {
      this.failure = { step: '$output', error: describeError(e, '$output') };
      return this.failRun();
    }
    return this.finish({ status: 'completed', output }, 'run.completed');
  }

  /**
   * The workflow output for a state, as stored: sealed, and a canonical (sorted-key) copy, so
   * every store and every reader shows the same output the same way.
   * @throws what the selector throws; NonJsonValueError when its result is not JSON.
   */
  private outputOf(data: StateData): Json {
    const output = (this.workflow.selectOutput as (s: unknown) => unknown)(data);
    return JSON.parse(sealJson(output, '$.output').encoded) as Json;
  }

  private async enterWaiting(): Promise<DriverEnd> {
    const now = this.core.clock.now();
    const waitingFor = serializeParked(this.parked);
    await this.commit({
      runId: this.runId,
      expectedVersion: this.head,
      leaseOwner: this.core.owner,
      journal: [
        ...this.journalBuffer.splice(0),

        entry(this.runId, 'run.waiting', null, now, { detail: { steps: [...this.parked] } }),
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
    return { kind: 'waiting', run: this.run };
  }

  private async failRun(): Promise<DriverEnd> {
    const failure = this.failure!;
    const versions = await this.core.store.readVersions(this.runId);
    const compensable = versions.some(
      (v) => this.core.compensator.compensableStep(this.workflow, v) !== undefined,
    );
    if (!compensable) return this.finish({ status: 'failed', error: failure.error }, 'run.failed');
    const now = this.core.clock.now();
    await this.commit({
      runId: this.runId,
      expectedVersion: this.head,
      leaseOwner: this.core.owner,
      journal: [
        ...this.journalBuffer.splice(0),

        entry(this.runId, 'run.failed', failure.step, now, {
          error: failure.error,
          detail: { compensating: true },
        }),
      ],
      run: { status: 'compensating', error: failure.error, updatedAt: now },
    });
    this.run = { ...this.run, status: 'compensating', error: failure.error };
    return this.compensate();
  }

  private async compensate(): Promise<DriverEnd> {
    const result = await this.core.compensator.compensateRun({
      scope: this.runScope(),
      workflowPolicy: this.workflow.policy,
      core: this.core,
      runId: this.runId,
      signal: this.stop.signal,
      stepFor: (v) => this.core.compensator.compensableStep(this.workflow, v),
      commitJournal: (entries) =>
        this.commit({
          runId: this.runId,
          expectedVersion: this.head,
          leaseOwner: this.core.owner,
          journal: entries,
        }),
    });
    if (this.stopReason) return { kind: 'detached', reason: this.stopReason };
    const error = this.run.error ?? this.failure?.error ?? null;
    if (!result.ok) {
      this.core.alert({
        kind: 'compensation_failed',
        runId: this.runId,
        workflow: this.workflow.name,
        step: result.failedStep,
        message: `compensation of step '${result.failedStep}' failed after every retry: ${result.error.message}`,
        error: result.error,
      });
      return this.finish({ status: 'compensation_failed', error }, 'run.failed', {
        compensated: result.compensated,
      });
    }
    const input = (this.data.input ?? null) as Json;
    const v = this.core.compensator.compensatedVersion(
      this.runId,
      this.head,
      this.prevHash,
      this.core.pii
        ? await this.core.pii.sealSlot(this.workflow, this.runId, input, 'input', input)
        : input,
      this.core.clock.now(),
    );
    return this.finish(
      { status: 'compensated', error },
      'run.failed',
      { compensated: result.compensated },
      [v],
    );
  }

  private async finish(
    patch: Omit<RunPatch, 'updatedAt'>,
    type: JournalEntry['type'],
    detail: Record<string, unknown> | null = null,
    versions: VersionRecord[] = [],
  ): Promise<DriverEnd> {
    const now = this.core.clock.now();
    await this.commit({
      runId: this.runId,
      expectedVersion: this.head,
      leaseOwner: this.core.owner,
      versions,
      journal: [
        ...this.journalBuffer.splice(0),
        entry(this.runId, type, this.failure?.step ?? null, now, {
          error: patch.error ?? null,
          detail: detail as never,
        }),
      ],
      run: { ...patch, waitingFor: null, lease: null, updatedAt: now },
    });
    this.head += versions.length;
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
    return { kind: 'ended', run: this.run };
  }
}

/** Whether `data` has every slot in `names` (a loop: this runs for every step of every run). */
function hasAll(data: StateData, names: readonly string[]): boolean {
  for (let i = 0; i < names.length; i++) if (!(names[i]! in data)) return false;
  return true;
}

/** The completion of `step` among `completions`, if any (a loop, as above). */
function completionOf(
  completions: readonly Completion[],
  step: string | null,
): Completion | undefined {
  for (let i = 0; i < completions.length; i++)
    if (completions[i]!.step === step) return completions[i];
  return undefined;
}
