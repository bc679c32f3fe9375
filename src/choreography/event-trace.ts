/**
 * Event-flow traces: the causal tree of one correlation (event → deliveries → emitted events),
 * built from the store alone, with the flags an operator looks for first.
 *
 * Invariants:
 * - The tree holds every stored event of the correlation exactly once: under the delivery that
 *   emitted it, under its cause when something else published it with a causation id, or as a
 *   root.
 * - Flags are computed from stored facts plus the given subscriptions and time; nothing here
 *   writes.
 */
import type { ErrorInfo } from '../errors.js';
import type { DeliveryRecord, EventRecord } from '../ledger/event-store.js';
import { decodeJson, type Json } from '../ledger/json.js';

/** Options of `rt.eventTrace`. */
export interface EventTraceOptions {
  /** A flow with pending work and no activity for this long is stalled (default 60 s). */
  readonly stallAfterMs?: number;
}

/** One delivery in a trace. */
export interface TracedDelivery {
  readonly reactor: string;
  readonly status: DeliveryRecord['status'];
  readonly attempts: number;
  /** From the event's publication to its handling (done or dead); null while pending. */
  readonly latencyMs: number | null;
  /** Redeliveries suppressed by the inbox. */
  readonly duplicates: number;
  readonly error: ErrorInfo | null;
  /** When the handling was compensated, if it was. */
  readonly compensatedAt: number | null;
  /** Events this delivery emitted. */
  readonly emitted: readonly TracedEvent[];
}

/** One event in a trace. */
export interface TracedEvent {
  readonly eventId: string;
  readonly type: string;
  readonly producer: string;
  readonly causationId: string | null;
  readonly at: number;
  readonly failure: boolean;
  readonly payload: Json;
  /** True when no reactor subscribes to the event's type and nothing delivered it. */
  readonly unconsumed: boolean;
  readonly deliveries: readonly TracedDelivery[];
  /** Events published by others with this one as their cause. */
  readonly caused: readonly TracedEvent[];
}

/** The causal tree of one correlation, with flags. */
export interface EventTrace {
  readonly correlationId: string;
  readonly roots: readonly TracedEvent[];
  readonly eventCount: number;
  readonly deliveryCount: number;
  readonly flags: {
    /** Ids of events nobody consumes. */
    readonly unconsumed: readonly string[];
    /** Redeliveries suppressed by the inbox, in total. */
    readonly duplicatesSuppressed: number;
    /** Deliveries that failed at least once (an error recorded), in total. */
    readonly failures: number;
    readonly deadLetters: number;
    readonly pending: number;
    /** Pending work and no activity for `stallAfterMs`. */
    readonly stalled: boolean;
  };
  readonly startedAt: number;
  readonly lastActivityAt: number;
}

/** What building a trace needs besides the stored rows. */
export interface TraceContext extends EventTraceOptions {
  /** True when some consumer of this runtime takes the event. */
  readonly subscribed: (event: EventRecord) => boolean;
  readonly now: number;
}

/** Builds the trace of a correlation from its events and deliveries. */
export function buildEventTrace(
  correlationId: string,
  events: readonly EventRecord[],
  deliveries: readonly DeliveryRecord[],
  ctx: TraceContext,
): EventTrace {
  const byId = new Map(events.map((e) => [e.eventId, e]));
  const handle = deliveries.filter((d) => d.kind === 'handle');
  const compensatedAt = new Map(
    deliveries
      .filter((d) => d.kind === 'compensate')
      .map((d) => [`${d.eventId}\u0000${d.consumer}`, d.finishedAt]),
  );
  const emittedBy = new Map<string, EventRecord[]>();
  const causedBy = new Map<string, EventRecord[]>();
  const roots: EventRecord[] = [];
  for (const e of events) {
    const cause = e.causationId !== null ? byId.get(e.causationId) : undefined;
    if (!cause) roots.push(e);
    else {
      const viaDelivery = handle.some(
        (d) => d.eventId === cause.eventId && d.consumer === e.producer,
      );
      const key = viaDelivery ? `${cause.eventId}\u0000${e.producer}` : cause.eventId;
      const map = viaDelivery ? emittedBy : causedBy;
      map.set(key, [...(map.get(key) ?? []), e]);
    }
  }
  const unconsumed: string[] = [];
  const node = (e: EventRecord): TracedEvent => {
    const mine = handle.filter((d) => d.eventId === e.eventId);
    const isUnconsumed = mine.length === 0 && !ctx.subscribed(e);
    if (isUnconsumed) unconsumed.push(e.eventId);
    return {
      eventId: e.eventId,
      type: e.type,
      producer: e.producer,
      causationId: e.causationId,
      at: e.at,
      failure: e.failure,
      payload: decodeJson(e.payload),
      unconsumed: isUnconsumed,
      deliveries: mine.map((d) => ({
        reactor: d.consumer,
        status: d.status,
        attempts: d.attempts,
        latencyMs: d.finishedAt === null ? null : Math.max(0, d.finishedAt - e.at),
        duplicates: d.duplicates,
        error: d.error,
        compensatedAt: compensatedAt.get(`${e.eventId}\u0000${d.consumer}`) ?? null,
        emitted: (emittedBy.get(`${e.eventId}\u0000${d.consumer}`) ?? []).map(node),
      })),
      caused: (causedBy.get(e.eventId) ?? []).map(node),
    };
  };
  const tree = roots.map(node);
  const times = [
    ...events.map((e) => e.at),
    ...deliveries.flatMap((d) => [d.startedAt ?? 0, d.finishedAt ?? 0]),
  ];
  const lastActivityAt = Math.max(...times);
  // Work is pending when a delivery waits, or a subscribed event has no delivery row yet.
  const pending =
    handle.filter((d) => d.status === 'pending').length +
    events.filter((e) => ctx.subscribed(e) && !handle.some((d) => d.eventId === e.eventId)).length;
  return {
    correlationId,
    roots: tree,
    eventCount: events.length,
    deliveryCount: handle.length,
    flags: {
      unconsumed,
      duplicatesSuppressed: handle.reduce((n, d) => n + d.duplicates, 0),
      failures: handle.filter((d) => d.error !== null).length,
      deadLetters: handle.filter((d) => d.status === 'dead').length,
      pending,
      stalled: pending > 0 && ctx.now - lastActivityAt > (ctx.stallAfterMs ?? 60_000),
    },
    startedAt: Math.min(...events.map((e) => e.at)),
    lastActivityAt,
  };
}
