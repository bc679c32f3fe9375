/**
 * Reactors: the choreography counterpart of agents. A reactor subscribes to one event type,
 * handles each event once (effectively: at-least-once delivery plus the store's inbox), and may
 * emit declared events. Everything around the call (timeouts, retries, breakers, delivery,
 * dedup, ordering) is the runtime's job.
 *
 * Invariants:
 * - A reactor's id is `name@version`; it names its durable position, its deliveries and its
 *   policy guard, so a new version starts a new consumer.
 * - Definitions are checked when made (like `agent()`), and frozen.
 */
import type { Span } from '@opentelemetry/api';
import type { DeepReadonly, Logger } from '../agents/agent.js';
import { InvalidDefinitionError } from '../errors.js';
import { type Policy, validatePolicy } from '../resilience/policy.js';
import { type EventPayload, type EventType, isEventType } from './event-type.js';

/** An event as a reactor sees it: deep-frozen, typed by its event type. */
export interface ReactorEvent<T = unknown> {
  readonly eventId: string;
  /** The event type id, `name@version`. */
  readonly type: string;
  readonly payload: DeepReadonly<T>;
  readonly correlationId: string;
  readonly causationId: string | null;
  /** `'external'` or the producing reactor's id. */
  readonly producer: string;
  readonly at: number;
}

/** What `handle` receives besides the event. */
export interface ReactorContext<Emits extends readonly EventType[] = readonly EventType[]> {
  /** This reactor's id, `name@version`. */
  readonly reactor: string;
  /** 1 for the first delivery attempt; counts across processes and restarts. */
  readonly attempt: number;
  /** `eventId:reactor`: the same on every attempt and after a crash; use it for side effects. */
  readonly idempotencyKey: string;
  /** Aborted on timeout or when the runtime closes. */
  readonly signal: AbortSignal;
  readonly logger: Logger;
  /** The delivery's span. */
  readonly span: Span;
  /**
   * Emits an event, caused by the event being handled and in its correlation. It is stored
   * only if the handling commits (atomically with the inbox mark). Returns the new event's id.
   * @throws ContractViolationError when the payload violates the type's contract.
   * @throws InvalidArgumentError when the type is not in the reactor's `emits`.
   */
  emit<E extends Emits[number]>(type: E, payload: EventPayload<E>): string;
}

/** What `compensate` receives besides the handled event. */
export interface ReactorCompensationContext {
  readonly reactor: string;
  readonly attempt: number;
  /** `eventId:reactor:compensate`. */
  readonly idempotencyKey: string;
  /** The failure event that triggered the compensation. */
  readonly failure: ReactorEvent;
  readonly signal: AbortSignal;
  readonly logger: Logger;
}

/** What `reactor()` takes. */
export interface ReactorDefinition<T, Emits extends readonly EventType[]> {
  readonly name: string;
  /** Semantic version, e.g. '1.0.0'. */
  readonly version: string;
  readonly on: EventType<T>;
  readonly emits?: Emits;
  // Method syntax on purpose: parameters are then bivariant, so a typed reactor is assignable
  // to `Reactor` (the runtime's list holds reactors of many event types).
  handle(event: ReactorEvent<T>, ctx: ReactorContext<Emits>): void | Promise<void>;
  /** Undoes the effects of a committed `handle` when a failure event of its correlation arrives. */
  compensate?(event: ReactorEvent<T>, ctx: ReactorCompensationContext): void | Promise<void>;
  /** Timeout, retry (attempts before dead letter, backoff), breaker, concurrency. */
  readonly policy?: Policy;
  readonly description?: string;
}

/** A defined reactor. */
export interface Reactor<T = unknown, Emits extends readonly EventType[] = readonly EventType[]>
  extends ReactorDefinition<T, Emits> {
  readonly kind: 'reactor';
  /** `name@version`. */
  readonly id: string;
  readonly emits: Emits;
}

const NAME = /^[a-z][a-z0-9]*(?:[-_.][a-z0-9]+)*$/;
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/**
 * Defines a reactor, checking its definition.
 * @throws InvalidDefinitionError naming the reactor and the field at fault.
 * @example
 * const analyst = reactor({ name: 'analyst', version: '1.0.0', on: ResearchCompleted,
 *   emits: [AnalysisCompleted],
 *   handle: async (e, ctx) => { ctx.emit(AnalysisCompleted, { summary: e.payload.topic }); } });
 */
export function reactor<T, const Emits extends readonly EventType[] = readonly []>(
  def: ReactorDefinition<T, Emits>,
): Reactor<T, Emits> {
  const d = def as Partial<ReactorDefinition<T, Emits>> | undefined;
  if (typeof d !== 'object' || d === null)
    throw new InvalidDefinitionError('reactor() expects a definition object', 'reactor');
  const label = `reactor '${String(d.name)}@${String(d.version)}'`;
  const bad = (msg: string): never => {
    throw new InvalidDefinitionError(`${label}: ${msg}`, label);
  };
  if (typeof d.name !== 'string' || !NAME.test(d.name)) {
    bad(
      `name must be lowercase letters and digits separated by '-', '_' or '.', got ${JSON.stringify(d.name)}`,
    );
  }
  if (typeof d.version !== 'string' || !SEMVER.test(d.version))
    bad(`version must be a semantic version like '1.0.0', got ${JSON.stringify(d.version)}`);
  if (!isEventType(d.on)) bad('on must be an event type (see event())');
  if (d.emits !== undefined) {
    if (!Array.isArray(d.emits)) bad('emits must be an array of event types');
    (d.emits as readonly unknown[]).forEach((e, i) => {
      if (!isEventType(e)) bad(`emits[${i}] must be an event type (see event())`);
    });
  }
  if (typeof d.handle !== 'function') bad('handle must be a function');
  if (d.compensate !== undefined && typeof d.compensate !== 'function')
    bad('compensate must be a function');
  validatePolicy(d.policy, label);
  return Object.freeze({
    ...def,
    emits: Object.freeze([...(def.emits ?? [])]) as unknown as Emits,
    kind: 'reactor' as const,
    id: `${def.name}@${def.version}`,
  });
}

/** True when `value` is a reactor. */
export function isReactor(value: unknown): value is Reactor {
  return (
    typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'reactor'
  );
}
