/**
 * The one conformance suite of the `StateStore` contract, run against every backend (memory,
 * SQLite, PostgreSQL). Nothing in it knows which backend it runs on: a backend passes when it
 * behaves exactly like the others.
 *
 * Each test gets a fresh store from the factory, migrates it, and closes and cleans it up after.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  isInvalidArgumentError,
  isNotFoundError,
  isVersionConflictError,
  type VersionConflictError,
} from '../errors.js';
import type { StateStore } from '../ledger/store.js';
import { verifyChain } from '../ledger/versions.js';
import { describeConcurrencyContract } from './state-store-contract-concurrency.js';
import { describeLeaseAndRecordContract } from './state-store-contract-leases.js';
import { describeObserveContract } from './state-store-contract-observe.js';
import {
  type CurrentStore,
  failure,
  journalEntry,
  nextVersion,
  type StoreUnderTest,
  sampleRun,
} from './state-store-fixtures.js';

export type { CurrentStore, StoreUnderTest };

/**
 * Registers the conformance suite for one backend with vitest.
 * @example
 * describeStateStoreContract('sqlite', async () => ({ store: sqliteStore(tmpFile()) }));
 */
export function describeStateStoreContract(
  name: string,
  factory: () => Promise<StoreUnderTest>,
): void {
  describe(`StateStore contract: ${name}`, () => {
    let current: StoreUnderTest | undefined;
    beforeEach(async () => {
      current = await factory();
      await current.store.migrate();
    });
    afterEach(async () => {
      await current?.store.close();
      await current?.cleanup?.();
      current = undefined;
    });
    const store: CurrentStore = () => {
      if (!current) throw new Error('no store: the factory failed');
      return current.store;
    };
    describeRunContract(store);
    describeAppendContract(store);
    describeLeaseAndRecordContract(store);
    describeConcurrencyContract(store);
    describeObserveContract(store);
  });
}

