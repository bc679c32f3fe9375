/**
 * Tracing: OpenTelemetry spans for runs, steps and attempts, the built-in trace store, the
 * terminal waterfall and evaluators. Re-exported from the package root.
 */
export { createTracing, type TracingOptions } from './create-tracing.js';
export { type EvaluationContext, runEvaluators } from './evaluators.js';
export { orderSpans, readTrace } from './read-trace.js';
export {
  isStoredSpan,
  type StoredSpan,
  TRACE_NAMES,
  type TraceAttributes,
  type TraceAttributeValue,
  type TraceEvent,
  type TraceSpan,
  type TraceSpanKind,
  type TraceStatus,
} from './stored-span.js';
export {
  type AttemptScope,
  type EvaluationRecord,
  noopTelemetry,
  type RunScope,
  type ScopeAttributes,
  type StepOutcome,
  type StepScope,
  type Telemetry,
} from './telemetry.js';
export { formatDuration, renderWaterfall, type WaterfallOptions } from './waterfall.js';
