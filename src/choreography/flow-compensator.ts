/**
 * Compensation events (the hybrid of choreography and saga): when a failure event is stored,
 * the `$compensator` consumer undoes the flow of its correlation — every handling by a reactor
 * with `compensate`, in reverse causal order (latest event first), each recorded once.
 *
 * Invariants:
 * - Only handlings completed before the failure event (lower seq) are compensated.
 * - A compensation is recorded in the store after `compensate` returns; a crash in between runs
 *   it again (pass `ctx.idempotencyKey` to side effects), a recorded one never runs again, so a
 *   second failure event of the same correlation compensates nothing twice.
 * - `compensate` runs under the reactor's guard with its full retry policy; if it keeps failing
 *   the failure event's delivery fails, is redelivered, and ends in the dead letters — visible,
 *   never silently half-done.
 *
 * Why this is not the saga (saga/saga-compensator.ts): a workflow's saga undoes the steps of one
 * run, in version order, journaled in that run's ledger by the single writer of the run; here there
 * is no run and no writer, only a correlation of events handled by independent reactors, so the
 * order is causal (event seq) and the record of what was undone lives in the event store.
 */
import type { EventStore } from '../ledger/event-store.js';
import type { BusMessage } from './bus.js';
import type { EngineCore } from './consumer.js';
import { toReactorEvent } from './consumer.js';
import type { Reactor } from './reactor.js';

/** The consumer name of the compensator. */
export const COMPENSATOR = '$compensator';

/** Compensates the correlation of the failure event in `msg`; throws if a compensation fails. */
export async function compensateFlow(
  core: EngineCore,
  store: EventStore,
  reactors: ReadonlyMap<string, Reactor>,
  msg: BusMessage,
): Promise<string[]> {
  const failure = msg.event;
  const rows = await store.readDeliveries({ correlationId: failure.correlationId });
  const done = new Set(
    rows.filter((d) => d.kind === 'compensate').map((d) => `${d.eventId}\u0000${d.consumer}`),
  );
  const todo = rows
    .filter(
      (d) =>
        d.kind === 'handle' &&
        d.status === 'done' &&
        d.seq < failure.seq &&
        reactors.get(d.consumer)?.compensate !== undefined &&
        !done.has(`${d.eventId}\u0000${d.consumer}`),
    )
    .sort((a, b) => b.seq - a.seq || (b.finishedAt ?? 0) - (a.finishedAt ?? 0));
  const compensated: string[] = [];
  for (const d of todo) {
    const reactor = reactors.get(d.consumer)!;
    const [handled] = await store.readEvents({ eventId: d.eventId });
    if (!handled) continue;
    const guard = core.guards.guard(reactor.id, reactor.policy);
    await guard.run(
      (signal, attempt) =>
        Promise.resolve(
          reactor.compensate!(toReactorEvent(handled), {
            reactor: reactor.id,
            attempt,
            idempotencyKey: `${d.eventId}:${reactor.id}:compensate`,
            failure: toReactorEvent(failure),
            signal,
            logger: core.logger,
          }),
        ),
      { step: `${reactor.id}:compensate` },
    );
    await store.recordCompensation(d.eventId, reactor.id, core.clock.now());
    compensated.push(`${reactor.id}:${d.eventId}`);
  }
  return compensated;
}
