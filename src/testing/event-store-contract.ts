/**
 * The conformance suite of the EventStore contract (src/ledger/event-store.ts), run against every
 * backend. Nothing in it knows which backend it runs on.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ErrorInfo } from '../errors.js';
import type { EventStore, NewEvent } from '../ledger/event-store.js';
import type { StoreUnderTest } from './state-store-contract.js';

const ERR: ErrorInfo = { name: 'Error', code: 'AGENT_FAILED', message: 'boom', retryable: true };

/** A new event of `type` in `correlationId` (payload `{ n }`). */
function ev(eventId: string, type: string, correlationId: string, n = 0): NewEvent {
  return {
    eventId,
    type,
    payload: JSON.stringify({ n }),
    correlationId,
    causationId: null,
    producer: 'external',
    failure: false,
    at: 1000,
  };
}

/**
 * Registers the event-store conformance suite for one backend with vitest.
 * @example
 * describeEventStoreContract('memory', async () => ({ store: memoryStore() }));
 */
export function describeEventStoreContract(
  name: string,
  factory: () => Promise<StoreUnderTest>,
): void {
  describe(`EventStore contract: ${name}`, () => {
    let sut: StoreUnderTest;
    let events: EventStore;
    beforeEach(async () => {
      sut = await factory();
      await sut.store.migrate();
      if (!sut.store.events) throw new Error(`${name} has no event store`);
      events = sut.store.events;
    });
    afterEach(async () => {
      await sut.store.close();
      await sut.cleanup?.();
    });
    const claim = (owner: string, now = 2000, limit = 10, types = ['a@1']) =>
      events.claimDeliveries({
        consumer: 'r@1',
        match: { types },
        owner,
        now,
        expiresAt: now + 100,
        limit,
      });

    it('assigns increasing seqs and stores an event id only once', async () => {
      const first = await events.appendEvents([ev('e1', 'a@1', 'c'), ev('e2', 'a@1', 'c')]);
      const again = await events.appendEvents([ev('e2', 'a@1', 'c'), ev('e3', 'b@1', 'c')]);
      expect(first.stored.map((e) => e.seq)).toEqual(
        [1, 2].map((i) => first.stored[0]!.seq + i - 1),
      );
      expect(again.duplicates).toEqual(['e2']);
      expect(again.stored.map((e) => e.eventId)).toEqual(['e3']);
      expect(again.stored[0]!.seq).toBeGreaterThan(first.stored[1]!.seq);
      const all = await events.readEvents({ correlationId: 'c' });
      expect(all.map((e) => e.eventId)).toEqual(['e1', 'e2', 'e3']);
      expect(all[0]).toMatchObject({ type: 'a@1', payload: '{"n":0}', failure: false });
    });

    it('materializes deliveries of matching types only and leases each to one owner', async () => {
      await events.appendEvents([ev('e1', 'a@1', 'c1'), ev('e2', 'b@1', 'c2')]);
      const mine = await claim('p1');
      expect(mine.map((c) => c.event.eventId)).toEqual(['e1']);
      expect(mine[0]!.delivery).toMatchObject({ attempts: 1, leaseOwner: 'p1', status: 'pending' });
      expect(await claim('p2')).toEqual([]);
      // After the lease expires another owner takes it, and the claim counts another attempt.
      const taken = await claim('p2', 2200);
      expect(taken[0]!.delivery).toMatchObject({ attempts: 2, leaseOwner: 'p2' });
    });

    it('holds back later events of a correlation until the earlier one is settled', async () => {
      await events.appendEvents([
        ev('e1', 'a@1', 'c1'),
        ev('e2', 'a@1', 'c1'),
        ev('e3', 'a@1', 'c2'),
      ]);
      const first = await claim('p1');
      expect(first.map((c) => c.event.eventId)).toEqual(['e1', 'e3']);
      await events.settleDelivery({
        outcome: 'done',
        eventId: 'e1',
        consumer: 'r@1',
        owner: 'p1',
        at: 2001,
        emitted: [],
      });
      expect((await claim('p1')).map((c) => c.event.eventId)).toEqual(['e2']);
    });

    it('commits the inbox mark with the emitted events, and suppresses a second settlement', async () => {
      await events.appendEvents([ev('e1', 'a@1', 'c1')]);
      await claim('p1');
      const out = { outcome: 'done', eventId: 'e1', consumer: 'r@1', at: 2001 } as const;
      const emitted = [{ ...ev('e2', 'b@1', 'c1'), causationId: 'e1', producer: 'r@1' }];
      expect(await events.settleDelivery({ ...out, owner: 'p1', emitted })).toBe('settled');
      expect(
        await events.settleDelivery({ ...out, owner: 'p2', emitted: [ev('x', 'b@1', 'c1')] }),
      ).toBe('duplicate');
      const stored = await events.readEvents({ correlationId: 'c1' });
      expect(stored.map((e) => [e.eventId, e.causationId])).toEqual([
        ['e1', null],
        ['e2', 'e1'],
      ]);
      const [d] = await events.readDeliveries({ eventId: 'e1' });
      expect(d).toMatchObject({
        status: 'done',
        duplicates: 1,
        finishedAt: 2001,
        leaseOwner: null,
      });
    });

    it('refuses a settlement from an owner that lost the lease', async () => {
      await events.appendEvents([ev('e1', 'a@1', 'c1')]);
      await claim('p1');
      await claim('p2', 2200);
      const s = { outcome: 'done', eventId: 'e1', consumer: 'r@1', at: 2201, emitted: [] } as const;
      expect(await events.settleDelivery({ ...s, owner: 'p1' })).toBe('lost');
      expect(await events.settleDelivery({ ...s, owner: 'p2' })).toBe('settled');
    });

    it('retries after availableAt, gives back uncounted attempts, and dead-letters', async () => {
      await events.appendEvents([ev('e1', 'a@1', 'c1')]);
      await claim('p1');
      const base = { eventId: 'e1', consumer: 'r@1', owner: 'p1', at: 2001, error: ERR } as const;
      await events.settleDelivery({
        ...base,
        outcome: 'retry',
        availableAt: 3000,
        countAttempt: true,
      });
      expect(await claim('p1', 2500)).toEqual([]);
      const again = await claim('p1', 3000);
      expect(again[0]!.delivery.attempts).toBe(2);
      await events.settleDelivery({
        ...base,
        outcome: 'retry',
        availableAt: 3000,
        countAttempt: false,
      });
      expect((await claim('p1', 3000))[0]!.delivery.attempts).toBe(2);
      await events.settleDelivery({ ...base, outcome: 'dead' });
      const [dead] = await events.readDeliveries({ status: 'dead' });
      expect(dead).toMatchObject({ eventId: 'e1', status: 'dead', error: ERR });
      expect(await claim('p1', 9000)).toEqual([]);
    });

    it('redelivers a dead letter with attempts reset and suppresses redelivery of a done one', async () => {
      await events.appendEvents([ev('e1', 'a@1', 'c1'), ev('e2', 'a@1', 'c2')]);
      await claim('p1');
      const base = { consumer: 'r@1', owner: 'p1', at: 2001 } as const;
      await events.settleDelivery({ ...base, eventId: 'e1', outcome: 'dead', error: ERR });
      await events.settleDelivery({ ...base, eventId: 'e2', outcome: 'done', emitted: [] });
      expect(await events.redeliverEvent('e1', 5000)).toEqual({ requeued: 1, suppressed: 0 });
      expect(await events.redeliverEvent('e2', 5000, 'r@1')).toEqual({
        requeued: 0,
        suppressed: 1,
      });
      expect(await events.redeliverEvent('e2', 5000, 'other@1')).toEqual({
        requeued: 0,
        suppressed: 0,
      });
      const again = await claim('p1', 5000);
      expect(again.map((c) => [c.event.eventId, c.delivery.attempts])).toEqual([['e1', 1]]);
      const [done] = await events.readDeliveries({ eventId: 'e2' });
      expect(done!.duplicates).toBe(1);
    });

    it('takes failure events for a failure consumer, and records a compensation once', async () => {
      await events.appendEvents([
        ev('e1', 'a@1', 'c1'),
        { ...ev('f1', 'x@1', 'c1'), failure: true },
      ]);
      const got = await events.claimDeliveries({
        consumer: '$compensator',
        match: { failures: true },
        owner: 'p1',
        now: 2000,
        expiresAt: 2100,
        limit: 10,
      });
      expect(got.map((c) => c.event.eventId)).toEqual(['f1']);
      expect(got[0]!.event.failure).toBe(true);
      expect(await events.recordCompensation('e1', 'r@1', 2500)).toBe(true);
      expect(await events.recordCompensation('e1', 'r@1', 2600)).toBe(false);
      const comp = await events.readDeliveries({ correlationId: 'c1', kind: 'compensate' });
      expect(comp).toHaveLength(1);
      expect(comp[0]).toMatchObject({
        eventId: 'e1',
        consumer: 'r@1',
        status: 'done',
        finishedAt: 2500,
      });
    });

    it('rejects a bad claim limit through the promise, never by throwing', async () => {
      let pending: Promise<unknown> | undefined;
      expect(() => {
        pending = claim('w1', 2000, -1);
      }).not.toThrow();
      await expect(pending).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    });

    it('renews only the leases the owner still holds', async () => {
      await events.appendEvents([ev('e1', 'a@1', 'c1'), ev('e2', 'a@1', 'c2')]);
      await claim('p1');
      const keys = [
        { eventId: 'e1', consumer: 'r@1' },
        { eventId: 'e2', consumer: 'r@1' },
      ];
      expect(await events.renewDeliveries('p1', keys, 9000)).toBe(2);
      expect(await events.renewDeliveries('p2', keys, 9000)).toBe(0);
      expect(await claim('p2', 5000)).toEqual([]);
    });
  });
}
