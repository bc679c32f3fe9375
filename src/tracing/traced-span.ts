/**
 * One span, twice: an OpenTelemetry span (for whatever SDK the user registered) and, when the
 * built-in trace store is on, a plain record of the same span with the same ids and times.
 *
 * Invariants:
 * - Parents are always passed explicitly (`trace.setSpan(context.active(), parent)`); nothing
 *   here reads the active span, so parallel steps and retries can never adopt the wrong parent.
 * - A span ends once; later calls on an ended span are ignored.
 * - With a non-recording tracer (no SDK), ids are generated here so the stored tree is intact.
 */
import { randomFillSync } from 'node:crypto';
import {
  context,
  isSpanContextValid,
  type Span,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import type { ErrorInfo } from '../errors.js';
import type { AuxRecord } from '../ledger/types.js';
import {
  type StoredSpan,
  TRACE_NAMES,
  type TraceAttributeValue,
  type TraceEvent,
  type TraceSpanKind,
  type TraceStatus,
} from './stored-span.js';
import type { ScopeAttributes } from './telemetry.js';

/** What every span of one tracing instance shares. */
export interface SpanFactory {
  readonly tracer: Tracer;
  /** Random hex ids of `bytes` bytes (see {@link createIdSource}). */
  readonly randomId: (bytes: 8 | 16) => string;
  readonly now: () => number;
  /** Receives finished spans for the store; undefined when the store is off. */
  readonly sink: ((record: AuxRecord) => void) | undefined;
}

/** A span being recorded. */
export class TracedSpan {
  readonly traceId: string;
  readonly spanId: string;
  private readonly attributes: Record<string, TraceAttributeValue> | undefined;
  private readonly events: TraceEvent[] | undefined;
  private status: TraceStatus = 'unset';
  private statusMessage: string | undefined;
  private readonly start: number;
  ended = false;

  private constructor(
    private readonly factory: SpanFactory,
    readonly otel: Span,
    private readonly kind: TraceSpanKind,
    private readonly name: string,
    private readonly runId: string,
    private readonly parentSpanId: string | null,
    parentTraceId: string | undefined,
    start: number,
    attributes: ScopeAttributes,
  ) {
    this.start = start;
    const sc = otel.spanContext();
    // A no-op tracer hands back the parent's context (or an invalid one): make our own ids.
    const own = isSpanContextValid(sc) && sc.spanId !== parentSpanId;
    this.traceId = own ? sc.traceId : (parentTraceId ?? factory.randomId(16));
    this.spanId = own ? sc.spanId : factory.randomId(8);
    if (factory.sink) {
      this.attributes = {};
      this.events = [];
      this.copy(attributes);
    }
  }

  /** Starts a span under `parent` (or a root span when there is none). */
  static start(
    factory: SpanFactory,
    kind: TraceSpanKind,
    name: string,
    runId: string,
    parent: TracedSpan | undefined,
    attributes: ScopeAttributes,
  ): TracedSpan {
    const start = factory.now();
    const ctx = parent ? trace.setSpan(context.active(), parent.otel) : context.active();
    const otel = factory.tracer.startSpan(
      name,
      { startTime: start, attributes, root: !parent },
      ctx,
    );
    return TracedSpan.wrap(factory, otel, start, kind, name, runId, parent, attributes);
  }

  /** Wraps an OpenTelemetry span that was started at `start` under `parent`. */
  static wrap(
    factory: SpanFactory,
    otel: Span,
    start: number,
    kind: TraceSpanKind,
    name: string,
    runId: string,
    parent: TracedSpan | undefined,
    attributes: ScopeAttributes,
  ): TracedSpan {
    return new TracedSpan(
      factory,
      otel,
      kind,
      name,
      runId,
      parent?.spanId ?? null,
      parent?.traceId,
      start,
      attributes,
    );
  }

  /** True when anything (an SDK or the store) records this span. */
  get live(): boolean {
    return this.factory.sink !== undefined || this.otel.isRecording();
  }

  set(attributes: ScopeAttributes): void {
    if (this.ended) return;
    this.otel.setAttributes(attributes);
    this.copy(attributes);
  }

  event(name: string, attributes: ScopeAttributes = {}): void {
    if (this.ended) return;
    const at = this.factory.now();
    this.otel.addEvent(name, attributes, at);
    this.events?.push({ name, at, attributes: assignClean({}, attributes) });
  }

  /** Marks the span failed: ERROR status, an exception event and `baton.error.code`. */
  fail(error: ErrorInfo): void {
    if (this.ended) return;
    const at = this.factory.now();
    this.otel.recordException({ name: error.name, message: error.message }, at);
    this.events?.push({
      name: TRACE_NAMES.exception,
      at,
      attributes: { 'exception.type': error.name, 'exception.message': error.message },
    });
    this.setStatus('error', error.message);
    this.set({ [TRACE_NAMES.errorCode]: error.code });
  }

  /** Records an error without failing the span (a degraded but successful step). */
  note(error: ErrorInfo): void {
    this.event(TRACE_NAMES.exception, {
      'exception.type': error.name,
      'exception.message': error.message,
    });
    this.set({ [TRACE_NAMES.errorCode]: error.code });
  }

  setStatus(status: TraceStatus, message?: string): void {
    if (this.ended) return;
    this.status = status;
    this.statusMessage = message;
    const code =
      status === 'error'
        ? SpanStatusCode.ERROR
        : status === 'ok'
          ? SpanStatusCode.OK
          : SpanStatusCode.UNSET;
    this.otel.setStatus(message === undefined ? { code } : { code, message });
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    const end = this.factory.now();
    this.otel.end(end);
    if (!this.factory.sink || !this.attributes || !this.events) return;
    const body: StoredSpan = {
      traceId: this.traceId,
      spanId: this.spanId,
      parentSpanId: this.parentSpanId,
      runId: this.runId,
      kind: this.kind,
      name: this.name,
      start: this.start,
      end,
      status: this.status,
      ...(this.statusMessage !== undefined ? { statusMessage: this.statusMessage } : {}),
      attributes: this.attributes,
      events: this.events,
    };
    this.factory.sink({
      kind: 'span',
      key: this.spanId,
      runId: this.runId,
      at: Math.floor(this.start),
      body: body as never,
    });
  }

  private copy(attributes: ScopeAttributes): void {
    if (this.attributes) assignClean(this.attributes, attributes);
  }
}

/** Copies the JSON-safe attributes (no undefined, no NaN or infinities). */
function assignClean(
  into: Record<string, TraceAttributeValue>,
  attributes: ScopeAttributes,
): Record<string, TraceAttributeValue> {
  for (const k in attributes) {
    const v = attributes[k];
    if (v !== undefined && (typeof v !== 'number' || Number.isFinite(v))) into[k] = v;
  }
  return into;
}

/**
 * Random ids from a pool refilled 4 KiB at a time: one `randomFillSync` per ~500 span ids
 * instead of one per id (it was the largest cost of the store-only path).
 */
export function createIdSource(): (bytes: 8 | 16) => string {
  const pool = Buffer.alloc(4096);
  let offset = pool.length;
  return (bytes) => {
    if (offset + bytes > pool.length) {
      randomFillSync(pool);
      offset = 0;
    }
    const id = pool.toString('hex', offset, offset + bytes);
    offset += bytes;
    return id;
  };
}
