/**
 * The event part of the ledger: the event log, per-consumer positions and delivery rows (which
 * double as the inbox), implemented by every backend next to the run tables.
 *
 * Contract, checked by the shared suite (src/testing/event-store-contract.ts):
 * - The log is append-only: an event is never updated or deleted. Each stored event gets a
 *   `seq` strictly greater than every event committed before it (global publish order).
 * - `appendEvents` is idempotent on `eventId` (message-id dedup): an id already stored is not
 *   stored again and is reported in `duplicates`; the rest of the batch commits in one
 *   transaction.
 * - `claimDeliveries` is atomic: it first materializes a delivery row for every event the
 *   consumer matches past its durable position (then advances the position), then leases up to
 *   `limit` deliveries that are pending, due (`availableAt <= now`) and not leased by a live
 *   owner, oldest `seq` first. Per-correlation order: a delivery is never claimed while an
 *   earlier (lower `seq`) delivery of the same consumer and correlation is still pending, so a
 *   consumer handles the events of one correlation one at a time, in publish order.
 *   Two claimers (two processes) never hold the same delivery.
 * - `settleDelivery` is fenced and atomic: it applies only while `owner` holds the lease on a
 *   pending delivery. `done` writes the inbox mark and the emitted events in ONE transaction;
 *   when the delivery is already done (another owner finished it after our lease expired) it
 *   writes nothing, counts a suppressed duplicate and returns `duplicate`. `retry` releases the
 *   lease and sets `availableAt`; `dead` moves it to the dead letters.
 * - `recordCompensation` writes a compensation row at most once per (event, consumer).
 */
import type { ErrorInfo } from '../errors.js';

/** One event as stored. */
export interface EventRecord {
  /** Sortable unique id (also the message id used for dedup). */
  readonly eventId: string;
  /** Global publish order, assigned by the store. */
  readonly seq: number;
  /** The event type id, `name@version`. */
  readonly type: string;
  /** Canonical JSON of the payload. */
  readonly payload: string;
  readonly correlationId: string;
  readonly causationId: string | null;
  /** `'external'` or the producing reactor's `name@version`. */
  readonly producer: string;
  /** True for failure events (they trigger compensation of their correlation). */
  readonly failure: boolean;
  readonly at: number;
}

/** An event to store; `seq` is assigned by the store. */
export type NewEvent = Omit<EventRecord, 'seq'>;

/** Where a delivery is: waiting (or in flight under a lease), handled, or dead-lettered. */
export type DeliveryStatus = 'pending' | 'done' | 'dead';

/** What a delivery row records: the handling of an event, or the compensation of that handling. */
export type DeliveryKind = 'handle' | 'compensate';

/** One delivery of one event to one consumer (a reactor, or the compensator). */
export interface DeliveryRecord {
  readonly eventId: string;
  readonly consumer: string;
  readonly kind: DeliveryKind;
  /** The event's seq and correlation, copied for ordering and tracing. */
  readonly seq: number;
  readonly correlationId: string;
  readonly status: DeliveryStatus;
  /** Attempts started (a claim counts as an attempt, so a crash mid-handling counts too). */
  readonly attempts: number;
  readonly availableAt: number;
  readonly leaseOwner: string | null;
  readonly leaseExpiresAt: number | null;
  /** When the first attempt started, and when the delivery was settled done or dead. */
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  /** Deliveries suppressed by the inbox mark after this one was done. */
  readonly duplicates: number;
  readonly error: ErrorInfo | null;
}

/** Which events a consumer takes: some types, or every failure event. */
export type ConsumerMatch = { readonly types: readonly string[] } | { readonly failures: true };

/** A request to lease due deliveries of one consumer. */
export interface DeliveryClaim {
  readonly consumer: string;
  readonly match: ConsumerMatch;
  readonly owner: string;
  readonly now: number;
  readonly expiresAt: number;
  readonly limit: number;
}

/** A leased delivery with its event. */
export interface ClaimedDelivery {
  readonly delivery: DeliveryRecord;
  readonly event: EventRecord;
}

