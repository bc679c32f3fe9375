/**
 * Hand-off: a delivery that emits events leases them, in its own settle transaction, to the
 * subscriptions of this process that take them (stores with `settleAndClaim`). The next hop of
 * a flow then starts as soon as that one commit is durable, without a claim transaction and an
 * fsync of its own. Shared by the embedded bus and the NATS bus.
 *
 * Invariants:
 * - Slots are reserved on each taker before the transaction and released after it, so
 *   concurrent settlements never hand a subscription more than its `concurrency`.
 * - A handed delivery is leased and its attempt counted by the same commit that stores its
 *   event, exactly as a claim would (the store applies the claim rules: per-correlation order,
 *   due, not leased); it is dispatched only once that commit is durable.
 * - Events not handed off (no free slot, an earlier event of the correlation pending, a store
 *   without `settleAndClaim`) are claimed by the subscriptions as before.
 */
import type {
  ClaimedDelivery,
  DeliveryClaim,
  DeliverySettlement,
  NewEvent,
  SettleResult,
} from '../ledger/event-store.js';
import type { BusContext, ConsumerSpec } from './bus.js';

/** A `done` settlement. */
export type DoneSettlement = Extract<DeliverySettlement, { outcome: 'done' }>;

/** A subscription that can take handed-off deliveries. */
export interface HandOffTaker {
  readonly spec: ConsumerSpec;
  /** True when this running subscription takes one of `events`. */
  takes(events: readonly NewEvent[]): boolean;
  /** Reserves up to `wanted` free slots; returns how many. */
  reserve(wanted: number): number;
  unreserve(n: number): void;
  /** Runs the handler on a delivery leased for this subscription. */
  dispatch(c: ClaimedDelivery): void;
}

/** Settles `st`, handing the events it emitted to `takers` when the store can. */
export async function settleWithHandOff(
  ctx: BusContext,
  takers: Iterable<HandOffTaker>,
  leaseMs: number,
  st: DoneSettlement,
): Promise<SettleResult> {
  const { store, clock, owner } = ctx;
  if (!store.settleAndClaim || st.emitted.length === 0) return store.settleDelivery(st);
  const mine = [...takers].filter((t) => t.takes(st.emitted));
  const slots = mine.map((t) => t.reserve(st.emitted.length));
  const release = (): void => {
    for (let i = 0; i < mine.length; i++) mine[i]!.unreserve(slots[i]!);
  };
  if (!slots.some((n) => n > 0)) {
    release();
    return store.settleDelivery(st);
  }
  const now = clock.now();
  const claims: DeliveryClaim[] = mine.map((t, i) => ({
    consumer: t.spec.name,
    match: t.spec.match,
    owner,
    now,
    expiresAt: now + leaseMs,
    limit: slots[i]!,
  }));
  try {
    const { result, claimed } = await store.settleAndClaim(st, claims);
    for (let i = 0; i < mine.length; i++) for (const c of claimed[i] ?? []) mine[i]!.dispatch(c);
    return result;
  } finally {
    release();
  }
}

/** Whether a consumer spec takes one of `events`. */
export function specTakes(spec: ConsumerSpec, events: readonly NewEvent[]): boolean {
  const m = spec.match;
  return events.some((e) => ('failures' in m ? e.failure : m.types.includes(e.type)));
}
