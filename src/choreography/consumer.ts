/**
 * The delivery engine: runs one message through a reactor under its policy and settles it.
 *
 * Invariants:
 * - One delivery attempt = one guarded call (timeout, breaker, limits of the reactor's guard);
 *   retries are redeliveries, durable in the store, spaced by the policy's backoff, so a crash
 *   never resets the attempt count and a poison event ends in the dead letters.
 * - Emitted events are buffered and handed to the store with the inbox mark in one settlement;
 *   a failed attempt emits nothing.
 * - Not retried (dead-lettered at once): errors with `retryable === false` (contract violations,
 *   undeclared emits). A breaker that is open gives the attempt back and waits its reset time.
 */
import {
  CausationDepthExceededError,
  describeError,
  InvalidArgumentError,
  isCircuitOpenError,
  PayloadTooLargeError,
} from '../errors.js';
import type { EventRecord, NewEvent } from '../ledger/event-store.js';
import { assertId } from '../ledger/id-rules.js';
import { decodeJson, sealJson } from '../ledger/json.js';
import { DEFAULT_MAX_SLOT_BYTES } from '../ledger/versions.js';
import type { RuntimeCore } from '../orchestrator/runtime-core.js';
import { backoffDelay } from '../resilience/backoff.js';
import type { BusMessage } from './bus.js';
import type { CausationDepths } from './causation-depth.js';
import type { EventType } from './event-type.js';
import type { Reactor, ReactorContext, ReactorEvent } from './reactor.js';

/** What the engine needs from the runtime. */
export type EngineCore = Pick<RuntimeCore, 'guards' | 'clock' | 'logger' | 'telemetry' | 'random'>;

/** Builds a stored event from a typed payload, validating it (boundary 'event'). */
export function buildEvent(
  type: EventType,
  payload: unknown,
  fields: Omit<NewEvent, 'type' | 'payload' | 'failure'> & { readonly failure?: boolean },
  reactorId?: string,
): NewEvent {
  const value = type.contract.parse(payload, {
    boundary: 'event',
    ...(reactorId ? { agent: reactorId } : {}),
  });
  const { encoded } = sealJson(value, `$event(${type.id})`);
  // Events are held to the limits of run state: ids as chosen ids, payloads as slots.
  assertId(fields.eventId, 'eventId');
  assertId(fields.correlationId, 'correlationId');
  if (fields.causationId !== null) assertId(fields.causationId, 'causationId');
  if (encoded.length * 3 > DEFAULT_MAX_SLOT_BYTES) {
    const bytes = Buffer.byteLength(encoded, 'utf8');
    if (bytes > DEFAULT_MAX_SLOT_BYTES)
      throw new PayloadTooLargeError(`$event(${type.id})`, bytes, DEFAULT_MAX_SLOT_BYTES);
  }
  return {
    ...fields,
    type: type.id,
    payload: encoded,
    failure: fields.failure === true || type.failure,
  };
}

/** The reactor's view of a stored event. */
export function toReactorEvent<T>(e: EventRecord): ReactorEvent<T> {
  return Object.freeze({
    eventId: e.eventId,
    type: e.type,
    payload: decodeJson(e.payload),
    correlationId: e.correlationId,
    causationId: e.causationId,
    producer: e.producer,
    at: e.at,
  }) as ReactorEvent<T>;
}

/** Handles one message with `reactor` and settles it; never throws for handler failures. */
export async function deliver(
  core: EngineCore,
  reactor: Reactor,
  msg: BusMessage,
  newId: () => string,
  onEmitted: (events: readonly NewEvent[]) => void,
  depths?: CausationDepths,
): Promise<void> {
  // Deliveries yield to the event loop, so a reactor loop on an in-memory store can never starve
  // timers and I/O (each delivery would otherwise chain straight into the next).
  await new Promise<void>((resolve) => setImmediate(resolve));
  const depth = depths ? await depths.depthOf(msg.event) : 0;
  const guard = core.guards.guard(reactor.id, reactor.policy);
  const { retry, timeoutMs } = guard.policy;
  const { event } = msg;
  const scope = core.telemetry.run(`${event.eventId}:${reactor.id}`, {
    'baton.kind': 'delivery',
    'baton.reactor': reactor.id,
    'baton.event.id': event.eventId,
    'baton.event.type': event.type,
    'baton.correlation_id': event.correlationId,
    'baton.causation_id': event.causationId ?? undefined,
  });
  const step = scope.step(reactor.id, { 'baton.delivery.attempt': msg.attempt });
  const attempt = step.attempt(msg.attempt);
  let emitted: NewEvent[] = [];
  try {
    await guard.run(
      async (signal) => {
        emitted = [];
        const ctx = reactorContext(core, reactor, msg, signal, attempt.span, newId, emitted, {
          depth,
          max: depths?.maxDepth,
        });
        await reactor.handle(toReactorEvent(event), ctx);
      },
      {
        startAttempt: msg.attempt,
        // One attempt per delivery: the retry loop is the (durable) redelivery.
        policy: { timeoutMs, retry: { ...retry, maxAttempts: msg.attempt } },
        step: reactor.id,
      },
    );
  } catch (e) {
    const info = describeError(e);
    attempt.end(info);
    if (isCircuitOpenError(e)) {
      await msg.retry(e.retryAfterMs, info, false);
      step.end('failed', { 'baton.delivery.outcome': 'breaker_open' }, info);
    } else if (info.retryable === false || msg.attempt >= retry.maxAttempts) {
      await msg.dead(info);
      step.end('failed', { 'baton.delivery.outcome': 'dead' }, info);
    } else {
      await msg.retry(backoffDelay(msg.attempt, retry.backoff, core.random), info, true);
      step.end('failed', { 'baton.delivery.outcome': 'retry' }, info);
    }
    scope.end('failed', info);
    return;
  }
  attempt.end();
  const result = await msg.complete(emitted);
  step.end('succeeded', { 'baton.delivery.outcome': result });
  scope.end(result === 'settled' ? 'completed' : result);
  if (result === 'settled' && emitted.length > 0) {
    for (const e of emitted) depths?.remember(e.eventId, depth + 1);
    onEmitted(emitted);
  }
}

function reactorContext(
  core: EngineCore,
  reactor: Reactor,
  msg: BusMessage,
  signal: AbortSignal,
  span: ReactorContext['span'],
  newId: () => string,
  out: NewEvent[],
  causation: { readonly depth: number; readonly max: number | undefined },
): ReactorContext {
  const { event } = msg;
  const allowed = new Set(reactor.emits.map((t) => t.id));
  return {
    reactor: reactor.id,
    attempt: msg.attempt,
    idempotencyKey: `${event.eventId}:${reactor.id}`,
    signal,
    logger: core.logger,
    span,
    emit(type, payload) {
      if (!allowed.has((type as EventType | undefined)?.id ?? '')) {
        throw new InvalidArgumentError(
          `reactor '${reactor.id}' emitted '${String((type as EventType | undefined)?.id)}', which is not in its emits [${[...allowed].join(', ')}]; declare it in emits`,
          'type',
        );
      }
      if (causation.max !== undefined && causation.depth + 1 > causation.max) {
        throw new CausationDepthExceededError(
          (type as EventType).id,
          causation.depth + 1,
          causation.max,
        );
      }
      const id = newId();
      out.push(
        buildEvent(
          type,
          payload,
          {
            eventId: id,
            correlationId: event.correlationId,
            causationId: event.eventId,
            producer: reactor.id,
            at: core.clock.now(),
          },
          reactor.id,
        ),
      );
      return id;
    },
  };
}
