/**
 * The conformance suite of what readers see: search attributes and keyset pagination of the run
 * list, workflow shapes, and the change feed (cursors, order, filters, waking).
 */
import { expect, it } from 'vitest';
import { isInvalidArgumentError } from '../errors.js';
import type { WorkflowShape } from '../ledger/observe.js';
import type { NewRun } from '../ledger/types.js';
import {
  type CurrentStore,
  journalEntry,
  nextVersion,
  type SampleRunOptions,
  sampleRun,
} from './state-store-fixtures.js';

function withAttributes(
  runId: string,
  attributes: Record<string, string>,
  o: SampleRunOptions = {},
): NewRun {
  return { ...sampleRun(runId, o), attributes };
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  );
}

/** Registers the observe part of the StateStore contract. */
export function describeObserveContract(store: CurrentStore): void {
  it('lists runs by search attributes, newest first, and reads a run’s attributes', async () => {
    const s = store();
    await s.createRun(withAttributes('a1', { applicant: 'x', product: 'loan' }, { createdAt: 10 }));
    await s.createRun(withAttributes('a2', { applicant: 'y', product: 'loan' }, { createdAt: 20 }));
    await s.createRun(withAttributes('a3', { applicant: 'x', product: 'card' }, { createdAt: 30 }));
    await s.createRun(sampleRun('plain', { createdAt: 40 }));
    const ids = async (where: Record<string, string>) =>
      (await s.listRuns({ where })).map((r) => r.runId);
    expect(await ids({ applicant: 'x' })).toEqual(['a3', 'a1']);
    expect(await ids({ applicant: 'x', product: 'loan' })).toEqual(['a1']);
    expect(await ids({ product: 'loan' })).toEqual(['a2', 'a1']);
    expect(await ids({ applicant: 'nobody' })).toEqual([]);
    expect(await s.readAttributes('a1')).toEqual({ applicant: 'x', product: 'loan' });
    expect(await s.readAttributes('plain')).toEqual({});
  });

  it('refuses bad search attributes with a typed error and writes nothing', async () => {
    const s = store();
    const bad = await rejection(s.createRun(withAttributes('bad', { 'not a key': 'v' })));
    expect(isInvalidArgumentError(bad)).toBe(true);
    expect(await s.getRun('bad')).toBeUndefined();
    const long = await rejection(s.createRun(withAttributes('long', { k: 'v'.repeat(300) })));
    expect(isInvalidArgumentError(long)).toBe(true);
    expect(await s.getRun('long')).toBeUndefined();
    const where = await rejection(s.listRuns({ where: { 'a b': 'x' } }));
    expect(isInvalidArgumentError(where)).toBe(true);
  });

  it('pages through runs with a keyset cursor, each run exactly once, in order', async () => {
    const s = store();
    // Ties on createdAt are ordered by runId, so the cursor must carry both.
    for (let i = 0; i < 25; i++) {
      const id = `r${String(i).padStart(2, '0')}`;
      await s.createRun(
        withAttributes(id, { parity: i % 2 === 0 ? 'even' : 'odd' }, { createdAt: 100 + (i % 7) }),
      );
    }
    const all = (await s.listRuns({})).map((r) => r.runId);
    expect(all).toHaveLength(25);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await s.listRuns({ limit: 4, ...(cursor ? { cursor } : {}) });
      if (page.length === 0) break;
      expect(page.length).toBeLessThanOrEqual(4);
      seen.push(...page.map((r) => r.runId));
      cursor = page.at(-1)!.runId;
    }
    expect(seen).toEqual(all);
    const even: string[] = [];
    cursor = undefined;
    for (;;) {
      const page = await s.listRuns({
        where: { parity: 'even' },
        limit: 3,
        ...(cursor ? { cursor } : {}),
      });
      if (page.length === 0) break;
      even.push(...page.map((r) => r.runId));
      cursor = page.at(-1)!.runId;
    }
    expect(even).toEqual(all.filter((id) => Number(id.slice(1)) % 2 === 0));
    const unknown = await rejection(s.listRuns({ cursor: 'no-such-run' }));
    expect(isInvalidArgumentError(unknown)).toBe(true);
  });

  it('filters runs by creation time', async () => {
    const s = store();
    for (const [id, at] of [
      ['t1', 100],
      ['t2', 200],
      ['t3', 300],
    ] as const)
      await s.createRun(sampleRun(id, { createdAt: at }));
    const ids = (await s.listRuns({ createdAfter: 200, createdBefore: 300 })).map((r) => r.runId);
    expect(ids).toEqual(['t2']);
  });

  it('records workflow shapes, the latest registration winning, readable by name', async () => {
    const s = store();
    const shape = (version: number, steps: string[]): WorkflowShape => ({
      name: 'credit',
      version,
      input: 'app@1',
      steps: steps.map((name) => ({ name, kind: 'agent', needs: [], agent: `${name}@1.0.0` })),
      order: steps,
      contracts: { 'app@1': { type: 'object' } },
      registeredAt: version,
    });
    await s.saveShape(shape(1, ['score']));
    await s.saveShape(shape(2, ['score', 'risk']));
    await s.saveShape({ ...shape(1, ['score', 'fraud']), registeredAt: 5 });
    await s.saveShape({ ...shape(1, ['other']), name: 'another' });
    const credit = await s.readShapes('credit');
    expect(credit.map((x) => [x.version, x.order])).toEqual([
      [1, ['score', 'fraud']],
      [2, ['score', 'risk']],
    ]);
    expect(credit[0]).toEqual({ ...shape(1, ['score', 'fraud']), registeredAt: 5 });
    expect((await s.readShapes()).map((x) => x.name)).toEqual(['another', 'credit', 'credit']);
  });

  it('feeds committed journal entries in commit order with resumable cursors', async () => {
    const s = store();
    const start = await s.changes.head();
    const a = sampleRun('fa', {
      status: 'running',
      journal: [journalEntry('fa', 'run.started', 1)],
    });
    await s.createRun(a);
    await s.createRun(
      withAttributes(
        'fb',
        { applicant: 'x' },
        { workflow: 'other', journal: [journalEntry('fb', 'run.started', 2)] },
      ),
    );
    const v2 = nextVersion(a.firstVersion, 'score', { score: 700 });
    const [ok] = await s.commit([
      {
        runId: 'fa',
        expectedVersion: 1,
        versions: [v2],
        journal: [
          journalEntry('fa', 'step.started', 3, 'score'),
          journalEntry('fa', 'step.succeeded', 4, 'score'),
        ],
        run: { status: 'waiting', updatedAt: 4 },
      },
    ]);
    expect(ok?.ok).toBe(true);
    const all = await s.changes.read({ after: start, limit: 100 });
    expect(
      all.map((c) => [c.entry.runId, c.entry.type, c.entry.runStatus ?? null, c.workflow]),
    ).toEqual([
      ['fa', 'run.started', 'running', 'wf'],
      ['fb', 'run.started', 'pending', 'other'],
      ['fa', 'step.started', null, 'wf'],
      ['fa', 'step.succeeded', 'waiting', 'wf'],
    ]);
    // Resuming from any cursor gives exactly the rest.
    for (let i = 0; i < all.length; i++) {
      const rest = await s.changes.read({ after: all[i]!.cursor, limit: 100 });
      expect(rest.map((c) => c.cursor)).toEqual(all.slice(i + 1).map((c) => c.cursor));
    }
    expect(await s.changes.head()).toBe(all.at(-1)!.cursor);
    const byRun = await s.changes.read({ after: start, runId: 'fb', limit: 10 });
    expect(byRun.map((c) => c.entry.type)).toEqual(['run.started']);
    const byWorkflow = await s.changes.read({ after: start, workflow: 'wf', limit: 10 });
    expect(byWorkflow).toHaveLength(3);
    const byWhere = await s.changes.read({ after: start, where: { applicant: 'x' }, limit: 10 });
    expect(byWhere.map((c) => c.entry.runId)).toEqual(['fb']);
    const limited = await s.changes.read({ after: start, limit: 2 });
    expect(limited.map((c) => c.cursor)).toEqual(all.slice(0, 2).map((c) => c.cursor));
    // The journal as read by run carries the status too.
    const journal = await s.readJournal('fa');
    expect(journal.map((j) => j.runStatus ?? null)).toEqual(['running', null, 'waiting']);
  });

  it('refuses a cursor it did not make', async () => {
    const s = store();
    const bad = await rejection(s.changes.read({ after: 'nonsense', limit: 1 }));
    expect(isInvalidArgumentError(bad)).toBe(true);
  });

  it('wakes a waiting watcher when an entry is committed', async () => {
    const s = store();
    const woke = s.changes.wake(60_000).then(() => 'woken');
    await s.createRun(sampleRun('w1', { journal: [journalEntry('w1', 'run.started', 1)] }));
    expect(await woke).toBe('woken');
    const aborted = new AbortController();
    const stopped = s.changes.wake(60_000, aborted.signal).then(() => 'stopped');
    aborted.abort();
    expect(await stopped).toBe('stopped');
  });
}
