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
 *
 * A run's life here is a state machine (`RunPhase`):
 *   running ──a step fails──▶ failing ──in-flight steps committed──▶ failed | compensating
 *   running | failing ──halt(cancelled | lease_lost | closed)──▶ halted
 * and the end states are written by `RunLedger` (run-ledger.ts): completed, waiting, failed,
 * compensated, compensation_failed, cancelled. A halted driver commits nothing more, except the
 * cancel marker of a cancelled run. Parked steps (waits, reviews, agents suspended on their own
 * waits: suspensions.ts) are no phase: the run simply has nothing left to do until a signal.
 */

import type { Agent } from '../agents/agent.js';
import {
  CallbackFailedError,
  describeError,
  type ErrorInfo,
  isLeaseLostError,
  LeaseLostError,
} from '../errors.js';
import { type Json, sealJson } from '../ledger/json.js';
import type {
  JournalEntry,
  RunPatch,
  RunRecord,
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
import { type Completion, type StepTiming, skipped, succeeded } from './completions.js';
import { type DegradeTarget, degrade } from './degrade.js';
import { cancelMarker, journalEntry as entry } from './journal.js';
import { parkedSteps, serializeParked } from './parked.js';
import { recordedOutput } from './recorded-output.js';
import { RunLedger } from './run-ledger.js';
import type { RuntimeCore } from './runtime-core.js';
import { runStep } from './step-runner.js';
import { stepOfWait } from './suspensions.js';
import { timerFired } from './timer-completion.js';
import type { StepSpec, Workflow } from './workflow.js';

/** How a driver stopped. */
export type DriverEnd =
  | { readonly kind: 'ended'; readonly run: RunRecord }
  | { readonly kind: 'waiting'; readonly run: RunRecord }
  | { readonly kind: 'detached'; readonly reason: string };

/** Why a driver stopped before its run ended. */
export type HaltReason = 'cancelled' | 'lease_lost' | 'closed';

/** The step failure a run ends with (the first one: later failures do not replace it). */
interface StepFailure {
  readonly step: string;
  readonly error: ErrorInfo;
}

/**
 * Where a driven run is (see the diagram at the top): launching steps; failing (no new step
 * starts, in-flight ones finish); halted (agents aborted, nothing more committed except a
 * cancelled run's marker), keeping the failure it had, if any, for the ending entry.
 */
export type RunPhase =
  | { readonly kind: 'running' }
  | { readonly kind: 'failing'; readonly failure: StepFailure }
  | {
      readonly kind: 'halted';
      readonly reason: HaltReason;
      readonly failure: StepFailure | undefined;
    };

/** Drives one run until it ends, waits, or loses its lease. */
export class RunDriver {
  private phase: RunPhase = { kind: 'running' };
  private data: StateData;
  private readonly inFlight = new Map<string, number>();
  private readonly completions: Completion[] = [];
  private readonly parked: Set<string>;
  private readonly ledger: RunLedger;
  /** Stops this run's agents; a Cancellation, so a run never stopped pays for no AbortSignal. */
  private readonly stop = new Cancellation();
  private wake: (() => void) | undefined;
  private scope: RunScope | undefined;
  /** False without telemetry: then no span attributes are built (garbage on every step). */
  private readonly traced: boolean;

  constructor(
    private readonly core: RuntimeCore,
    private readonly workflow: Workflow,
    run: RunRecord,
    versions: readonly VersionRecord[],
    data: StateData,
  ) {
    this.ledger = new RunLedger(core, run, versions[versions.length - 1]!, () =>
      this.halt('lease_lost'),
    );
    this.data = data;
    this.parked = new Set(parkedSteps(run.waitingFor));
    this.traced = core.telemetry !== noopTelemetry;
  }

  get runId(): string {
    return this.ledger.runId;
  }

  /** Why the driver was halted, if it was. */
  private get haltReason(): HaltReason | undefined {
    return this.phase.kind === 'halted' ? this.phase.reason : undefined;
  }

  /** The failure the run ends with, if a step failed. */
  private get failure(): StepFailure | undefined {
    return this.phase.kind === 'running' ? undefined : this.phase.failure;
  }

  /** Records a step failure; the first one wins. running → failing (halted stays halted). */
  private fail(step: string, error: ErrorInfo): void {
    const p = this.phase;
    if (p.kind === 'running') this.phase = { kind: 'failing', failure: { step, error } };
    else if (p.kind === 'halted' && !p.failure) this.phase = { ...p, failure: { step, error } };
  }

  /** Stops the driver: in-flight agents are aborted; nothing more is committed unless cancelling. */
  halt(reason: HaltReason): void {
    if (this.phase.kind === 'halted') return;
    this.phase = { kind: 'halted', reason, failure: this.failure };
    this.stop.abort(
      reason === 'lease_lost' ? new LeaseLostError(this.runId, this.core.owner) : reason,
    );
    this.wake?.();
  }

  /** Marks a parked wait as failed (its timeout passed with onTimeout 'fail'). */
  failWait(step: string, error: ErrorInfo): void {
    this.parked.delete(step);
    this.fail(step, error);
  }

  /** Fills a parked wait with the skipped marker (its timeout passed with onTimeout 'skip'). */
  skipWait(step: string, reason: string): void {
    this.parked.delete(step);
    const spec = this.workflow.steps.find((s) => s.name === step);
    if (spec) this.pushSkip(spec, reason);
  }

  /** Fills a parked timer's slot: it fired (its due time passed). */
  fireTimer(step: string, dueAt: number): void {
    this.parked.delete(step);
    const scope = this.runScope().step(step, { 'baton.step': step, 'baton.run.id': this.runId });
    this.completions.push(
      timerFired(this.runId, step, dueAt, this.ledger.head, this.core.clock.now(), scope),
    );
  }

  /** Drives the run. Never throws for run-level failures; those end the run. */
  async drive(): Promise<DriverEnd> {
    const w = this.workflow;
    this.scope = this.traced
      ? this.core.telemetry.run(this.runId, {
          'baton.run.id': this.runId,
          'baton.workflow': w.name,
          'baton.workflow.version': w.version,
          'baton.run.resumed_from': this.ledger.head,
          'baton.run.status.at_start': this.ledger.run.status,
        })
      : noopRunScope;
    let end: DriverEnd;
    try {
      end =
        this.ledger.run.status === 'compensating' ? await this.compensate() : await this.progress();
    } catch (e) {
      if (this.haltReason === 'lease_lost' || isLeaseLostError(e)) {
        end = { kind: 'detached', reason: 'lease lost' };
      } else if (this.haltReason === 'closed') {
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
      const halted = this.haltReason;
      if (halted === 'cancelled') {
        const marker = cancelMarker(
          this.runId,
          this.ledger.head + 1,
          this.ledger.prevHash,
          this.core.clock.now(),
        );
        return this.finish({ status: 'cancelled' }, 'run.cancelled', null, [marker]);
      }
      if (halted) return { kind: 'detached', reason: halted };
      if (this.phase.kind === 'running') this.launchReady();
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

  /** Whether a step is parked: a wait step, a step in review, or an agent on its own wait. */
  private isParked(step: string): boolean {
    if (this.parked.size === 0) return false;
    if (this.parked.has(step)) return true;
    for (const entry of this.parked) if (stepOfWait(entry) === step) return true;
    return false;
  }

  private launchReady(): void {
    for (const spec of this.workflow.steps) {
      const name = spec.name;
      if (name in this.data || this.inFlight.has(name) || this.isParked(name)) continue;
      if (!hasAll(this.data, spec.needs)) continue;
      const view = this.view(spec);
      const when = this.condition(spec, view);
      if (when === 'threw') return;
      if (!when) {
        this.pushSkip(spec, 'condition false (when)');
        continue;
      }
      if (spec.kind === 'wait' || spec.kind === 'sleep') {
        this.parkWait(spec);
        continue;
      }
      this.launch(this.bound(spec as StepSpec & { agent: Agent }), view);
    }
  }

  /**
   * A step's `when`: true when it has none. A `when` that throws fails the run (journaled with a
   * CallbackFailedError) instead of leaving it running with nothing left to wake it.
   */
  private condition(spec: StepSpec, view: unknown): boolean | 'threw' {
    if (!spec.when) return true;
    try {
      return Boolean((spec.when as (v: unknown) => unknown)(view));
    } catch (e) {
      const error = new CallbackFailedError('when', spec.name, e);
      this.fail(spec.name, describeError(error, spec.name));
      return 'threw';
    }
  }

  /** A child-workflow step's agent is bound to the runtime's child runs; others are as defined. */
  private bound<S extends StepSpec | undefined>(spec: S): S {
    return spec?.child && this.core.children ? this.core.children.bind(spec) : spec;
  }

  private view(spec: StepSpec): Record<string, unknown> {
    const view: Record<string, unknown> = { input: this.data.input };
    for (const n of spec.needs) view[n] = this.data[n];
    return Object.freeze(view);
  }

  private launch(spec: StepSpec & { agent: Agent }, view: unknown): void {
    const startedAt = this.core.clock.now();
    const inputVersion = this.ledger.head;
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
      ...this.recordedFor(spec),
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

  /** In a fork, how a step finds what its parent run recorded (see recorded-output.ts). */
  private recordedFor(spec: StepSpec & { agent: Agent }) {
    const parent = this.ledger.run.parentRunId;
    if (parent === null || parent === undefined) return {};
    return { recorded: (input: unknown) => recordedOutput(this.core, parent, spec, input) };
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
        this.ledger.head,
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
      stopped: () => this.phase.kind === 'halted',
      push: (c) => this.completions.push(c),
      park: (step) => this.parked.add(step),
      journal: (e) => this.journal(e),
      fail: (step, error) => this.fail(step, error),
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
    const deadline = spec.sleep
      ? 'ms' in spec.sleep
        ? now + spec.sleep.ms
        : spec.sleep.until
      : spec.timeoutMs !== undefined
        ? now + spec.timeoutMs
        : null;
    this.runScope().event('wait.started', {
      'baton.step': spec.name,
      'baton.wait.deadline': deadline ?? undefined,
    });
    const detail: Json = spec.sleep ? { deadline, reason: 'timer' } : { deadline };
    this.journal(entry(this.runId, 'wait.started', spec.name, now, { detail }));
  }

  private journal(e: JournalEntry): void {
    this.ledger.journal(e);
  }

  /** Commits every finished step as new versions, in one write (one transaction, shared). */
  private async flush(): Promise<DriverEnd | undefined> {
    const completions = this.completions.splice(0);
    // Personal fields are stored sealed (encrypted, see piiEncryption); the state keeps them clear.
    const stored = this.core.pii ? await this.sealCompletions(completions) : completions;
    // Structural sharing: untouched slots are shared with the previous state (all frozen).
    const data = this.stateWith(completions);
    const output = this.finalOutput(completions, data);
    // Only a run resumed from waiting writes its waits back (serializing them costs on every flush).
    const waitingFor = this.ledger.run.status === 'running' ? null : serializeParked(this.parked);
    let out = await this.ledger.commitSteps(stored, output, waitingFor);
    for (const c of completions) {
      this.inFlight.delete(c.step);
      ++out;
      if (this.traced) c.scope?.end(c.outcome, { 'baton.state.version.out': out });
    }
    this.data = data;
    return output ? { kind: 'ended', run: this.ledger.run } : undefined;
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
    if (this.phase.kind !== 'running' || this.parked.size > 0) return undefined;
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

  private async complete(): Promise<DriverEnd> {
    let output: Json;
    try {
      output = this.outputOf(this.data);
    } catch (e) {
      this.fail('$output', describeError(e, '$output'));
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
    const run = await this.ledger.commitWaiting([...this.parked], serializeParked(this.parked));
    return { kind: 'waiting', run };
  }

  private async failRun(): Promise<DriverEnd> {
    const failure = this.failure!;
    const versions = await this.core.store.readVersions(this.runId);
    const compensable = versions.some(
      (v) => this.core.compensator.compensableStep(this.workflow, v) !== undefined,
    );
    if (!compensable) return this.finish({ status: 'failed', error: failure.error }, 'run.failed');
    await this.ledger.commitCompensating(failure.step, failure.error);
    return this.compensate();
  }

  private async compensate(): Promise<DriverEnd> {
    const result = await this.core.compensator.compensateRun({
      scope: this.runScope(),
      workflowPolicy: this.workflow.policy,
      core: this.core,
      runId: this.runId,
      signal: this.stop.signal,
      stepFor: (v) => this.bound(this.core.compensator.compensableStep(this.workflow, v)),
      commitJournal: (entries) => this.ledger.commitJournal(entries),
    });
    const halted = this.haltReason;
    if (halted) return { kind: 'detached', reason: halted };
    const error = this.ledger.run.error ?? this.failure?.error ?? null;
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
      this.ledger.head,
      this.ledger.prevHash,
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
    const step = this.failure?.step ?? null;
    const run = await this.ledger.commitEnd(patch, type, step, detail, versions);
    return { kind: 'ended', run };
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
