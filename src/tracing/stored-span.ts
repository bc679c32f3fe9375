/**
 * The built-in trace store's record format: one finished span as plain JSON, written to the
 * Baton store as an aux record `{ kind: 'span', key: spanId, runId, at: start, body }`.
 *
 * Invariants:
 * - Ids are lowercase hex (32 chars for traces, 16 for spans), the same ids an OpenTelemetry
 *   exporter sees when a recording tracer is configured.
 * - Times are milliseconds since the Unix epoch (fractional), from the tracing clock.
 * - Attribute values are strings, finite numbers or booleans; undefined values are dropped.
 */

/** A span attribute value as stored. */
export type TraceAttributeValue = string | number | boolean;

/** A span's attributes as stored. */
export type TraceAttributes = Readonly<Record<string, TraceAttributeValue>>;

/** What a span stands for ('operation': a span an agent opened, e.g. a model or tool call). */
export type TraceSpanKind = 'run' | 'step' | 'attempt' | 'operation';

/** How a span ended, as in OpenTelemetry's status codes. */
export type TraceStatus = 'unset' | 'ok' | 'error';

/** An event on a span: retry, contract violation, breaker transition, exception, evaluation. */
export interface TraceEvent {
  readonly name: string;
  readonly at: number;
  readonly attributes: TraceAttributes;
}

/** One finished span as kept in the store. */
export interface StoredSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** Null for a run span (each drive of a run is a root; see `baton.run.previous_span`). */
  readonly parentSpanId: string | null;
  readonly runId: string;
  readonly kind: TraceSpanKind;
  readonly name: string;
  readonly start: number;
  readonly end: number;
  readonly status: TraceStatus;
  readonly statusMessage?: string;
  readonly attributes: TraceAttributes;
  readonly events: readonly TraceEvent[];
}

/** A span of a run's trace as `readTrace` returns it: depth-first order, with its depth. */
export interface TraceSpan extends StoredSpan {
  /**
   * 0 for a run span, 1 for its steps, 2 for their attempts, 3 and more for the spans agents
   * opened (a child run's: under its step).
   */
  readonly depth: number;
}

/** Attribute and event names Baton writes (kept in one place so readers agree with writers). */
export const TRACE_NAMES = Object.freeze({
  retry: 'baton.retry',
  contractViolation: 'baton.contract_violation',
  breakerTransition: 'baton.breaker.transition',
  /** An evaluator's verdict on a call: the GenAI conventions' evaluation event. */
  evaluation: 'gen_ai.evaluation.result',
  /** The same event as stores written before it took the GenAI name hold it (read, not written). */
  legacyEvaluation: 'baton.evaluation',
  exception: 'exception',
  errorCode: 'baton.error.code',
  versionIn: 'baton.state.version.in',
  versionOut: 'baton.state.version.out',
  attempt: 'baton.attempt',
  outcome: 'baton.step.outcome',
  runStatus: 'baton.run.status',
  previousSpan: 'baton.run.previous_span',
  model: 'gen_ai.request.model',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  totalInputTokens: 'baton.usage.input_tokens',
  totalOutputTokens: 'baton.usage.output_tokens',
  provider: 'gen_ai.provider.name',
  cachedInputTokens: 'gen_ai.usage.cache_read.input_tokens',
  reasoningTokens: 'gen_ai.usage.reasoning.output_tokens',
  costUsd: 'baton.llm.cost_usd',
  totalCostUsd: 'baton.usage.cost_usd',
} as const);

/** True when `value` has the shape of a stored span (used on records read back from a store). */
export function isStoredSpan(value: unknown): value is StoredSpan {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as Partial<Record<keyof StoredSpan, unknown>>;
  return (
    typeof s.traceId === 'string' &&
    typeof s.spanId === 'string' &&
    (s.parentSpanId === null || typeof s.parentSpanId === 'string') &&
    typeof s.name === 'string' &&
    typeof s.start === 'number' &&
    typeof s.end === 'number' &&
    typeof s.attributes === 'object' &&
    s.attributes !== null &&
    Array.isArray(s.events)
  );
}
