/**
 * The bus seam: how events travel from the store to reactors. Reactors never see it; the
 * delivery engine (consumer.ts) talks to a bus through these few calls, so the embedded bus
 * (embedded-bus.ts, polling the store) and a NATS JetStream bus are interchangeable.
 *
 * Whatever the bus, the STORE is the source of truth: every event is stored before it travels
 * (`appendEvents`), and a delivery's end is decided by one store transaction (`settleDelivery`:
 * the inbox mark plus the events the handler emitted, the outbox). A bus only moves messages and
 * redelivers them; redeliveries are made harmless by the inbox, which is why delivery is
 * at-least-once on the wire and effectively once in effect.
 *
 * Mapping onto NATS JetStream (`natsBus()` from `baton-runtime/nats`, src/backends/nats/):
 * - one stream (`BATON_EVENTS` by default) on subjects `<prefix>.<type token>.<e|f>` (`e` for
 *   events, `f` for failure events), created or verified at start; each stored event is
 *   published with `Nats-Msg-Id` = its event id, so the duplicate window drops republishes;
 * - one durable pull consumer per reactor (a single filter subject each, `<prefix>.<type>.*`;
 *   the compensator filters `<prefix>.*.f`), `ack_wait` = the store lease (renewed every third);
 * - when a message arrives the bus claims the due deliveries through the store and answers each
 *   message from its delivery row: `ack()` after a done settle, `nak(delay)` after a retry,
 *   `term()` (without a reason: older servers ignore term with a reason) after a dead letter;
 * - per-correlation order comes from the store's claim, not from the stream;
 * - each tick also claims from the store directly, so an event stored but never sent is still
 *   delivered.
 *
 * The embedded bus maps the same calls onto the store's delivery rows (claim = lease, settle =
 * ack/nak/term), so it needs no process besides the runtime.
 */
import type { Logger } from '../agents/agent.js';
import type { ErrorInfo } from '../errors.js';
import type {
  ConsumerMatch,
  EventRecord,
  EventStore,
  NewEvent,
  SettleResult,
} from '../ledger/event-store.js';
import type { Clock } from '../resilience/clock.js';

/** What a bus gets from the runtime at start. */
export interface BusContext {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The lease owner id of this runtime. */
  readonly owner: string;
}

/** One durable consumer: a reactor, or the compensator. */
export interface ConsumerSpec {
  /** Durable name (a reactor id `name@version`, or `$compensator`). */
  readonly name: string;
  readonly match: ConsumerMatch;
  /** Deliveries handled at once by this process. */
  readonly concurrency: number;
}

/** One delivery of one event to one consumer, as handed to the delivery engine. */
export interface BusMessage {
  readonly event: EventRecord;
  readonly consumer: string;
  /** 1 for the first delivery; counts across processes and restarts. */
  readonly attempt: number;
  /** Commits the inbox mark and the emitted events atomically, then acknowledges. */
  complete(emitted: readonly NewEvent[]): Promise<SettleResult>;
  /** Records the failure and asks for redelivery after `delayMs` (nak with delay). */
  retry(delayMs: number, error: ErrorInfo, countAttempt: boolean): Promise<SettleResult>;
  /** Moves the delivery to the dead letters (term). */
  dead(error: ErrorInfo): Promise<SettleResult>;
}

/** A running consumer. */
export interface Subscription {
  /** Stops taking new messages and waits for the ones in hand. */
  stop(): Promise<void>;
}

/** A transport for stored events. */
export interface EventBus {
  readonly kind: string;
  /** Creates or verifies streams and consumers; called once by the runtime. */
  start(ctx: BusContext): Promise<void>;
  /** Events were committed to the store (published, or emitted by a delivery): move them. */
  published(events: readonly NewEvent[]): void;
  /** Starts delivering to `handler`; the handler settles every message it gets. */
  subscribe(spec: ConsumerSpec, handler: (message: BusMessage) => Promise<void>): Subscription;
  /**
   * Resolves once every subscription has looked for work after this call and found none, with
   * nothing in hand. Optional: used by `rt.eventsSettled()`.
   */
  quiet?(): Promise<void>;
  /** Stops every subscription. */
  close(): Promise<void>;
}
