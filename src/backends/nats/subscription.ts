/**
 * One durable JetStream consumer feeding one reactor (or the compensator).
 *
 * JetStream carries and redelivers; the store decides. A message names an event; on arrival the
 * subscription claims due deliveries from the store (which materializes them and enforces the
 * per-correlation order), hands the claimed ones to the handler, and answers each message from
 * its delivery's state in the store.
 *
 * Invariants:
 * - A message is acked only when its delivery is done in the store (after the settle commit),
 *   termed only when it is dead there, nak'ed with the retry delay when a retry was recorded.
 *   So every pending delivery keeps a live message on the stream: a crash (no ack) is
 *   redelivered after `ack_wait`, which is also the store lease.
 * - A delivery is handled only under a store lease taken by `claimDeliveries`: two processes
 *   holding the same message (an `ack_wait` redelivery) never run the handler concurrently.
 * - Never more than `concurrency` deliveries in hand; leases and in-hand messages are renewed
 *   every third of `ack_wait` (store `renewDeliveries`, JetStream `working()`).
 * - `term()` carries no reason: servers before 2.10 ignore a `+TERM <reason>` and keep the message
 *   pending forever.
 * - Every tick also claims from the store directly, so an event stored but never published (a
 *   crash between the commit and the publish) is still delivered.
 */

