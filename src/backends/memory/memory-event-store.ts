/**
 * The in-memory event log and deliveries, following the EventStore contract exactly (see
 * event-store.ts). Every stored event and delivery is frozen; a change replaces the object.
 *
 * Invariants:
 * - `seq` grows by one per stored event; positions only move forward.
 * - All methods are synchronous inside, so each is atomic with respect to the others.
 */
import type {
  ClaimedDelivery,
  ConsumerMatch,
  DeliveryClaim,
  DeliveryQuery,
  DeliveryRecord,
  DeliverySettlement,
  EventQuery,
  EventRecord,
  EventStore,
  NewEvent,
  RedeliverResult,
  SettleResult,
} from '../../ledger/event-store.js';
import { checkListLimit } from '../../ledger/ledger-rules.js';

const key = (eventId: string, consumer: string, kind: DeliveryRecord['kind']): string =>
  `${kind}\u0000${consumer}\u0000${eventId}`;

/** True when `event` is one `match` takes. */
export function matchesEvent(match: ConsumerMatch, event: Pick<EventRecord, 'type' | 'failure'>) {
  return 'failures' in match ? event.failure : match.types.includes(event.type);
}

/** A fresh pending delivery row for `event`. */
export function newDelivery(event: EventRecord, consumer: string, now: number): DeliveryRecord {
  return {
    eventId: event.eventId,
    consumer,
    kind: 'handle',
    seq: event.seq,
    correlationId: event.correlationId,
    status: 'pending',
    attempts: 0,
    availableAt: Math.min(now, event.at),
    leaseOwner: null,
    leaseExpiresAt: null,
    startedAt: null,
    finishedAt: null,
    duplicates: 0,
    error: null,
  };
}

