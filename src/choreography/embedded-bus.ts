/**
 * The embedded bus: events travel through the store itself. Each subscription polls the store
 * (`claimDeliveries`) on the runtime clock and is woken at once when this process stores events,
 * so a flow inside one process never waits for a poll; other processes on the same file see the
 * events at their next poll.
 *
 * Invariants:
 * - A delivery is in hand only under a lease taken atomically by the store; leases of deliveries
 *   in hand are renewed every third of the lease, so only a dead (or stopped) process loses them.
 * - A subscription never holds more than `concurrency` deliveries.
 * - Every message handed out is settled by the handler; `stop()` waits for those in hand.
 * - Hand-off (hand-off.ts): a delivery that emits events leases them to this process's
 *   subscriptions in its own settle transaction; the rest are claimed by the poll as before.
 */
import { InvalidArgumentError } from '../errors.js';
import type { ClaimedDelivery, NewEvent, SettleResult } from '../ledger/event-store.js';
import type { BusContext, BusMessage, ConsumerSpec, EventBus, Subscription } from './bus.js';
import {
  type DoneSettlement,
  type HandOffTaker,
  settleWithHandOff,
  specTakes,
} from './hand-off.js';

/** Options of {@link embeddedBus}. */
export interface EmbeddedBusOptions {
  /** How often to look for events stored by other processes (default 1000 ms). */
  readonly pollMs?: number;
  /** How long a delivery stays leased without renewal (default 30 s): a crashed process's deliveries are redelivered after it. */
  readonly leaseMs?: number;
}

/**
 * Creates the embedded bus (the default): no extra process, works on any store with events.
 * @throws InvalidArgumentError for a bad option.
 */
export function embeddedBus(options: EmbeddedBusOptions = {}): EventBus {
  const pollMs = positive(options.pollMs ?? 1000, 'pollMs');
  const leaseMs = positive(options.leaseMs ?? 30_000, 'leaseMs');
  let ctx: BusContext | undefined;
  const subs = new Set<Poller>();
  const settleDone = (st: DoneSettlement): Promise<SettleResult> =>
    settleWithHandOff(ctx!, subs, leaseMs, st);
  return {
    kind: 'embedded',
    async start(c) {
      ctx = c;
    },
    published(events: readonly NewEvent[]) {
      if (events.length > 0) for (const s of subs) s.wake();
    },
    subscribe(spec, handler) {
      if (!ctx) throw new InvalidArgumentError('the bus is not started', 'bus');
      const p = new Poller(ctx, spec, handler, pollMs, leaseMs, settleDone);
      subs.add(p);
      p.start();
      return {
        stop: async () => {
          subs.delete(p);
          await p.stop();
        },
      } satisfies Subscription;
    },
    async quiet() {
      await Promise.all([...subs].map((s) => s.nextQuiet()));
    },
    async close() {
      const all = [...subs];
      subs.clear();
      await Promise.all(all.map((s) => s.stop()));
    },
  };
}

function positive(v: number, name: string): number {
  if (!(typeof v === 'number' && Number.isFinite(v) && v > 0))
    throw new InvalidArgumentError(`${name} must be a positive number, got ${String(v)}`, name);
  return v;
}

const WAKE = 'wake';

/** One subscription's loop. */
class Poller implements HandOffTaker {
  private readonly inHand = new Map<string, ClaimedDelivery>();
  private running = true;
  private sleeper: AbortController | undefined;
  private woken = false;
  private quietWaiters: (() => void)[] = [];
  private loop: Promise<void> = Promise.resolve();
  private lastRenew = 0;
  /** Slots promised to hand-offs whose settle transaction has not answered yet. */
  private reserved = 0;

  constructor(
    private readonly ctx: BusContext,
    readonly spec: ConsumerSpec,
    private readonly handler: (m: BusMessage) => Promise<void>,
    private readonly pollMs: number,
    private readonly leaseMs: number,
    private readonly settleDone: (st: DoneSettlement) => Promise<SettleResult>,
  ) {}

  /** True when this running subscription takes one of `events`. */
  takes(events: readonly NewEvent[]): boolean {
    return this.running && specTakes(this.spec, events);
  }