import type { Consumer, ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import type { BusContext, BusMessage, ConsumerSpec } from '../../choreography/bus.js';
import { type DoneSettlement, type HandOffTaker, specTakes } from '../../choreography/hand-off.js';
import type {
  ClaimedDelivery,
  DeliveryRecord,
  NewEvent,
  SettleResult,
} from '../../ledger/event-store.js';
import { redactCredentials } from './redact.js';

/** Header carrying the event id (Nats-Msg-Id is the event id too, but absent on kicks). */
export const EVENT_ID_HEADER = 'Baton-Event-Id';
/** Header carrying the event type. */
export const EVENT_TYPE_HEADER = 'Baton-Event-Type';

/** What a subscription is built from. */
export interface NatsSubscriptionOptions {
  readonly ctx: BusContext;
  readonly spec: ConsumerSpec;
  /**
   * Creates or verifies the durable consumer. Called again after a failure (the server
   * unreachable, a request timed out) until it succeeds or the subscription stops.
   */
  readonly consumer: () => Promise<Consumer>;
  readonly handler: (m: BusMessage) => Promise<void>;
  readonly ackWaitMs: number;
  /** Event types to accept when the consumer's filter is broader than its match. */
  readonly local: ReadonlySet<string> | null;
  /** Settles a delivery done (the bus hands emitted events to local subscriptions there). */
  readonly settleDone: (st: DoneSettlement) => Promise<SettleResult>;
}

/** How many ids settled here are remembered (to ack their late messages without a read). */
const DONE_MEMORY = 8192;

/** A running consumer loop. */
export class NatsSubscription implements HandOffTaker {
  /** Messages received per event id, waiting for (or in) their handling. */
  private readonly held = new Map<string, JsMsg[]>();
  private readonly inHand = new Map<string, ClaimedDelivery>();
  /** Messages given back with a delay: event id → when JetStream redelivers them. */
  private readonly delayed = new Map<string, number>();
  /**
   * Held ids not yet answered from the store since they arrived. A claim round reads only these:
   * reading every held id each round made a burst of N flows cost N² reads. The rest (held ids
   * waiting for an earlier event of their correlation) are claimed once due; a full sweep
   * (`sweepAll`, set by the tick and by `quiet`) catches ids settled by another process.
   */
  private readonly unread = new Set<string>();
  private sweepAll = false;
  private running = true;
  private pumping: Promise<void> | null = null;
  private again = false;
  private messages: ConsumerMessages | undefined;
  /** The durable consumer once set up (undefined until then, or while NATS is unreachable). */
  private current: Consumer | undefined;
  private readonly ticker = new AbortController();
  private changed: (() => void)[] = [];
  private readonly loops: Promise<void>;
  /** Slots promised to hand-offs whose settle transaction has not answered yet. */
  private reserved = 0;
  /**
   * Event ids this subscription settled done itself (durably), most recent last: a message for
   * one (a hand-off's message arriving after its handling) is acked without reading its row.
   */
  private readonly doneHere = new Set<string>();

  constructor(private readonly o: NatsSubscriptionOptions) {
    this.loops = Promise.all([this.receive(), this.tick()]).then(() => undefined);
  }

  get spec(): ConsumerSpec {
    return this.o.spec;
  }

  takes(events: readonly NewEvent[]): boolean {
    return this.running && specTakes(this.o.spec, events);
  }

  reserve(wanted: number): number {
    const free = this.o.spec.concurrency - this.inHand.size - this.reserved;
    const n = Math.max(0, Math.min(wanted, free));
    this.reserved += n;
    return n;
  }

  unreserve(n: number): void {
    this.reserved -= n;
    if (n > 0) this.notify();
  }

  /** Resolves when this consumer has nothing in hand, held or pending on the stream. */
  async quiet(): Promise<void> {
    while (this.running) {
      this.sweepAll = true;
      await this.pump();
      // Without a consumer (NATS unreachable for now) nobody can tell what is pending on the
      // stream: wait for the receive loop to set it up again.
      if (this.inHand.size === 0 && this.reserved === 0 && this.held.size === 0 && this.current) {
        const info = await this.current.info(false).catch(() => undefined);
        const now = this.o.ctx.clock.now();
        const notDue = [...this.delayed.values()].filter((t) => t > now).length;
        if (info && info.num_pending === 0 && info.num_ack_pending <= notDue) return;
      }
      await this.nextChange(25);
    }
  }

  /** Stops taking messages, waits for the deliveries in hand, gives held messages back. */
  async stop(): Promise<void> {
    this.running = false;
    this.ticker.abort();
    await this.messages?.close();
    while (this.inHand.size > 0 || this.reserved > 0) await this.nextChange(50);
    for (const [id, msgs] of this.held) {
      this.held.delete(id);
      for (const m of msgs) m.nak();
    }
    await this.loops;
  }

  /**
   * Sets the consumer up and reads its messages; when that fails or the message stream ends
   * while running (a connection reset, a request timed out), tries again every third of
   * `ack_wait`. Meanwhile the store sweep (`tick`) keeps delivering.
   */
  private async receive(): Promise<void> {
    const { logger, clock } = this.o.ctx;
    while (this.running) {
      try {
        const consumer = await this.o.consumer();
        if (!this.running) return;
        this.current = consumer;
        this.messages = await consumer.consume({
          max_messages: Math.max(64, this.o.spec.concurrency * 4),
        });
        void this.pump(); // work stored before this process started
        for await (const m of this.messages) {
          if (!this.running) break;
          this.arrive(m);
        }
      } catch (e) {
        if (this.running)
          logger.error('NATS consumer stopped; the store sweep keeps delivering until it is back', {
            consumer: this.o.spec.name,
            error: redactCredentials(String(e)),
          });
      }
      if (!this.running) return;
      this.current = undefined;
      const again = await clock.sleep(this.o.ackWaitMs / 3, this.ticker.signal).then(
        () => true,
        () => false,
      );
      if (!again) return;
    }
  }

  private arrive(m: JsMsg): void {
    const id = m.headers?.get(EVENT_ID_HEADER) ?? '';
    const type = m.headers?.get(EVENT_TYPE_HEADER) ?? '';
    if (id === '') {
      m.term();
      return;
    }
    if (this.o.local && !this.o.local.has(type)) {
      m.ack(); // broad filter: another consumer's event
      return;
    }
    if (this.doneHere.has(id)) {
      m.ack();
      return;
    }
    this.delayed.delete(id);
    const list = this.held.get(id) ?? [];
    const seq = m.info.streamSequence;
    this.held.set(id, [...list.filter((x) => x.info.streamSequence !== seq), m]);
    this.unread.add(id);
    void this.pump();
    this.notify();
  }

  /** Runs claim rounds until nothing new arrived during the last one. */
  private pump(): Promise<void> {
    if (this.pumping) {
      this.again = true;
      return this.pumping;
    }
    this.pumping = (async () => {
      do {
        this.again = false;
        try {
          await this.round();
        } catch (e) {
          this.o.ctx.logger.error('NATS bus claim failed; retrying at the next message or tick', {
            consumer: this.o.spec.name,
            error: redactCredentials(String(e)),
          });
        }
      } while (this.again && this.running);
    })().finally(() => {
      this.pumping = null;
      this.notify();
    });
    return this.pumping;
  }

  private async round(): Promise<void> {
    const { store, clock, owner } = this.o.ctx;
    const free = this.o.spec.concurrency - this.inHand.size - this.reserved;
    if (!this.running || free <= 0) return;
    const now = clock.now();
    const claims = await store.claimDeliveries({
      consumer: this.o.spec.name,
      match: this.o.spec.match,
      owner,
      now,
      expiresAt: now + this.o.ackWaitMs,
      limit: free,
    });
    for (const c of claims) this.dispatch(c);
    // The claim materialized every matching event: a held message not in hand is answered
    // from its delivery row (done elsewhere, dead, not due, leased, or waiting its turn).
    const ids = this.sweepAll ? [...this.held.keys()] : [...this.unread];
    this.sweepAll = false;
    this.unread.clear();
    for (const id of ids) {
      if (!this.held.has(id)) continue;
      if (this.inHand.has(id)) continue;
      const [row] = await store.readDeliveries({ eventId: id, consumer: this.o.spec.name });
      if (!this.inHand.has(id)) this.answer(id, row, clock.now());
    }
  }

  private answer(id: string, row: DeliveryRecord | undefined, now: number): void {
    if (!row) {
      this.o.ctx.logger.error('NATS message for an event this store does not hold; terminated', {
        consumer: this.o.spec.name,
        eventId: id,
      });
      this.release(id, (m) => m.term());
    } else if (row.status === 'done') this.release(id, (m) => m.ack());
    else if (row.status === 'dead') this.release(id, (m) => m.term());
    else this.waitOrGiveBack(id, row, now);
  }

  private waitOrGiveBack(id: string, row: DeliveryRecord, now: number): void {
    const leased = row.leaseOwner !== null && (row.leaseExpiresAt ?? 0) > now;
    const until = Math.max(row.availableAt, leased ? (row.leaseExpiresAt ?? now) : now);
    if (until > now) this.giveBack(id, until - now + 1);
    // Otherwise it is due and free but waits for an earlier event of its correlation: keep it.
  }

  /** Runs the handler on a delivery leased for this consumer (by a claim round or a hand-off). */
  dispatch(c: ClaimedDelivery): void {
    const id = c.event.eventId;
    this.inHand.set(id, c);
    const { store, owner, clock, logger } = this.o.ctx;
    const base = { eventId: id, consumer: this.o.spec.name, owner };
    const settled = (r: SettleResult, onSettled: () => void): SettleResult => {
      if (r === 'duplicate') this.release(id, (m) => m.ack());
      else if (r === 'settled') onSettled();
      // 'lost': another process holds the lease now; its outcome answers the message later.
      return r;
    };
    const message: BusMessage = {
      event: c.event,
      consumer: this.o.spec.name,
      attempt: c.delivery.attempts,
      complete: async (emitted) =>
        settled(
          await this.o.settleDone({ ...base, outcome: 'done', at: clock.now(), emitted }),
          () => {
            this.rememberDone(id);
            this.release(id, (m) => m.ack());
          },
        ),
      retry: async (delayMs, error, countAttempt) => {
        const at = clock.now();
        const r = await store.settleDelivery({
          ...base,
          outcome: 'retry',
          at,
          availableAt: at + delayMs,
          error,
          countAttempt,
        });
        return settled(r, () => this.giveBack(id, delayMs, true));
      },
      dead: async (error) =>
        settled(
          await store.settleDelivery({ ...base, outcome: 'dead', at: clock.now(), error }),
          () => this.release(id, (m) => m.term()),
        ),
    };
    this.o
      .handler(message)
      .catch((e: unknown) =>
        logger.error('event handler failed to settle; redelivered after ack_wait', {
          consumer: this.o.spec.name,
          eventId: id,
          error: redactCredentials(String(e)),
        }),
      )
      .finally(() => {
        this.inHand.delete(id);
        void this.pump();
        this.notify();
      });
  }

  private rememberDone(id: string): void {
    this.doneHere.add(id);
    if (this.doneHere.size > DONE_MEMORY) {
      const oldest = this.doneHere.values().next().value;
      if (oldest !== undefined) this.doneHere.delete(oldest);
    }
  }

  /** Answers every held message of `id` and forgets them. */
  private release(id: string, answer: (m: JsMsg) => void): void {
    const msgs = this.held.get(id) ?? [];
    this.held.delete(id);
    for (const m of msgs) answer(m);
  }

  /** Gives the messages of `id` back for `delayMs`; with `wake`, claims again then anyway. */
  private giveBack(id: string, delayMs: number, wake = false): void {
    const due = this.o.ctx.clock.now() + delayMs;
    const had = this.held.has(id);
    this.release(id, (m) => m.nak(delayMs));
    if (had) this.delayed.set(id, due);
    // No message in hand (claimed by a sweep): the retry would wait for ack_wait; claim at due.
    if (wake && !had)
      this.o.ctx.clock.sleep(delayMs, this.ticker.signal).then(
        () => this.pump(),
        () => undefined,
      );
  }

  private async tick(): Promise<void> {
    const { clock, store, owner } = this.o.ctx;
    const every = this.o.ackWaitMs / 3;
    while (this.running) {
      const ok = await clock.sleep(every, this.ticker.signal).then(
        () => true,
        () => false,
      );
      if (!ok || !this.running) return;
      try {
        if (this.inHand.size > 0) {
          const keys = [...this.inHand.keys()].map((eventId) => ({
            eventId,
            consumer: this.o.spec.name,
          }));
          await store.renewDeliveries(owner, keys, clock.now() + this.o.ackWaitMs);
        }
        for (const msgs of this.held.values()) for (const m of msgs) m.working();
      } catch (e) {
        this.o.ctx.logger.error('NATS bus lease renewal failed', {
          consumer: this.o.spec.name,
          error: redactCredentials(String(e)),
        });
      }
      this.sweepAll = true;
      void this.pump();
    }
  }

  private notify(): void {
    for (const w of this.changed.splice(0)) w();
  }

  private nextChange(maxMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const stop = new AbortController();
      this.changed.push(() => {
        stop.abort();
        resolve();
      });
      this.o.ctx.clock.sleep(maxMs, stop.signal).then(resolve, () => undefined);
    });
  }
}
