/**
 * `createTracing`: the Telemetry implementation that turns runs, steps and attempts into
 * OpenTelemetry spans and, optionally, keeps them in the Baton store (the built-in trace store).
 *
 * Invariants:
 * - Only `@opentelemetry/api` is used; whichever SDK the user registers (or passes as `tracer`)
 *   exports the spans. Without an SDK the API's tracer records nothing.
 * - With no recording tracer and no store, a run costs one no-op span and every step and
 *   attempt scope is the shared no-op scope (nothing is allocated per step).
 * - Each drive of a run is a root span; a resumption in the same process links to the previous
 *   drive's span. Every span carries `baton.run.id`, which is what the store indexes on.
 */
import { context, type Link, type Tracer, trace } from '@opentelemetry/api';
import { InvalidArgumentError } from '../errors.js';
import type { StateStore } from '../ledger/store.js';
import { RunScopeImpl, type ScopeState, type StepScopeImpl } from './scopes.js';
import { SpanWriter } from './span-writer.js';
import { TRACE_NAMES } from './stored-span.js';
import { noopTelemetry, type RunScope, type ScopeAttributes, type Telemetry } from './telemetry.js';
import { createIdSource, TracedSpan } from './traced-span.js';

/** Options of {@link createTracing}. */
export interface TracingOptions {
  /** Where spans go (default `trace.getTracer('baton')`: the globally registered SDK, if any). */
  readonly tracer?: Tracer;
  /** The built-in trace store: finished spans are also written here as `span` records. */
  readonly store?: StateStore;
  /** Span records older than this are pruned from the store (default: kept forever). */
  readonly retentionMs?: number;
  /** Time source for span timestamps and retention (default: high-resolution wall time). */
  readonly clock?: { now(): number };
  /** Receives failures of background writes to the store (default: ignored). */
  readonly onError?: (error: Error) => void;
  /** Write to the store once this many records are buffered (default 512). */
  readonly maxBatch?: number;
}

const wallClock = (): number => performance.timeOrigin + performance.now();

/**
 * Creates the tracing implementation to pass to `createRuntime({ telemetry })`.
 * Call `flush()` before closing the store so the last spans are written.
 * @throws InvalidArgumentError naming the bad option.
 * @example
 * const tracing = createTracing({ store, retentionMs: 7 * 24 * 3600_000 });
 * const rt = createRuntime({ store, workflows: [credit], telemetry: tracing });
 * // ... later: await tracing.flush(); printWaterfall(await readTrace(store, runId));
 */
export function createTracing(options: TracingOptions = {}): Telemetry {
  validate(options);
  const now = options.clock ? () => options.clock!.now() : wallClock;
  const onError = options.onError ?? (() => {});
  const writer = options.store
    ? new SpanWriter({
        store: options.store,
        now,
        retentionMs: options.retentionMs,
        onError,
        ...(options.maxBatch !== undefined ? { maxBatch: options.maxBatch } : {}),
      })
    : undefined;
  const state: ScopeState = {
    tracer: options.tracer ?? trace.getTracer('baton'),
    randomId: createIdSource(),
    now,
    sink: writer ? (r) => writer.push(r) : undefined,
    openSteps: new Map<string, Set<StepScopeImpl>>(),
    previous: new Map(),
    schedule: writer ? () => writer.schedule() : () => {},
  };

  return {
    run(runId: string, attributes: ScopeAttributes): RunScope {
      const start = now();
      const previous = state.previous.get(runId);
      const links: Link[] | undefined = previous
        ? [{ context: previous, attributes: { 'baton.link': 'previous drive' } }]
        : undefined;
      const name = `run ${String(attributes['baton.workflow'] ?? runId)}`;
      const runAttributes: ScopeAttributes = {
        ...attributes,
        'baton.run.id': runId,
        [TRACE_NAMES.versionIn]: attributes['baton.run.resumed_from'],
        [TRACE_NAMES.previousSpan]: previous ? previous.spanId : undefined,
      };
      const otel = state.tracer.startSpan(
        name,
        { startTime: start, attributes: runAttributes, root: true, ...(links ? { links } : {}) },
        context.active(),
      );
      if (!writer && !otel.isRecording()) {
        otel.end();
        return noopTelemetry.run(runId, attributes);
      }
      const span = TracedSpan.wrap(
        state,
        otel,
        start,
        'run',
        name,
        runId,
        undefined,
        runAttributes,
      );
      return new RunScopeImpl(state, runId, span);
    },

    breakerTransition(t) {
      const steps = state.openSteps.get(t.breaker);
      if (!steps || steps.size === 0) return;
      const attributes = {
        'baton.breaker': t.breaker,
        'baton.breaker.from': t.from,
        'baton.breaker.to': t.to,
        'baton.breaker.reason': t.reason,
      };
      const runs = new Set<RunScopeImpl>();
      for (const step of steps) {
        step.span.event(TRACE_NAMES.breakerTransition, attributes);
        for (const a of step.attempts) a.traced.event(TRACE_NAMES.breakerTransition, attributes);
        runs.add(step.run);
      }
      for (const run of runs) run.span.event(TRACE_NAMES.breakerTransition, attributes);
    },

    async flush() {
      await writer?.flush();
    },
  };
}

function validate(o: TracingOptions): void {
  if (typeof o !== 'object' || o === null)
    throw new InvalidArgumentError('createTracing expects an options object', 'options');
  if (o.tracer !== undefined && typeof (o.tracer as Partial<Tracer>).startSpan !== 'function') {
    throw new InvalidArgumentError(
      `options.tracer must be an OpenTelemetry Tracer, got ${describe(o.tracer)}`,
      'tracer',
    );
  }
  if (o.store !== undefined && typeof (o.store as Partial<StateStore>).appendRecords !== 'function')
    throw new InvalidArgumentError(
      `options.store must be a Baton store, got ${describe(o.store)}`,
      'store',
    );
  for (const k of ['retentionMs', 'maxBatch'] as const) {
    const v = o[k];
    if (v !== undefined && !(typeof v === 'number' && v > 0 && Number.isFinite(v)))
      throw new InvalidArgumentError(
        `options.${k} must be a positive number, got ${describe(v)}`,
        k,
      );
  }
  if (o.retentionMs !== undefined && o.store === undefined)
    throw new InvalidArgumentError('options.retentionMs needs options.store', 'retentionMs');
  if (o.clock !== undefined && typeof (o.clock as { now?: unknown }).now !== 'function')
    throw new InvalidArgumentError(
      `options.clock must have now(), got ${describe(o.clock)}`,
      'clock',
    );
  if (o.onError !== undefined && typeof o.onError !== 'function')
    throw new InvalidArgumentError(
      `options.onError must be a function, got ${describe(o.onError)}`,
      'onError',
    );
}

function describe(v: unknown): string {
  return typeof v === 'object' && v !== null ? `an object without the needed methods` : String(v);
}
