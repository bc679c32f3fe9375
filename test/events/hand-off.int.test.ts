/**
 * The SQLite event store's hand-off (`settleAndClaim`) and its group commit: a settlement that
 * emits events leases them in the same transaction by the rules of a claim, and writes of one
 * loop turn share a transaction without failing one another.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sqliteStore } from '../../src/backends/sqlite/sqlite-store.js';
import type { DeliveryClaim, EventStore, NewEvent } from '../../src/ledger/event-store.js';
import { tempDbPath } from '../support/temp-db.js';

function ev(eventId: string, type: string, correlationId: string): NewEvent {
  return {
    eventId,
    type,
    payload: '{}',
    correlationId,
    causationId: null,
    producer: 'external',
    failure: false,
    at: 1000,
  };
}

const claimOf = (consumer: string, type: string, owner: string, limit = 10): DeliveryClaim => ({
  consumer,
  match: { types: [type] },
  owner,
  now: 2000,
  expiresAt: 2100,
  limit,
});

describe('SQLite event store: hand-off and group commit', () => {
  let store: ReturnType<typeof sqliteStore>;
  let events: EventStore;
  let remove: () => Promise<void>;
  beforeEach(async () => {
    const tmp = tempDbPath('hand-off');
    remove = tmp.remove;
    store = sqliteStore(tmp.path);
    await store.migrate();
    events = store.events;
  });
  afterEach(async () => {
    await store.close();
    await remove();
  });

  const settleEmitting = (owner: string, emitted: NewEvent[], claims: DeliveryClaim[]) =>
    events.settleAndClaim!(
      { outcome: 'done', eventId: 'e1', consumer: 'r@1', owner, at: 2000, emitted },
      claims,
    );

  it('leases the emitted events to the consumers that take them, counting the attempt', async () => {
    await events.appendEvents([ev('e1', 'a@1', 'c1')]);
    await events.claimDeliveries(claimOf('r@1', 'a@1', 'p1'));
    const out = await settleEmitting(
      'p1',
      [ev('e2', 'b@1', 'c1'), ev('e3', 'x@1', 'c1')],
      [claimOf('s@1', 'b@1', 'p1'), claimOf('t@1', 'c@1', 'p1')],
    );
    expect(out.result).toBe('settled');
    expect(out.claimed[0]!.map((c) => c.event.eventId)).toEqual(['e2']);
    expect(out.claimed[0]![0]!.delivery).toMatchObject({ attempts: 1, leaseOwner: 'p1' });
    expect(out.claimed[1]).toEqual([]);
    const [row] = await events.readDeliveries({ eventId: 'e2', consumer: 's@1' });
    expect(row).toMatchObject({ status: 'pending', attempts: 1, leaseOwner: 'p1' });
    const [done] = await events.readDeliveries({ eventId: 'e1', consumer: 'r@1' });
    expect(done!.status).toBe('done');
    // Leased already: a claim by another owner does not get it.
    expect(await events.claimDeliveries(claimOf('s@1', 'b@1', 'p2'))).toEqual([]);
  });

  it('keeps per-correlation order: an earlier pending delivery holds the emitted one back', async () => {
    await events.appendEvents([ev('e0', 'b@1', 'c1'), ev('e1', 'a@1', 'c1')]);
    await events.claimDeliveries(claimOf('r@1', 'a@1', 'p1'));
    const out = await settleEmitting('p1', [ev('e2', 'b@1', 'c1')], [claimOf('s@1', 'b@1', 'p1')]);
    expect(out.claimed[0]).toEqual([]);
    // The consumer's claim takes the earlier one first, then (once it is done) the emitted one.
    const first = await events.claimDeliveries(claimOf('s@1', 'b@1', 'p1'));
    expect(first.map((c) => c.event.eventId)).toEqual(['e0']);
  });

  it('leases nothing when the settlement is not ours, and respects the limit', async () => {
    await events.appendEvents([ev('e1', 'a@1', 'c1')]);
    await events.claimDeliveries(claimOf('r@1', 'a@1', 'p1'));
    const lost = await settleEmitting('p2', [ev('e2', 'b@1', 'c2')], [claimOf('s@1', 'b@1', 'p2')]);
    expect(lost).toEqual({ result: 'lost', claimed: [[]] });
    expect(await events.readEvents({ eventId: 'e2' })).toEqual([]);
    const out = await settleEmitting(
      'p1',
      [ev('e3', 'b@1', 'c3'), ev('e4', 'b@1', 'c4')],
      [claimOf('s@1', 'b@1', 'p1', 1)],
    );
    expect(out.claimed[0]!.map((c) => c.event.eventId)).toEqual(['e3']);
  });

  it('fails one write of a shared transaction alone', async () => {
    const bad = { ...ev('e2', 'a@1', 'c'), payload: {} as unknown as string };
    const [ok, failed] = await Promise.allSettled([
      events.appendEvents([ev('e1', 'a@1', 'c')]),
      events.appendEvents([bad]),
    ]);
    expect(ok.status).toBe('fulfilled');
    expect(failed.status).toBe('rejected');
    expect((await events.readEvents({})).map((e) => e.eventId)).toEqual(['e1']);
  });
});
