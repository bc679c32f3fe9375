/**
 * Conformance cases for leases (claim, renew, fencing) and auxiliary records.
 */
import { expect, it } from 'vitest';
import { isInvalidArgumentError, isLeaseLostError } from '../errors.js';
import type { AuxQuery, AuxRecord } from '../ledger/types.js';
import type { CurrentStore } from './state-store-fixtures.js';
import { nextVersion, sampleRun } from './state-store-fixtures.js';

/** Registers the lease and auxiliary-record cases. */
export function describeLeaseAndRecordContract(store: CurrentStore): void {
  it('claims unowned runs of the claimable statuses, oldest first, up to the limit', async () => {
    const specs = [
      ['a', 'pending', 'credit', 40],
      ['b', 'running', 'credit', 10],
      ['c', 'completed', 'credit', 20],
      ['d', 'waiting', 'credit', 30],
      ['e', 'compensating', 'kyc', 50],
      ['f', 'pending', 'credit', 60],
    ] as const;
    for (const [id, status, workflow, createdAt] of specs) {
      await store().createRun(sampleRun(id, { status, workflow, createdAt }));
    }
    const first = await store().claimRuns({ owner: 'w1', now: 100, expiresAt: 200, limit: 2 });
    expect(first.map((r) => r.runId)).toEqual(['b', 'a']);
    expect(first.every((r) => r.leaseOwner === 'w1' && r.leaseExpiresAt === 200)).toBe(true);
    expect(await store().getRun('b')).toMatchObject({ leaseOwner: 'w1', leaseExpiresAt: 200 });

    const credit = await store().claimRuns({
      owner: 'w2',
      now: 100,
      expiresAt: 200,
      limit: 10,
      workflows: ['credit'],
    });
    expect(credit.map((r) => r.runId)).toEqual(['f']);
    const waiting = await store().claimRuns({
      owner: 'w2',
      now: 100,
      expiresAt: 200,
      limit: 10,
      statuses: ['waiting', 'completed'],
    });
    expect(waiting.map((r) => r.runId)).toEqual(['c', 'd']);
    const rest = await store().claimRuns({ owner: 'w3', now: 100, expiresAt: 200, limit: 10 });
    expect(rest.map((r) => r.runId)).toEqual(['e']);
    await expect(
      store().claimRuns({ owner: 'w3', now: 100, expiresAt: 200, limit: -1 }),
    ).rejects.toSatisfy(isInvalidArgumentError);
  });

  it('lets another owner take an expired lease and fences the old owner out', async () => {
    const { firstVersion: v1 } = sampleRun('run-a');
    await store().createRun(sampleRun('run-a', { status: 'running' }));
    await store().claimRuns({ owner: 'w1', now: 0, expiresAt: 100, limit: 5 });
    // Not expired yet: w2 gets nothing; w1 may claim again (it already holds it).
    expect(await store().claimRuns({ owner: 'w2', now: 99, expiresAt: 199, limit: 5 })).toEqual([]);
    const [fenced] = await store().commit([
      { runId: 'run-a', leaseOwner: 'w2', expectedVersion: 1, versions: [nextVersion(v1, 's', 2)] },
    ]);
    expect(fenced?.ok).toBe(false);
    expect(isLeaseLostError(fenced && !fenced.ok ? fenced.error : null)).toBe(true);

    const taken = await store().claimRuns({ owner: 'w2', now: 100, expiresAt: 200, limit: 5 });
    expect(taken.map((r) => [r.runId, r.leaseOwner])).toEqual([['run-a', 'w2']]);
    const [late] = await store().commit([
      {
        runId: 'run-a',
        leaseOwner: 'w1',
        expectedVersion: 1,
        versions: [nextVersion(v1, 's', 1)],
        run: { status: 'completed', updatedAt: 150 },
      },
    ]);
    expect(late).toMatchObject({ ok: false, error: { code: 'LEASE_LOST', owner: 'w1' } });
    expect(await store().readVersions('run-a')).toEqual([v1]);
    expect((await store().getRun('run-a'))?.status).toBe('running');

    const [held] = await store().commit([
      { runId: 'run-a', leaseOwner: 'w2', expectedVersion: 1, versions: [nextVersion(v1, 's', 2)] },
    ]);
    expect(held).toEqual({ ok: true, headVersion: 2 });
  });

  it('renews only the leases still held and extends them', async () => {
    for (const id of ['a', 'b', 'c']) await store().createRun(sampleRun(id));
    await store().claimRuns({ owner: 'w1', now: 0, expiresAt: 100, limit: 2 });
    await store().claimRuns({ owner: 'w2', now: 0, expiresAt: 100, limit: 5 });
    const held = await store().renewLeases('w1', ['a', 'b', 'c', 'ghost'], 500);
    expect(held).toEqual(['a', 'b']);
    expect(await store().getRun('a')).toMatchObject({ leaseOwner: 'w1', leaseExpiresAt: 500 });
    expect((await store().getRun('c'))?.leaseExpiresAt).toBe(100);
    // Past the old expiry but before the renewed one, nobody else can take a or b.
    const stolen = await store().claimRuns({ owner: 'w3', now: 200, expiresAt: 900, limit: 5 });
    expect(stolen.map((r) => r.runId)).toEqual(['c']);
  });

  it('sets and releases a lease through a run patch', async () => {
    await store().createRun(sampleRun('run-a'));
    await store().commit([
      { runId: 'run-a', run: { updatedAt: 5, lease: { owner: 'w9', expiresAt: 50 } } },
    ]);
    expect(await store().getRun('run-a')).toMatchObject({ leaseOwner: 'w9', leaseExpiresAt: 50 });
    expect(await store().claimRuns({ owner: 'w1', now: 10, expiresAt: 60, limit: 5 })).toEqual([]);
    await store().commit([
      { runId: 'run-a', leaseOwner: 'w9', run: { updatedAt: 6, lease: null } },
    ]);
    expect(await store().getRun('run-a')).toMatchObject({
      leaseOwner: null,
      leaseExpiresAt: null,
      updatedAt: 6,
    });
    const claimed = await store().claimRuns({ owner: 'w1', now: 10, expiresAt: 60, limit: 5 });
    expect(claimed.map((r) => r.runId)).toEqual(['run-a']);
  });

  it('appends and queries auxiliary records by kind, key and run, in both orders', async () => {
    const rec = (key: string, runId: string | null, at: number): AuxRecord => ({
      kind: 'breaker',
      key,
      runId,
      at,
      body: { key, at, nested: [1, { x: null }] },
    });
    await store().appendRecords([rec('fraud', null, 1), rec('score', 'r1', 2)]);
    await store().appendRecords([
      rec('fraud', 'r1', 3),
      { kind: 'span', key: 's1', runId: 'r1', at: 4, body: 'span' },
    ]);
    await store().createRun(sampleRun('r1'));
    await store().commit([
      { runId: 'r1', run: { updatedAt: 5 }, records: [rec('fraud', 'r1', 5)] },
    ]);
    const query = (q: AuxQuery) => store().queryRecords(q);
    const ats = async (q: Omit<AuxQuery, 'kind'>) =>
      (await query({ kind: 'breaker', ...q })).map((r) => r.at);
    expect(await ats({})).toEqual([1, 2, 3, 5]);
    expect(await ats({ key: 'fraud' })).toEqual([1, 3, 5]);
    expect(await ats({ runId: 'r1' })).toEqual([2, 3, 5]);
    expect(await ats({ key: 'fraud', runId: 'r1' })).toEqual([3, 5]);
    expect(await ats({ key: 'fraud', newestFirst: true, limit: 2 })).toEqual([5, 3]);
    expect(await ats({ limit: 1 })).toEqual([1]);
    expect(await query({ kind: 'span' })).toEqual([
      { kind: 'span', key: 's1', runId: 'r1', at: 4, body: 'span' },
    ]);
    expect((await query({ kind: 'breaker', key: 'score' }))[0]).toEqual(rec('score', 'r1', 2));
    expect(await query({ kind: 'alert' })).toEqual([]);
  });

  it('prunes records of one kind older than a cutoff and reports how many', async () => {
    const at = (kind: AuxRecord['kind'], t: number): AuxRecord => ({
      kind,
      key: `k${t}`,
      runId: null,
      at: t,
      body: t,
    });
    await store().appendRecords([at('span', 1), at('span', 2), at('span', 3), at('alert', 1)]);
    expect(await store().pruneRecords('span', 3)).toBe(2);
    expect((await store().queryRecords({ kind: 'span' })).map((r) => r.at)).toEqual([3]);
    expect((await store().queryRecords({ kind: 'alert' })).map((r) => r.at)).toEqual([1]);
    expect(await store().pruneRecords('span', 3)).toBe(0);
  });
}
