/**
 * Choreography inside a runtime: publishing, the reactors' subscriptions on the bus, the
 * compensator, dead letters, redelivery and flow traces. The runtime creates one and delegates.
 *
 * Invariants:
 * - An event is validated against its contract before anything is stored; a violation stores
 *   nothing.
 * - Ordering guarantee: each reactor handles the events of one correlation one at a time, in
 *   publish order (the store's claim enforces it, across processes); events of different
 *   correlations are handled concurrently, up to the reactor's `policy.concurrency`.
 * - Delivery is at-least-once; effect is once per (event, reactor): the inbox mark and emitted
 *   events commit in one transaction, and a delivery that finds the mark is suppressed.
 */
import {
  describeError,
  InvalidArgumentError,
  InvalidDefinitionError,
  NotFoundError,
} from '../errors.js';
import type { DeliveryRecord, EventStore, NewEvent } from '../ledger/event-store.js';
import { backoffDelay } from '../resilience/backoff.js';
import type { BusMessage, EventBus, Subscription } from './bus.js';
import { CausationDepths, DEFAULT_MAX_CAUSATION_DEPTH } from './causation-depth.js';
import { buildEvent, deliver, type EngineCore } from './consumer.js';
import { buildEventTrace, type EventTrace, type EventTraceOptions } from './event-trace.js';
import { type EventType, isEventType } from './event-type.js';
import { COMPENSATOR, compensateFlow } from './flow-compensator.js';
import { isReactor, type Reactor } from './reactor.js';

/** Options of `rt.publish`. */
export interface PublishOptions {
  /** The flow this event belongs to (default: the event's own id, starting a new flow). */
  readonly correlationId?: string;
  /** The event that caused this one. */
  readonly causationId?: string;
  /** Use this event id (default: a new sortable id); publishing an id twice stores it once. */
  readonly eventId?: string;
  /** Mark this event as a failure event (compensates its correlation), whatever its type. */
  readonly failure?: boolean;
}

/** What `rt.publish` stored. */
export interface PublishedEvent {
  readonly eventId: string;
  readonly correlationId: string;
  /** True when an event with this id was already stored (nothing was stored again). */
  readonly duplicate: boolean;
}

/** Filter of `rt.deadLetters`. */
export interface DeadLetterQuery {
  readonly reactor?: string;
  readonly correlationId?: string;
  readonly limit?: number;
}

/** The choreography of one runtime. */
export interface Choreography {
  start(): Promise<void>;
  publish(type: EventType, payload: unknown, options?: PublishOptions): Promise<PublishedEvent>;
  redeliver(eventId: string, reactor?: string): Promise<{ requeued: number; suppressed: number }>;
  deadLetters(query?: DeadLetterQuery): Promise<DeliveryRecord[]>;
  eventTrace(correlationId: string, options?: EventTraceOptions): Promise<EventTrace>;
  settled(): Promise<void>;
  stop(): Promise<void>;
}

/** What a choreography is built from. */
export interface ChoreographyOptions {
  readonly core: EngineCore;
  readonly store: EventStore;
  readonly reactors: readonly Reactor[];
  readonly bus: EventBus;
  readonly owner: string;
  readonly newId: () => string;
  /** Events deeper than this in a causal chain are refused (default 1000). */
  readonly maxCausationDepth?: number;
}

/**
 * Creates the choreography of a runtime.
 * @throws InvalidDefinitionError for a non-reactor or two reactors with one id.
 */
