import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type Alert,
  agent,
  contract,
  createRuntime,
  isRunCancelledError,
  sqliteStore,
  workflow,
} from '../../src/index.js';
import { tempDbPath } from '../support/temp-db.js';
import { Application, applications, oracle, referenceWorkflow, Score } from './fixtures.js';
import { gate, untilStatus } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});
function dbFile(): string {
  const t = tempDbPath('restart');
  cleanups.push(t.remove);
  return t.path;
}

const Approval = contract('test.approval@1', z.object({ approved: z.boolean() }));

describe('runs across runtime restarts (SQLite file)', () => {
  it('keeps a wait across a restart and never re-runs the work done before the pause', async () => {
    const db = dbFile();
    let scoreCalls = 0;
    const score = agent({
      name: 'paused-score',
      version: '1.0.0',
      input: Application,
      output: Score,
      execute: () => {
        scoreCalls++;
        return { score: 720 };
      },
    });
    const wf = workflow('pause', { version: 1, input: Application })
      .step('score', score, { input: (s) => s.input })
      .wait('approval', { contract: Approval, needs: ['score'] })
      .output((s) => ({ score: s.score.score, approved: s.approval.approved }));
    const first = createRuntime({ store: sqliteStore(db), workflows: [wf] });
    const run = await first.start(wf, applications(1)[0]!);
    await untilStatus(first, run.id, 'waiting');
    await first.close();

    const second = createRuntime({ store: sqliteStore(db), workflows: [wf] });
    await second.signal(run.id, 'approval', { approved: true });
    expect(await (await second.handle(run.id)).result()).toEqual({ score: 720, approved: true });
    expect(scoreCalls).toBe(1);
    expect((await second.verify(run.id)).ok).toBe(true);
    await second.close();
  });

  it('leaves a run whose workflow version is not registered untouched and reports it', async () => {
    const db = dbFile();
    const hold = gate();
    const v1 = referenceWorkflow({
      name: 'pinned',
      version: 1,
      hooks: { before: (s) => (s === 'risk' ? hold.opened : undefined) },
    });
    const first = createRuntime({
      store: sqliteStore(db),
      workflows: [v1],
      leaseMs: 500,
      pollMs: 20,
    });
    const app = applications(1)[0]!;
    const run = await first.start(v1, app);
    for (let i = 0; (await first.getRun(run.id)).headVersion < 4 && i < 100_000; i++)
      await new Promise((r) => setImmediate(r));
    await first.close();
    const before = await (async () => {
      const probe = createRuntime({ store: sqliteStore(db), resume: false });
      const r = await probe.getRun(run.id);
      await probe.close();
      return r;
    })();

    const alerts: Alert[] = [];
    const v2 = referenceWorkflow({ name: 'pinned', version: 2 });
    const second = createRuntime({
      store: sqliteStore(db),
      workflows: [v2],
      onAlert: (a) => void alerts.push(a),
    });
    await second.ready();
    expect(alerts).toMatchObject([
      {
        kind: 'workflow_not_registered',
        runId: run.id,
        message: "workflow 'pinned' version 1 is not registered on this runtime",
      },
    ]);
    const after = await second.getRun(run.id);
    expect({
      status: after.status,
      head: after.headVersion,
      version: after.workflowVersion,
    }).toEqual({
      status: before.status,
      head: before.headVersion,
      version: 1,
    });
    await second.close();

    // A runtime that knows v1 takes it over and finishes it on v1.
    hold.open();
    const third = createRuntime({ store: sqliteStore(db), workflows: [v1, v2] });
    expect(await (await third.handle(run.id)).result()).toEqual(oracle(app));
    await third.close();
  });

  it('cancels a running run: its agent is aborted and a marker version fences every writer', async () => {
    const db = dbFile();
    let aborted = false;
    const stuck = agent({
      name: 'stuck',
      version: '1.0.0',
      input: Application,
      output: Score,
      policy: { timeoutMs: 60_000 },
      execute: (_a, ctx) =>
        new Promise((_resolve, reject) => {
          ctx.signal.addEventListener('abort', () => {
            aborted = true;
            reject(new Error('aborted'));
          });
        }),
    });
    const wf = workflow('cancellable', { version: 1, input: Application })
      .step('stuck', stuck, { input: (s) => s.input })
      .output((s) => s.stuck);
    const rt = createRuntime({ store: sqliteStore(db), workflows: [wf] });
    const run = await rt.start(wf, applications(1)[0]!);
    await untilStatus(rt, run.id, 'running');
    await rt.cancel(run.id);
    const err = await run.result().catch((e: unknown) => e);
    expect(isRunCancelledError(err)).toBe(true);
    expect(aborted).toBe(true);
    const history = await rt.history(run.id);
    expect(history.at(-1)).toMatchObject({ step: '$cancelled', tag: 'cancelled', version: 2 });
    await rt.cancel(run.id); // already ended: a no-op
    expect(await run.status()).toBe('cancelled');
    await rt.close();
  });

  it('cancels a run driven by another runtime, which then stops writing to it', async () => {
    const db = dbFile();
    const hold = gate();
    const wf = referenceWorkflow({
      hooks: { before: (s) => (s === 'risk' ? hold.opened : undefined) },
    });
    const driver = createRuntime({ store: sqliteStore(db), workflows: [wf], owner: 'driver' });
    const run = await driver.start(wf, applications(1)[0]!);
    for (let i = 0; (await driver.getRun(run.id)).headVersion < 4 && i < 100_000; i++)
      await new Promise((r) => setImmediate(r));
    const other = createRuntime({
      store: sqliteStore(db),
      workflows: [wf],
      owner: 'other',
      resume: false,
    });
    await other.cancel(run.id);
    hold.open();
    expect(isRunCancelledError(await run.result().catch((e: unknown) => e))).toBe(true);
    await driver.close();
    const history = await other.history(run.id);
    expect(history.at(-1)?.step).toBe('$cancelled');
    expect(history.filter((h) => h.step === 'risk')).toEqual([]);
    expect((await other.verify(run.id)).ok).toBe(true);
    await other.close();
  });
});
