/**
 * The run, step and attempt scopes of `createTracing`: each is a span, parented explicitly.
 *
 * Invariants:
 * - A step span's parent is its run span; an attempt span's parent is its step span; these
 *   parents are fixed when the scope opens and never looked up from the active context.
 * - Usage reported on an attempt is summed on the attempt, its step and its run.
 * - Evaluations are stored when their step ends, with the version the step wrote (if any).
 * - A step registers under its breaker name (`agent@version`) while open, so a breaker
 *   transition lands on the steps, attempts and runs it affects.
 */
import type { SpanContext } from '@opentelemetry/api';
import type { ErrorInfo } from '../errors.js';
import type { AuxRecord } from '../ledger/types.js';
import {
  type AttemptParent,
  AttemptScopeImpl,
  contractViolationEvent,
  type PendingEvaluations,
  plainEvaluation,
  Totals,
} from './attempt-scope.js';
import { TRACE_NAMES } from './stored-span.js';
import type {
  AttemptScope,
  RunScope,
  ScopeAttributes,
  StepOutcome,
  StepScope,
} from './telemetry.js';
import { type SpanFactory, TracedSpan } from './traced-span.js';

/** What the scopes of one tracing instance share. */
export interface ScopeState extends SpanFactory {
  /** Open steps by breaker name. */
  readonly openSteps: Map<string, Set<StepScopeImpl>>;
  /** The run span of each run's latest drive (linked from the next drive). */
  readonly previous: Map<string, SpanContext>;
  /** Schedules a write of buffered spans (no-op when the store is off). */
  readonly schedule: () => void;
}

const TERMINAL = new Set([
  'completed',
  'failed',
  'cancelled',
  'compensated',
  'compensation_failed',
]);
const MAX_REMEMBERED_RUNS = 10_000;

/** One drive of a run. */
export class RunScopeImpl implements RunScope {
  readonly totals = new Totals();
  versionOut: number | undefined;

  constructor(
    private readonly state: ScopeState,
    readonly runId: string,
    readonly span: TracedSpan,
  ) {}

  get traceId(): string {
    return this.span.traceId;
  }

  step(name: string, attributes: ScopeAttributes): StepScope {
    return new StepScopeImpl(this.state, this, name, attributes);
  }

  event(name: string, attributes?: ScopeAttributes): void {
    this.span.event(name, attributes);
  }

  end(status: string, error?: ErrorInfo): void {
    const span = this.span;
    if (span.ended) return;
    span.set({
      [TRACE_NAMES.runStatus]: status,
      [TRACE_NAMES.versionOut]: this.versionOut,
      ...this.totals.attributes(),
    });
    if (error) span.fail(error);
    else if (status === 'completed') span.setStatus('ok');
    span.end();
    const previous = this.state.previous;
    previous.delete(this.runId);
    if (!TERMINAL.has(status)) {
      previous.set(this.runId, span.otel.spanContext());
      // Bounded: runs waiting for a signal that never comes must not grow this forever.
      if (previous.size > MAX_REMEMBERED_RUNS) {
        const oldest = previous.keys().next().value;
        if (oldest !== undefined) previous.delete(oldest);
      }
    }
    this.state.schedule();
  }
}

/** Evaluations of one attempt, waiting for the step's version. */
/** A step (agent call, compensation, skipped marker). */
export class StepScopeImpl implements StepScope, AttemptParent {
  readonly span: TracedSpan;
  readonly attempts = new Set<AttemptScopeImpl>();
  readonly totals = new Totals();
  violationSeen = false;
  private pending: PendingEvaluations[] | undefined;
  private readonly breaker: string | undefined;

  constructor(
    private readonly state: ScopeState,
    readonly run: RunScopeImpl,
    readonly name: string,
    readonly attributes: ScopeAttributes,
  ) {
    const spanName = name.startsWith('compensate ') ? name : `step ${name}`;
    this.span = TracedSpan.start(state, 'step', spanName, run.runId, run.span, attributes);
    const agent = attributes['baton.agent'];
    const version = attributes['baton.agent.version'];
    if (agent !== undefined && version !== undefined) {
      this.breaker = `${agent}@${version}`;
      const set = state.openSteps.get(this.breaker);
      if (set) set.add(this);
      else state.openSteps.set(this.breaker, new Set([this]));
    }
  }

  get traceId(): string {
    return this.span.traceId;
  }

  get stepName(): string {
    const s = this.attributes['baton.step'];
    return typeof s === 'string' ? s : this.name;
  }

  attempt(attempt: number): AttemptScope {
    if (attempt > 1) this.span.event(TRACE_NAMES.retry, { [TRACE_NAMES.attempt]: attempt });
    const scope = new AttemptScopeImpl(this.state, this, attempt);
    this.attempts.add(scope);
    return scope;
  }

  event(name: string, attributes?: ScopeAttributes): void {
    this.span.event(name, attributes);
  }

  end(outcome: StepOutcome, attributes: ScopeAttributes = {}, error?: ErrorInfo): void {
    const span = this.span;
    if (span.ended) return;
    span.set({ ...attributes, [TRACE_NAMES.outcome]: outcome, ...this.totals.attributes() });
    const out = attributes[TRACE_NAMES.versionOut];
    const version = typeof out === 'number' ? out : undefined;
    if (
      version !== undefined &&
      (this.run.versionOut === undefined || version > this.run.versionOut)
    )
      this.run.versionOut = version;
    if (error && (outcome === 'failed' || outcome === 'review')) {
      if (!this.violationSeen) contractViolationEvent(span, error);
      span.fail(error);
    } else if (error) {
      span.note(error);
    } else if (outcome === 'succeeded' || outcome === 'cached') {
      span.setStatus('ok');
    }
    span.end();
    if (this.breaker) this.state.openSteps.get(this.breaker)?.delete(this);
    if (this.pending) this.writeEvaluations(version);
    // A step that outlived its run's drive (lease lost, close) is written on its own.
    if (this.run.span.ended) this.state.schedule();
  }

  /** Keeps an attempt's evaluations until the step's version is known. */
  addEvaluations(p: PendingEvaluations): void {
    if (this.pending) this.pending.push(p);
    else this.pending = [p];
  }

  private writeEvaluations(version: number | undefined): void {
    const sink = this.state.sink;
    if (!sink || !this.pending) return;
    const runId = this.run.runId;
    for (const p of this.pending) {
      const record: AuxRecord = {
        kind: 'evaluation',
        key: `${runId}:${this.stepName}:${p.attempt}`,
        runId,
        at: Math.floor(this.state.now()),
        body: {
          runId,
          step: this.stepName,
          attempt: p.attempt,
          version: version ?? null,
          traceId: p.traceId,
          spanId: p.spanId,
          evaluations: p.records.map(plainEvaluation),
        },
      };
      sink(record);
    }
    this.pending = undefined;
  }
}