export function createChoreography(o: ChoreographyOptions): Choreography {
  const reactors = new Map<string, Reactor>();
  for (const r of o.reactors) {
    if (!isReactor(r))
      throw new InvalidDefinitionError(
        'options.reactors must hold reactors (see reactor())',
        'reactors',
      );
    if (reactors.has(r.id))
      throw new InvalidDefinitionError(`reactor '${r.id}' is registered twice`, r.id);
    reactors.set(r.id, r);
  }
  const events = (): EventStore => o.store;
  const { core, bus } = o;
  const depths = new CausationDepths(
    o.maxCausationDepth ?? DEFAULT_MAX_CAUSATION_DEPTH,
    async (eventId) => (await events().readEvents({ eventId }))[0],
  );
  const subs: Subscription[] = [];
  let activity = 0;
  const stored = (list: readonly NewEvent[]): void => {
    activity++;
    bus.published(list);
  };
  const compensable = [...reactors.values()].some((r) => r.compensate);

  const compensation = async (msg: BusMessage): Promise<void> => {
    activity++;
    try {
      await compensateFlow(core, events(), reactors, msg);
      await msg.complete([]);
    } catch (e) {
      const info = describeError(e);
      const { retry } = core.guards.guard(COMPENSATOR).policy;
      if (msg.attempt >= retry.maxAttempts) await msg.dead(info);
      else await msg.retry(backoffDelay(msg.attempt, retry.backoff, core.random), info, true);
    }
    activity++;
  };

  return {
    async start() {
      if (reactors.size === 0) return;
      await bus.start({ store: events(), clock: core.clock, logger: core.logger, owner: o.owner });
      for (const r of reactors.values()) {
        const limit = core.guards.guard(r.id, r.policy).policy.concurrency;
        const spec = {
          name: r.id,
          match: { types: [r.on.id] },
          concurrency: Number.isFinite(limit) ? limit : 256,
        };
        subs.push(
          bus.subscribe(spec, async (msg) => {
            activity++;
            await deliver(core, r, msg, o.newId, stored, depths);
            activity++;
          }),
        );
      }
      if (compensable) {
        const spec = { name: COMPENSATOR, match: { failures: true as const }, concurrency: 4 };
        subs.push(bus.subscribe(spec, compensation));
      }
    },

    async publish(type, payload, options = {}) {
      if (!isEventType(type))
        throw new InvalidArgumentError('publish needs an event type (see event())', 'type');
      const eventId = options.eventId ?? o.newId();
      const correlationId = options.correlationId ?? eventId;
      for (const [k, v] of Object.entries({ eventId, correlationId })) {
        if (typeof v !== 'string' || v.length === 0)
          throw new InvalidArgumentError(`${k} must be a non-empty string`, k);
      }
      const e = buildEvent(type, payload, {
        eventId,
        correlationId,
        causationId: options.causationId ?? null,
        producer: 'external',
        at: core.clock.now(),
        failure: options.failure === true,
      });
      const { duplicates } = await events().appendEvents([e]);
      const duplicate = duplicates.length > 0;
      if (!duplicate) stored([e]);
      return { eventId, correlationId, duplicate };
    },

    async redeliver(eventId, reactor) {
      const [found] = await events().readEvents({ eventId });
      if (!found) throw new NotFoundError('event', eventId);
      const r = await events().redeliverEvent(eventId, core.clock.now(), reactor);
      activity++;
      bus.published([found]);
      return r;
    },

    async deadLetters(query = {}) {
      return events().readDeliveries({
        status: 'dead',
        kind: 'handle',
        ...(query.reactor !== undefined ? { consumer: query.reactor } : {}),
        ...(query.correlationId !== undefined ? { correlationId: query.correlationId } : {}),
        ...(query.limit !== undefined ? { limit: query.limit } : {}),
      });
    },

    async eventTrace(correlationId, options = {}) {
      if (typeof correlationId !== 'string' || correlationId.length === 0)
        throw new InvalidArgumentError('correlationId must be a non-empty string', 'correlationId');
      const [list, deliveries] = await Promise.all([
        events().readEvents({ correlationId }),
        events().readDeliveries({ correlationId }),
      ]);
      if (list.length === 0) throw new NotFoundError('event flow', correlationId);
      const subscribed = new Set([...reactors.values()].map((r) => r.on.id));
      return buildEventTrace(correlationId, list, deliveries, {
        subscribed: (e) => subscribed.has(e.type) || (e.failure && compensable),
        now: core.clock.now(),
        ...options,
      });
    },

    async settled() {
      if (!bus.quiet) return;
      for (;;) {
        const before = activity;
        await bus.quiet();
        // Per consumer: each read is an index range (consumer, status), not a scan of every
        // delivery ever made.
        const consumers = [...reactors.keys(), COMPENSATOR];
        const mine = (
          await Promise.all(
            consumers.map((consumer) => events().readDeliveries({ consumer, status: 'pending' })),
          )
        ).flat();
        if (mine.length === 0 && activity === before) return;
        if (activity === before) {
          // Only retries not yet due, or deliveries leased by another process, remain: wait.
          const due = Math.min(...mine.map((d) => d.availableAt)) - core.clock.now();
          await core.clock.sleep(Math.min(Math.max(due, 5), 1000));
        }
      }
    },

    async stop() {
      await Promise.all(subs.splice(0).map((s) => s.stop()));
      await bus.close();
    },
  };
}