/** How a leased delivery ends (or pauses). */
export type DeliverySettlement =
  | {
      readonly outcome: 'done';
      readonly eventId: string;
      readonly consumer: string;
      readonly owner: string;
      readonly at: number;
      /** The outbox: events emitted by the handler, stored atomically with the inbox mark. */
      readonly emitted: readonly NewEvent[];
    }
  | {
      readonly outcome: 'retry';
      readonly eventId: string;
      readonly consumer: string;
      readonly owner: string;
      readonly at: number;
      readonly availableAt: number;
      readonly error: ErrorInfo;
      /** False when the attempt never reached the handler (breaker open): give it back. */
      readonly countAttempt: boolean;
    }
  | {
      readonly outcome: 'dead';
      readonly eventId: string;
      readonly consumer: string;
      readonly owner: string;
      readonly at: number;
      readonly error: ErrorInfo;
    };

/** What settling did. `lost`: the lease was no longer ours and the delivery not done. */
export type SettleResult = 'settled' | 'duplicate' | 'lost';

/** Filter for events. */
export interface EventQuery {
  readonly correlationId?: string;
  readonly eventId?: string;
  readonly limit?: number;
}

/** Filter for deliveries. */
export interface DeliveryQuery {
  readonly correlationId?: string;
  readonly eventId?: string;
  readonly consumer?: string;
  readonly status?: DeliveryStatus;
  readonly kind?: DeliveryKind;
  readonly limit?: number;
}

/** What `redeliver` did to each matching delivery. */
export interface RedeliverResult {
  /** Dead (or pending) deliveries made due again, attempts reset. */
  readonly requeued: number;
  /** Done deliveries: the inbox suppressed the redelivery (counted as duplicates). */
  readonly suppressed: number;
}

/** The event log, positions and deliveries of a ledger. */
export interface EventStore {
  /**
   * Stores events in one transaction, skipping ids already stored.
   * @returns the events stored now (with their seq) and the ids that were duplicates.
   */
  appendEvents(
    events: readonly NewEvent[],
  ): Promise<{ stored: EventRecord[]; duplicates: string[] }>;
  /** Materializes and leases due deliveries of one consumer (see the contract above). */
  claimDeliveries(claim: DeliveryClaim): Promise<ClaimedDelivery[]>;
  /** Extends the leases `owner` still holds on pending deliveries; returns how many. */
  renewDeliveries(
    owner: string,
    keys: readonly { readonly eventId: string; readonly consumer: string }[],
    expiresAt: number,
  ): Promise<number>;
  /** Ends a leased delivery (see the contract above). */
  settleDelivery(settlement: DeliverySettlement): Promise<SettleResult>;
  /**
   * Optional (a store may leave it out; the bus then settles and claims apart): settles a
   * delivery `done` and, in the SAME transaction, leases for each of `claims` the deliveries of
   * the events just emitted that the consumer matches and that are due by the rules of
   * `claimDeliveries` (materialized first, per-correlation order, at most `limit`), so the next
   * hop of a flow needs no claim transaction (nor its fsync) of its own. Nothing is leased unless
   * the settlement is `settled`. `claimed[i]` answers `claims[i]`.
   */
  settleAndClaim?(
    settlement: Extract<DeliverySettlement, { outcome: 'done' }>,
    claims: readonly DeliveryClaim[],
  ): Promise<{ result: SettleResult; claimed: ClaimedDelivery[][] }>;
  /**
   * Redelivers an event: a dead or pending delivery is made due at `now` with attempts reset;
   * a done delivery is not (the inbox suppresses it) and its duplicate count goes up.
   * Limited to one consumer when given. Deliveries not yet materialized are untouched.
   */
  redeliverEvent(eventId: string, now: number, consumer?: string): Promise<RedeliverResult>;
  /** Records that `consumer`'s handling of `eventId` was compensated; false if already recorded. */
  recordCompensation(eventId: string, consumer: string, at: number): Promise<boolean>;
  /** Events in seq order. */
  readEvents(query: EventQuery): Promise<EventRecord[]>;
  /** Deliveries in (seq, consumer) order. */
  readDeliveries(query: DeliveryQuery): Promise<DeliveryRecord[]>;
}
