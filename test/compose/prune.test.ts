import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  auditLog,
  contract,
  createRuntime,
  isRunPrunedError,
  memoryStore,
  type StateStore,
  sqliteStore,
  workflow,
} from '../../src/index.js';
import { FakeClock } from '../../src/testing/index.js';
import { tempDbPath } from '../support/temp-db.js';
import { calls, childFlow, Num, parentFlow, untilExists } from './fixtures.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});
const DAY = 86_400_000;
// Lease upkeep once a fake day: advancing the clock by a month then wakes it 31 times, not millions.
const SLOW_POLL = { pollMs: DAY, leaseMs: 3 * DAY };
const Ok = contract('compose.prune-ok@1', z.object({ ok: z.boolean() }));

const stores: [string, () => StateStore][] = [
  ['memory', () => memoryStore()],
  [
    'sqlite',
    () => {
      const t = tempDbPath('compose-prune');
      cleanups.push(t.remove);
      return sqliteStore(t.path);
    },
  ],
];

describe.each(stores)('retention on the %s store', (_name, makeStore) => {
  it('keeps a finished child while its parent is live, and refuses bad options', async () => {
    const clock = new FakeClock(10 * DAY);
    const c = calls();
    const waitingParent = workflow('prune-parent', { version: 1, input: Num })
      .step('child', childFlow(c), { input: (s) => s.input })
      .wait('approval', { contract: Ok, needs: ['child'] })
      .output((s) => s.approval);
    const rt = createRuntime({
      store: makeStore(),
      workflows: [waitingParent],
      clock,
      ...SLOW_POLL,
    });
    const run = await rt.start(waitingParent, { n: 1 });
    await untilExists(rt, run.id, 'waiting');
    await clock.advance(31 * DAY);
    const report = await rt.prune({ olderThan: 30 * DAY });
    expect(report.runIds).toEqual([]);
    expect(report.kept).toEqual([
      { runId: `${run.id}.child`, reason: `its parent ${run.id} is waiting` },
    ]);
    await expect(rt.prune({ olderThan: -1 })).rejects.toThrow(
      /olderThan must be a number of ms >= 0/,
    );
    await expect(rt.prune({ olderThan: 1, status: 'running' })).rejects.toThrow(
      /status must be a finished status/,
    );
    await rt.close();
  });

  it('deletes old finished runs, keeps tombstones, never touches live runs', async () => {
    const clock = new FakeClock(10 * DAY);
    const c = calls();
    const child = childFlow(c);
    const parent = parentFlow(child);
    const waiting = workflow('prune-waiting', { version: 1, input: Num })
      .wait('approval', { contract: Ok })
      .output((s) => s.approval);
    const store = makeStore();
    const rt = createRuntime({ store, workflows: [parent, waiting], clock, ...SLOW_POLL });
    const old = await rt.start(parent, { n: 1 });
    await old.result();
    const oldHead = (await rt.history(old.id)).at(-1)!;
    const live = await rt.start(waiting, { n: 1 });
    await untilExists(rt, live.id, 'waiting');
    await clock.advance(31 * DAY);
    const fresh = await rt.start(parent, { n: 2 });
    await fresh.result();

    const dry = await rt.prune({ olderThan: 30 * DAY, dryRun: true });
    expect([...dry.runIds].sort()).toEqual([old.id, `${old.id}.child`].sort());
    expect((await rt.getRun(old.id)).status).toBe('completed');

    const report = await rt.prune({ olderThan: 30 * DAY });
    expect([...report.runIds].sort()).toEqual([old.id, `${old.id}.child`].sort());
    const err = await rt.getRun(old.id).catch((e: unknown) => e);
    expect(isRunPrunedError(err)).toBe(true);
    expect((err as Error).message).toMatch(`run ${old.id} was pruned by retention`);
    await expect(rt.history(old.id)).rejects.toMatchObject({ code: 'RUN_PRUNED' });
    expect((await rt.getRun(live.id)).status).toBe('waiting');
    expect((await rt.getRun(fresh.id)).status).toBe('completed');
    await expect(rt.getRun('never-was')).rejects.toMatchObject({ code: 'NOT_FOUND' });

    const [tomb] = await store.queryRecords({ kind: 'tombstone', key: old.id });
    expect(tomb?.body).toMatchObject({
      runId: old.id,
      workflow: 'compose-parent',
      status: 'completed',
      headVersion: oldHead.version,
      headHash: oldHead.hash,
    });
    const audit = await auditLog(store).entries();
    expect(audit.filter((a) => a.action === 'runs.prune')).toMatchObject([
      { principal: 'system', result: 'ok', detail: { pruned: report.runIds } },
    ]);
    // Nothing left to prune: a second pass deletes nothing and audits nothing.
    expect((await rt.prune({ olderThan: 30 * DAY })).runIds).toEqual([]);
    await rt.close();
  });
});
