/**
 * The PostgreSQL round-trip savers: a claim returns the runs its owner holds even while its own
 * commit locks them (so it never leases past the limit), a fenced batch commits in one statement
 * and falls back to per-write outcomes when a run is not as expected, and a claim hands the
 * versions of the runs it leased to their first reader.
 */
import pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import { postgresStore } from '../../src/backends/postgres/index.js';
import { isLeaseLostError, isVersionConflictError } from '../../src/errors.js';
import type { StateStore } from '../../src/index.js';
import { nextVersion, sampleRun } from '../../src/testing/state-store-fixtures.js';
import { describeWithPostgres, dropSchema, POSTGRES_URL, uniqueSchema } from './server.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});

async function openStore(): Promise<{ store: StateStore; schema: string }> {
  const schema = uniqueSchema('claims');
  const store = postgresStore({ connectionString: POSTGRES_URL, schema, poolSize: 4 });
  cleanups.push(() => dropSchema(schema));
  cleanups.push(() => store.close());
  await store.migrate();
  return { store, schema };
}

/** Counts the queries every pg client of this process sends while `fn` runs. */
async function countQueries<T>(fn: () => Promise<T>): Promise<{ out: T; queries: string[] }> {
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  const queries: string[] = [];
  proto.query = function (this: unknown, ...args: unknown[]) {
    const q = args[0];
    queries.push(typeof q === 'string' ? q : String((q as { text?: unknown }).text));
    return original.apply(this, args);
  };
  try {
    return { out: await fn(), queries };
  } finally {
    proto.query = original;
  }
}

describeWithPostgres('postgresStore round trips', () => {
  it('returns held runs locked by the owner’s own commit and leases no more than the limit', async () => {
    const { store, schema } = await openStore();
    for (const [id, at] of [
      ['a', 1],
      ['b', 2],
      ['c', 3],
      ['d', 4],
    ] as const)
      await store.createRun(sampleRun(id, { status: 'running', createdAt: at }));
    const first = await store.claimRuns({ owner: 'w1', now: 10, expiresAt: 1000, limit: 2 });
    expect(first.map((r) => r.runId)).toEqual(['a', 'b']);
    // The owner's commit of a and b is in flight on another connection: their rows are locked.
    const locker = new pg.Client({ connectionString: POSTGRES_URL });
    await locker.connect();
    cleanups.push(() => locker.end());
    await locker.query('BEGIN');
    await locker.query(`SELECT 1 FROM ${schema}.runs WHERE run_id IN ('a', 'b') FOR UPDATE`);
    const again = await store.claimRuns({ owner: 'w1', now: 20, expiresAt: 1000, limit: 3 });
    await locker.query('ROLLBACK');
    expect(again.map((r) => r.runId)).toEqual(['a', 'b', 'c']);
    expect(await store.getRun('d')).toMatchObject({ leaseOwner: null });
    // Another owner cannot take held runs; it gets the one left.
    const other = await store.claimRuns({ owner: 'w2', now: 20, expiresAt: 1000, limit: 5 });
    expect(other.map((r) => r.runId)).toEqual(['d']);
  });

  it('commits a fenced batch in one statement and falls back to per-write outcomes', async () => {
    const { store } = await openStore();
    const runs = ['r1', 'r2', 'r3'].map((id) => sampleRun(id, { status: 'running' }));
    for (const r of runs) await store.createRun(r);
    await store.claimRuns({ owner: 'w1', now: 10, expiresAt: 1000, limit: 3 });
    const [v1, v2, v3] = runs.map((r) => r.firstVersion);
    const fast = await countQueries(() =>
      store.commit([
        { runId: 'r1', expectedVersion: 1, leaseOwner: 'w1', versions: [nextVersion(v1!, 's', 1)] },
        { runId: 'r2', expectedVersion: 1, leaseOwner: 'w1', versions: [nextVersion(v2!, 's', 2)] },
        { runId: 'r2', leaseOwner: 'w1', run: { lease: null, updatedAt: 20 } },
      ]),
    );
    expect(fast.out.map((o) => o.ok)).toEqual([true, true, true]);
    expect(fast.queries).toHaveLength(1);
    expect(await store.getRun('r2')).toMatchObject({ headVersion: 2, leaseOwner: null });

    // r1 is stale (head 2 now) and r2's lease is gone: both fail on their own, r3 commits.
    const mixed = await store.commit([
      { runId: 'r1', expectedVersion: 1, leaseOwner: 'w1', versions: [nextVersion(v1!, 't', 1)] },
      { runId: 'r2', expectedVersion: 2, leaseOwner: 'w1', run: { updatedAt: 30 } },
      { runId: 'r3', expectedVersion: 1, leaseOwner: 'w1', versions: [nextVersion(v3!, 's', 3)] },
    ]);
    expect(mixed[0]?.ok === false && isVersionConflictError(mixed[0].error)).toBe(true);
    expect(mixed[1]?.ok === false && isLeaseLostError(mixed[1].error)).toBe(true);
    expect(mixed[2]).toEqual({ ok: true, headVersion: 2 });
    expect((await store.readVersions('r1')).map((v) => v.step)).toEqual(['input', 's']);
    expect((await store.readVersions('r3')).map((v) => v.version)).toEqual([1, 2]);
  });

  it('hands the versions of the runs a claim leased to their first reader, once', async () => {
    const { store } = await openStore();
    const run = sampleRun('h1', { status: 'running' });
    await store.createRun(run);
    const v2 = nextVersion(run.firstVersion, 's', 1);
    await store.commit([{ runId: 'h1', expectedVersion: 1, versions: [v2] }]);
    await store.claimRuns({ owner: 'w1', now: 10, expiresAt: 1000, limit: 1 });
    const handed = await countQueries(() => store.readVersions('h1'));
    expect(handed.queries).toEqual([]);
    expect(handed.out.map((v) => v.hash)).toEqual([run.firstVersion.hash, v2.hash]);
    const v3 = nextVersion(v2, 't', 2);
    await store.commit([{ runId: 'h1', expectedVersion: 2, leaseOwner: 'w1', versions: [v3] }]);
    const read = await countQueries(() => store.readVersions('h1'));
    expect(read.queries).toHaveLength(1);
    expect(read.out.map((v) => v.hash)).toEqual([run.firstVersion.hash, v2.hash, v3.hash]);
  });
});
