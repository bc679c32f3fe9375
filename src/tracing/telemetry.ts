/**
 * The seam between the orchestrator and tracing. The driver opens scopes as a run unfolds —
 * run → step → attempt — and each scope is a span in the tracing implementation, so the span
 * tree follows the run's structure under any concurrency: parallel steps are siblings under
 * their run, each attempt is under its step, each model call under its attempt.
 *
 * The default implementation does nothing and allocates nothing per call.
 */
import { INVALID_SPAN_CONTEXT, type Span, trace } from '@opentelemetry/api';
import type { AgentSpan, AgentSpanAttributes, Evaluation, ModelUsage } from '../agents/agent.js';
import type { ErrorInfo } from '../errors.js';

/** Attributes of a scope: strings, numbers, booleans. */
export type ScopeAttributes = Readonly<Record<string, string | number | boolean | undefined>>;

/** How a step ended. */
export type StepOutcome =
  | 'succeeded'
  | 'failed'
  | 'skipped'
  | 'cached'
  | 'review'
  | 'waiting'
  | 'aborted';

/** One evaluator's verdict, as attached to the attempt and the version. */
export interface EvaluationRecord extends Evaluation {
  readonly evaluator: string;
  /** False when a gate (`minScore`) rejected the output. */
  readonly passed: boolean;
  /** The gate, when the evaluator has one. */
  readonly minScore?: number;
}

/** An agent attempt: a span the agent sees as `ctx.span`. */
export interface AttemptScope {
  readonly span: Span;
  usage(usage: ModelUsage): void;
  evaluation(record: EvaluationRecord): void;
  /** Opens a span under the attempt's (see operation-span.ts). */
  startSpan(name: string, attributes?: AgentSpanAttributes): AgentSpan;
  end(error?: ErrorInfo): void;
}

/** A step (agent call with its attempts, a wait, a compensation). */
export interface StepScope {
  /** The step span's trace id (absent when nothing records), to store on the version it writes. */
  readonly traceId?: string;
  attempt(attempt: number): AttemptScope;
  event(name: string, attributes?: ScopeAttributes): void;
  end(outcome: StepOutcome, attributes?: ScopeAttributes, error?: ErrorInfo): void;
}

/** A run (or one resumption of it). */
export interface RunScope {
  /** The run span's trace id (absent when nothing records). */
  readonly traceId?: string;
  step(name: string, attributes: ScopeAttributes): StepScope;
  event(name: string, attributes?: ScopeAttributes): void;
  end(status: string, error?: ErrorInfo): void;
}

/** Opens run scopes and hears breaker transitions. */
export interface Telemetry {
  run(runId: string, attributes: ScopeAttributes): RunScope;
  breakerTransition(transition: {
    readonly breaker: string;
    readonly from: string;
    readonly to: string;
    readonly at: number;
    readonly reason: string;
  }): void;
  /** Writes out whatever is buffered (spans to the store). */
  flush(): Promise<void>;
}

const NOOP_SPAN: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
const NOOP_AGENT_SPAN: AgentSpan = Object.freeze({
  span: NOOP_SPAN,
  set() {},
  event() {},
  startSpan: () => NOOP_AGENT_SPAN,
  end() {},
});
const NOOP_ATTEMPT: AttemptScope = Object.freeze({
  span: NOOP_SPAN,
  usage() {},
  evaluation() {},
  startSpan: () => NOOP_AGENT_SPAN,
  end() {},
});
const NOOP_STEP: StepScope = Object.freeze({
  attempt: () => NOOP_ATTEMPT,
  event() {},
  end() {},
});
/** The step scope of the no-op telemetry (callers skip building attributes for it). */
export const noopStepScope: StepScope = NOOP_STEP;

const NOOP_RUN: RunScope = Object.freeze({
  step: () => NOOP_STEP,
  event() {},
  end() {},
});

/** Telemetry that records nothing. */
/** The run scope of the no-op telemetry (callers skip building attributes for it). */
export const noopRunScope: RunScope = NOOP_RUN;

export const noopTelemetry: Telemetry = Object.freeze({
  run: () => NOOP_RUN,
  breakerTransition() {},
  flush: async () => {},
});