  /** Reserves up to `wanted` free slots for a hand-off; returns how many. */
  reserve(wanted: number): number {
    const n = Math.max(0, Math.min(wanted, this.free()));
    this.reserved += n;
    return n;
  }

  unreserve(n: number): void {
    this.reserved -= n;
    if (n > 0) this.wake();
  }

  private free(): number {
    return this.spec.concurrency - this.inHand.size - this.reserved;
  }

  start(): void {
    this.loop = this.run();
  }

  wake(): void {
    this.woken = true;
    // A reason of our own: abort() without one builds a DOMException (and its stack) per wake.
    this.sleeper?.abort(WAKE);
  }

  nextQuiet(): Promise<void> {
    return new Promise<void>((resolve) => {
      if (!this.running) return resolve();
      this.quietWaiters.push(resolve);
      this.wake();
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    for (const w of this.quietWaiters.splice(0)) w();
  }

  private async run(): Promise<void> {
    const { clock, logger } = this.ctx;
    while (this.running) {
      this.woken = false;
      const waiters = this.quietWaiters.splice(0);
      let claimed = 0;
      try {
        await this.renew();
        claimed = await this.poll();
      } catch (e) {
        logger.error('event bus poll failed; retrying at the next poll', {
          consumer: this.spec.name,
          error: String(e),
        });
      }
      if (claimed === 0 && this.inHand.size === 0 && this.reserved === 0)
        for (const w of waiters) w();
      else this.quietWaiters.unshift(...waiters);
      if (!this.running || this.woken) continue;
      this.sleeper = new AbortController();
      const wait = Math.min(this.pollMs, this.leaseMs / 3);
      await clock.sleep(wait, this.sleeper.signal).catch(() => undefined);
      this.sleeper = undefined;
    }
    while (this.inHand.size > 0 || this.reserved > 0) {
      // Stopping: wait for deliveries in hand (their handlers settle them) without new claims.
      this.sleeper = new AbortController();
      await clock.sleep(this.pollMs, this.sleeper.signal).catch(() => undefined);
    }
  }

  private async poll(): Promise<number> {
    const free = this.free();
    if (free <= 0) return 0;
    const now = this.ctx.clock.now();
    const claims = await this.ctx.store.claimDeliveries({
      consumer: this.spec.name,
      match: this.spec.match,
      owner: this.ctx.owner,
      now,
      expiresAt: now + this.leaseMs,
      limit: free,
    });
    for (const c of claims) this.dispatch(c);
    return claims.length;
  }

  /** Runs the handler on a delivery this process has leased (by a poll or a hand-off). */
  dispatch(c: ClaimedDelivery): void {
    const k = c.event.eventId;
    this.inHand.set(k, c);
    const { store, owner, clock } = this.ctx;
    const base = { eventId: k, consumer: this.spec.name, owner };
    const message: BusMessage = {
      event: c.event,
      consumer: this.spec.name,
      attempt: c.delivery.attempts,
      complete: (emitted) =>
        this.settleDone({ ...base, outcome: 'done', at: clock.now(), emitted }),
      retry: (delayMs, error, countAttempt) =>
        store.settleDelivery({
          ...base,
          outcome: 'retry',
          at: clock.now(),
          availableAt: clock.now() + delayMs,
          error,
          countAttempt,
        }),
      dead: (error) => store.settleDelivery({ ...base, outcome: 'dead', at: clock.now(), error }),
    };
    this.handler(message)
      .catch((e: unknown) =>
        this.ctx.logger.error('event handler failed to settle; redelivered after the lease', {
          consumer: this.spec.name,
          eventId: k,
          error: String(e),
        }),
      )
      .finally(() => {
        this.inHand.delete(k);
        this.wake();
      });
  }

  private async renew(): Promise<void> {
    const now = this.ctx.clock.now();
    if (this.inHand.size === 0 || now - this.lastRenew < this.leaseMs / 3) return;
    this.lastRenew = now;
    const keys = [...this.inHand.keys()].map((eventId) => ({ eventId, consumer: this.spec.name }));
    await this.ctx.store.renewDeliveries(this.ctx.owner, keys, now + this.leaseMs);
  }
}