/** Creates an in-memory event store (used by `memoryStore()`). */
export function createMemoryEventStore(assertOpen: () => void): EventStore {
  const events: EventRecord[] = [];
  const byId = new Map<string, EventRecord>();
  const positions = new Map<string, number>();
  const deliveries = new Map<string, DeliveryRecord>();

  const store = (list: readonly NewEvent[]): EventRecord[] => {
    const out: EventRecord[] = [];
    for (const e of list) {
      if (byId.has(e.eventId)) continue;
      const rec = Object.freeze({ ...e, seq: events.length + 1 });
      events.push(rec);
      byId.set(rec.eventId, rec);
      out.push(rec);
    }
    return out;
  };
  const put = (d: DeliveryRecord): DeliveryRecord => {
    const frozen = Object.freeze(d);
    deliveries.set(key(d.eventId, d.consumer, d.kind), frozen);
    return frozen;
  };
  const leased = (owner: string, eventId: string, consumer: string) => {
    const d = deliveries.get(key(eventId, consumer, 'handle'));
    return d && d.status === 'pending' && d.leaseOwner === owner ? d : undefined;
  };

  return {
    async appendEvents(list) {
      assertOpen();
      const duplicates = list.filter((e) => byId.has(e.eventId)).map((e) => e.eventId);
      return { stored: store(list), duplicates };
    },

    async claimDeliveries(c: DeliveryClaim): Promise<ClaimedDelivery[]> {
      assertOpen();
      const limit = checkListLimit(c.limit, 'limit') ?? 0;
      const from = positions.get(c.consumer) ?? 0;
      for (const e of events.slice(from)) {
        if (matchesEvent(c.match, e) && !deliveries.has(key(e.eventId, c.consumer, 'handle')))
          put(newDelivery(e, c.consumer, c.now));
      }
      positions.set(c.consumer, events.length);
      const mine = [...deliveries.values()]
        .filter((d) => d.consumer === c.consumer && d.kind === 'handle' && d.status === 'pending')
        .sort((a, b) => a.seq - b.seq);
      const blocked = new Set<string>();
      const out: ClaimedDelivery[] = [];
      for (const d of mine) {
        // Per-correlation order: only the oldest pending delivery of a correlation may run.
        if (blocked.has(d.correlationId)) continue;
        blocked.add(d.correlationId);
        const free = d.leaseOwner === null || (d.leaseExpiresAt ?? 0) <= c.now;
        if (!free || d.availableAt > c.now || out.length >= limit) continue;
        const claimed = put({
          ...d,
          attempts: d.attempts + 1,
          leaseOwner: c.owner,
          leaseExpiresAt: c.expiresAt,
          startedAt: d.startedAt ?? c.now,
        });
        out.push({ delivery: claimed, event: byId.get(d.eventId)! });
      }
      return out;
    },

    async renewDeliveries(owner, keys, expiresAt) {
      assertOpen();
      let n = 0;
      for (const k of keys) {
        const d = leased(owner, k.eventId, k.consumer);
        if (d) {
          put({ ...d, leaseExpiresAt: expiresAt });
          n++;
        }
      }
      return n;
    },

    async settleDelivery(s: DeliverySettlement): Promise<SettleResult> {
      assertOpen();
      const current = deliveries.get(key(s.eventId, s.consumer, 'handle'));
      if (current?.status === 'done') {
        put({ ...current, duplicates: current.duplicates + 1 });
        return 'duplicate';
      }
      const d = leased(s.owner, s.eventId, s.consumer);
      if (!d) return 'lost';
      const release = { leaseOwner: null, leaseExpiresAt: null };
      if (s.outcome === 'done') {
        store(s.emitted);
        put({ ...d, ...release, status: 'done', finishedAt: s.at, error: null });
      } else if (s.outcome === 'retry') {
        const attempts = s.countAttempt ? d.attempts : d.attempts - 1;
        put({ ...d, ...release, attempts, availableAt: s.availableAt, error: s.error });
      } else {
        put({ ...d, ...release, status: 'dead', finishedAt: s.at, error: s.error });
      }
      return 'settled';
    },

    async redeliverEvent(eventId, now, consumer): Promise<RedeliverResult> {
      assertOpen();
      let requeued = 0;
      let suppressed = 0;
      for (const d of [...deliveries.values()]) {
        if (d.eventId !== eventId || d.kind !== 'handle') continue;
        if (consumer !== undefined && d.consumer !== consumer) continue;
        if (d.status === 'done') {
          put({ ...d, duplicates: d.duplicates + 1 });
          suppressed++;
        } else {
          put({
            ...d,
            status: 'pending',
            attempts: 0,
            availableAt: now,
            finishedAt: null,
            leaseOwner: null,
            leaseExpiresAt: null,
          });
          requeued++;
        }
      }
      return { requeued, suppressed };
    },

    async recordCompensation(eventId, consumer, at) {
      assertOpen();
      const k = key(eventId, consumer, 'compensate');
      const event = byId.get(eventId);
      if (deliveries.has(k) || !event) return false;
      put({
        ...newDelivery(event, consumer, at),
        kind: 'compensate',
        status: 'done',
        attempts: 1,
        startedAt: at,
        finishedAt: at,
      });
      return true;
    },

    async readEvents(q: EventQuery) {
      assertOpen();
      const limit = checkListLimit(q.limit);
      const out = events.filter(
        (e) =>
          (q.correlationId === undefined || e.correlationId === q.correlationId) &&
          (q.eventId === undefined || e.eventId === q.eventId),
      );
      return limit === undefined ? out : out.slice(0, limit);
    },

    async readDeliveries(q: DeliveryQuery) {
      assertOpen();
      const limit = checkListLimit(q.limit);
      const out = [...deliveries.values()]
        .filter(
          (d) =>
            (q.correlationId === undefined || d.correlationId === q.correlationId) &&
            (q.eventId === undefined || d.eventId === q.eventId) &&
            (q.consumer === undefined || d.consumer === q.consumer) &&
            (q.status === undefined || d.status === q.status) &&
            (q.kind === undefined || d.kind === q.kind),
        )
        .sort(compareDeliveries);
      return limit === undefined ? out : out.slice(0, limit);
    },
  };
}

/** Order of `readDeliveries`: by seq, then consumer, then kind ('compensate' after 'handle'). */
export function compareDeliveries(a: DeliveryRecord, b: DeliveryRecord): number {
  if (a.seq !== b.seq) return a.seq - b.seq;
  if (a.consumer !== b.consumer) return a.consumer < b.consumer ? -1 : 1;
  return a.kind === b.kind ? 0 : a.kind === 'handle' ? -1 : 1;
}