function describeRunContract(store: CurrentStore): void {
  it('creates a batch of runs, judging each init on its own (createRuns)', async () => {
    const s = store();
    if (!s.createRuns) return expect(s.createRuns).toBeUndefined(); // optional in the contract
    await s.createRun(sampleRun('old'));
    const bad = sampleRun('bad');
    const results = await s.createRuns([
      sampleRun('new-1', { journal: [journalEntry('new-1', 'run.started', 1_000)] }),
      sampleRun('keyed-1', { idempotencyKey: 'k' }),
      { ...bad, firstVersion: { ...bad.firstVersion, version: 2 } },
      sampleRun('keyed-2', { idempotencyKey: 'k' }),
      sampleRun('old'),
      sampleRun('new-2'),
    ]);
    const summary = results.map((r) =>
      r instanceof Error ? 'error' : `${r.run.runId}:${r.created ? 'created' : 'existing'}`,
    );
    expect(summary).toEqual([
      'new-1:created',
      'keyed-1:created',
      'error',
      'keyed-1:existing',
      'old:existing',
      'new-2:created',
    ]);
    expect(isInvalidArgumentError(results[2])).toBe(true);
    expect(await s.getRun('bad')).toBeUndefined();
    expect(await s.readVersions('bad')).toEqual([]);
    expect(await s.getRun('keyed-2')).toBeUndefined();
    for (const id of ['new-1', 'keyed-1', 'new-2']) {
      expect(await s.getRun(id)).toMatchObject({ runId: id, headVersion: 1 });
      expect(await s.readVersions(id)).toHaveLength(1);
    }
    expect((await s.readJournal('new-1')).map((j) => j.type)).toEqual(['run.started']);
  });

  it('creates a run together with its version 1 and journal', async () => {
    const init = sampleRun('run-a', {
      journal: [journalEntry('run-a', 'run.started', 1_000)],
      input: { amount: 5_000 },
    });
    const created = await store().createRun(init);
    expect(created.created).toBe(true);
    expect(created.run).toMatchObject({ runId: 'run-a', headVersion: 1, status: 'pending' });
    expect(await store().getRun('run-a')).toEqual(created.run);
    expect(await store().readVersions('run-a')).toEqual([init.firstVersion]);
    const journal = await store().readJournal('run-a');
    expect(journal.map((j) => j.type)).toEqual(['run.started']);
    expect(typeof journal[0]?.seq).toBe('number');
  });

  it('is idempotent by run id: a second create writes nothing', async () => {
    await store().createRun(sampleRun('run-a', { input: { n: 1 } }));
    const again = await store().createRun(sampleRun('run-a', { input: { n: 2 } }));
    expect(again.created).toBe(false);
    expect(again.run.runId).toBe('run-a');
    const versions = await store().readVersions('run-a');
    expect(versions.map((v) => v.payload)).toEqual(['{"n":1}']);
  });

  it('is idempotent by idempotency key: a second run id with the same key is not created', async () => {
    await store().createRun(sampleRun('run-a', { idempotencyKey: 'order-7' }));
    const again = await store().createRun(sampleRun('run-b', { idempotencyKey: 'order-7' }));
    expect(again).toMatchObject({ created: false, run: { runId: 'run-a' } });
    expect(await store().getRun('run-b')).toBeUndefined();
    expect(await store().readVersions('run-b')).toEqual([]);
  });

  it('creates exactly one run when concurrent creates share an idempotency key', async () => {
    const results = await Promise.all(
      ['r1', 'r2', 'r3', 'r4', 'r5'].map((id) =>
        store().createRun(sampleRun(id, { idempotencyKey: 'same-key' })),
      ),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const winner = results.find((r) => r.created)!.run.runId;
    expect(results.every((r) => r.run.runId === winner)).toBe(true);
    expect(await store().listRuns({})).toHaveLength(1);
  });

  it('rejects a first version that is not version 1 of the run, writing nothing', async () => {
    const init = sampleRun('run-a');
    const wrong = { ...init, firstVersion: nextVersion(init.firstVersion, 'x', 1) };
    await expect(store().createRun(wrong)).rejects.toSatisfy(isInvalidArgumentError);
    expect(await store().getRun('run-a')).toBeUndefined();
  });

  it('lists runs newest first, filtered by status and workflow, up to a limit', async () => {
    const specs = [
      ['a', 'credit', 'pending', 10],
      ['b', 'credit', 'completed', 20],
      ['c', 'kyc', 'pending', 30],
      ['d', 'credit', 'pending', 40],
    ] as const;
    for (const [id, workflow, status, createdAt] of specs) {
      await store().createRun(sampleRun(id, { workflow, status, createdAt }));
    }
    const ids = async (q: Parameters<StateStore['listRuns']>[0]) =>
      (await store().listRuns(q)).map((r) => r.runId);
    expect(await ids({})).toEqual(['d', 'c', 'b', 'a']);
    expect(await ids({ status: 'pending' })).toEqual(['d', 'c', 'a']);
    expect(await ids({ workflow: 'credit' })).toEqual(['d', 'b', 'a']);
    expect(await ids({ workflow: 'credit', status: 'pending', limit: 1 })).toEqual(['d']);
    expect(await ids({ limit: 0 })).toEqual([]);
    await expect(store().listRuns({ limit: -1 })).rejects.toSatisfy(isInvalidArgumentError);
  });

  it('accepts migrate() again on a migrated store and rejects use after close()', async () => {
    await store().migrate();
    await store().createRun(sampleRun('run-a'));
    await store().close();
    await expect(store().getRun('run-a')).rejects.toThrow(/closed/);
  });
}

function describeAppendContract(store: CurrentStore): void {
  it('appends when the expected version is the head, applying the run patch', async () => {
    const { firstVersion: v1 } = sampleRun('run-a');
    await store().createRun(sampleRun('run-a'));
    const v2 = nextVersion(v1, 'score', { score: 742 });
    const v3 = nextVersion(v2, 'risk', { rating: 'B' });
    const [outcome] = await store().commit([
      {
        runId: 'run-a',
        expectedVersion: 1,
        versions: [v2, v3],
        journal: [journalEntry('run-a', 'step.succeeded', 1_001, 'score')],
        run: { status: 'running', updatedAt: 1_002, output: { ok: true } },
      },
    ]);
    expect(outcome).toEqual({ ok: true, headVersion: 3 });
    expect(await store().getRun('run-a')).toMatchObject({
      headVersion: 3,
      status: 'running',
      updatedAt: 1_002,
      output: { ok: true },
      error: null,
    });
    const versions = await store().readVersions('run-a');
    expect(versions).toEqual([v1, v2, v3]);
    expect(verifyChain(versions, 3).ok).toBe(true);
  });

  it('rejects a stale expected version with VersionConflictError and writes nothing', async () => {
    const { firstVersion: v1 } = sampleRun('run-a');
    await store().createRun(sampleRun('run-a'));
    const v2 = nextVersion(v1, 'score', 1);
    await store().commit([{ runId: 'run-a', expectedVersion: 1, versions: [v2] }]);
    const [lost] = await store().commit([
      {
        runId: 'run-a',
        expectedVersion: 1,
        versions: [nextVersion(v1, 'score', 2)],
        journal: [journalEntry('run-a', 'step.succeeded', 5)],
        run: { status: 'failed', updatedAt: 9 },
        records: [{ kind: 'audit', key: 'k', runId: 'run-a', at: 9, body: 'lost' }],
      },
    ]);
    const error = failure(lost);
    expect(isVersionConflictError(error)).toBe(true);
    expect(error).toMatchObject({ runId: 'run-a', expectedVersion: 1, actualVersion: 2 });
    expect((error as VersionConflictError).retryable).toBe(true);
    expect(await store().readVersions('run-a')).toEqual([v1, v2]);
    expect(await store().readJournal('run-a')).toEqual([]);
    expect(await store().getRun('run-a')).toMatchObject({ status: 'pending', headVersion: 2 });
    expect(await store().queryRecords({ kind: 'audit' })).toEqual([]);
  });

  it('rejects versions that are not contiguous after the expected version', async () => {
    const { firstVersion: v1 } = sampleRun('run-a');
    await store().createRun(sampleRun('run-a'));
    const v2 = nextVersion(v1, 's', 1);
    const v3 = nextVersion(v2, 's', 2);
    const gap = await store().commit([{ runId: 'run-a', expectedVersion: 1, versions: [v3] }]);
    const noExpectation = await store().commit([{ runId: 'run-a', versions: [v2] }]);
    const otherRun = nextVersion(sampleRun('run-b').firstVersion, 's', 1);
    const foreign = await store().commit([
      { runId: 'run-a', expectedVersion: 1, versions: [otherRun] },
    ]);
    for (const [outcome] of [gap, noExpectation, foreign]) {
      expect(isInvalidArgumentError(failure(outcome))).toBe(true);
    }
    expect(await store().readVersions('run-a')).toEqual([v1]);
    expect((await store().getRun('run-a'))?.headVersion).toBe(1);
  });

  it('reports a write to an unknown run as NotFoundError', async () => {
    const [outcome] = await store().commit([{ runId: 'ghost', run: { updatedAt: 1 } }]);
    expect(isNotFoundError(failure(outcome))).toBe(true);
    expect(await store().commit([])).toEqual([]);
  });

  it('group-commits many runs: a conflicting write fails alone and the others commit', async () => {
    const v1s = ['a', 'b', 'c'].map((id) => sampleRun(id).firstVersion);
    for (const id of ['a', 'b', 'c']) await store().createRun(sampleRun(id));
    const [a1, b1, c1] = v1s as [(typeof v1s)[0], (typeof v1s)[0], (typeof v1s)[0]];
    const outcomes = await store().commit([
      { runId: 'a', expectedVersion: 1, versions: [nextVersion(a1, 's', 'a')] },
      { runId: 'b', expectedVersion: 7, versions: [nextVersion(b1, 's', 'b')] },
      { runId: 'c', expectedVersion: 1, versions: [nextVersion(c1, 's', 'c')] },
      { runId: 'a', expectedVersion: 2, run: { status: 'running', updatedAt: 2 } },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true, true]);
    expect(failure(outcomes[1])).toMatchObject({ expectedVersion: 7, actualVersion: 1 });
    expect((await store().getRun('a'))?.headVersion).toBe(2);
    expect((await store().getRun('a'))?.status).toBe('running');
    expect((await store().getRun('b'))?.headVersion).toBe(1);
    expect(await store().readVersions('b')).toEqual([b1]);
    expect((await store().readVersions('c')).map((v) => v.version)).toEqual([1, 2]);
  });

  it('reads version ranges and the journal in commit order', async () => {
    let prev = sampleRun('run-a').firstVersion;
    await store().createRun(sampleRun('run-a'));
    for (let i = 2; i <= 6; i++) {
      const v = nextVersion(prev, `s${i}`, i);
      await store().commit([
        {
          runId: 'run-a',
          expectedVersion: prev.version,
          versions: [v],
          journal: [
            journalEntry('run-a', 'step.started', i, `s${i}`),
            journalEntry('run-a', 'step.succeeded', i, `s${i}`),
          ],
        },
      ]);
      prev = v;
    }
    const range = async (from?: number, to?: number) =>
      (await store().readVersions('run-a', from, to)).map((v) => v.version);
    expect(await range()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await range(3)).toEqual([3, 4, 5, 6]);
    expect(await range(2, 4)).toEqual([2, 3, 4]);
    expect(await range(5, 5)).toEqual([5]);
    expect(await range(7, 9)).toEqual([]);
    expect(await store().readVersions('ghost')).toEqual([]);
    const journal = await store().readJournal('run-a');
    expect(journal.map((j) => `${j.type}:${j.step}`)).toEqual(
      [2, 3, 4, 5, 6].flatMap((i) => [`step.started:s${i}`, `step.succeeded:s${i}`]),
    );
    const seqs = journal.map((j) => j.seq ?? 0);
    expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
    expect(new Set(seqs).size).toBe(seqs.length);
  });
}
