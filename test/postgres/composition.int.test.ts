/**
 * PostgreSQL: child workflows (one child, fan-out, compensation cascade), a schedule ticking under
 * two runtimes with their own pools (exactly one run per tick), and retention with tombstones.
 */
import { afterEach, expect, it } from 'vitest';
import { postgresStore } from '../../src/backends/postgres/index.js';
import {
  agent,
  createRuntime,
  isRunPrunedError,
  type Runtime,
  type RuntimeOptions,
  workflow,
} from '../../src/index.js';
import { FakeClock } from '../../src/testing/index.js';
import {
  calls,
  childFlow,
  Doubled,
  fanOutFlow,
  Nums,
  parentFlow,
  untilExists,
} from '../compose/fixtures.js';
import { describeWithPostgres, dropSchema, POSTGRES_URL, uniqueSchema } from './server.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function runtime(schema: string, options: Omit<RuntimeOptions, 'store'> = {}): Runtime {
  const rt = createRuntime({
    store: postgresStore({ connectionString: POSTGRES_URL, schema, poolSize: 4 }),
    pollMs: 100,
    ...options,
  });
  cleanups.unshift(() => rt.close());
  return rt;
}

function schemaFor(label: string): string {
  const schema = uniqueSchema(label);
  cleanups.push(() => dropSchema(schema));
  return schema;
}

describeWithPostgres('postgres: composition', () => {
  it('runs a child and a fan-out, linked, and compensates completed children', async () => {
    const schema = schemaFor('compose_children');
    const c = calls();
    const child = childFlow(c);
    const boom = agent({
      name: 'pg-boom',
      version: '1.0.0',
      input: Doubled,
      output: Doubled,
      policy: { retry: { maxAttempts: 1 } },
      execute: () => {
        throw new Error('boom');
      },
    });
    const saga = workflow('pg-compose-saga', { version: 1, input: Nums })
      .map('each', child, { input: (s) => s.input.ns.map((n) => ({ n })), concurrency: 2 })
      .step('boom', boom, { needs: ['each'], input: (s) => s.each[0]! })
      .output((s) => s.boom);
    const rt = runtime(schema);
    const one = await rt.start(parentFlow(child), { n: 4 });
    expect(await one.result()).toEqual({ total: 10 });
    const fan = await rt.start(fanOutFlow(child, 3), { ns: [1, 2, 3, 4, 5] });
    expect(await fan.result()).toEqual([2, 4, 6, 8, 10]);
    expect((await rt.children(fan.id)).map((k) => k.runId)).toEqual(
      [0, 1, 2, 3, 4].map((i) => `${fan.id}.each.${i}`),
    );
    const failed = await rt.start(saga, { ns: [7, 8] });
    await expect(failed.result()).rejects.toMatchObject({ code: 'RUN_FAILED' });
    expect(c.compensated).toEqual([`${failed.id}.each.1`, `${failed.id}.each.0`]);
    for (const k of await rt.children(failed.id)) expect(k.status).toBe('compensated');
  });

  it('starts exactly one run per tick with two runtimes on one schema', async () => {
    const schema = schemaFor('compose_sched');
    const clock = new FakeClock(1_000_000);
    const c = calls();
    const wf = parentFlow(childFlow(c));
    const a = runtime(schema, { workflows: [wf], clock, pollMs: 60_000 });
    await a.ready();
    const b = runtime(schema, { workflows: [wf], clock, pollMs: 60_000 });
    await a.schedule('pg-ticks', wf, { everyMs: 1000, input: { n: 1 } });
    await b.schedule('pg-ticks', wf, { everyMs: 1000, input: { n: 1 } });
    const ticks = 6;
    for (let i = 1; i <= ticks; i++) {
      await clock.advance(1000);
      await untilExists(a, `sched.pg-ticks.${1_000_000 + i * 1000}`, 'completed');
    }
    const runs = await a.listRuns({ where: { 'baton.schedule': 'pg-ticks' } });
    expect(runs).toHaveLength(ticks);
    for (const r of runs) {
      const starts = (await a.journal(r.runId)).filter((j) => j.type === 'run.started');
      expect(starts).toHaveLength(1);
    }
  });

  it('prunes finished runs to tombstones and keeps live ones', async () => {
    const schema = schemaFor('compose_prune');
    const clock = new FakeClock(1_000_000);
    const wf = parentFlow(childFlow(calls()));
    const rt = runtime(schema, {
      workflows: [wf],
      clock,
      pollMs: 86_400_000,
      leaseMs: 3 * 86_400_000,
    });
    const run = await rt.start(wf, { n: 1 });
    await run.result();
    await clock.advance(2 * 86_400_000);
    const report = await rt.prune({ olderThan: 86_400_000 });
    expect([...report.runIds].sort()).toEqual([run.id, `${run.id}.child`].sort());
    const err = await rt.getRun(`${run.id}.child`).catch((e: unknown) => e);
    expect(isRunPrunedError(err)).toBe(true);
    expect(await rt.listRuns({})).toEqual([]);
  });
});
