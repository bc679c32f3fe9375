import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  agent,
  contract,
  createRuntime,
  isInvalidScheduleError,
  memoryStore,
  type Runtime,
  sqliteStore,
  workflow,
} from '../../src/index.js';
import { FakeClock } from '../../src/testing/index.js';
import { tempDbPath } from '../support/temp-db.js';
import { Doubled, Num, untilExists } from './fixtures.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const T0 = 1_000_000;
const Ok = contract('compose.sched-ok@1', z.object({ ok: z.boolean() }));

function doubling(fail = false) {
  const double = agent({
    name: 'sched-double',
    version: '1.0.0',
    input: Num,
    output: Doubled,
    policy: { retry: { maxAttempts: 1 } },
    execute: (x) => {
      if (fail) throw new Error('always fails');
      return { doubled: x.n * 2 };
    },
  });
  return workflow(fail ? 'sched-failing' : 'sched-double', { version: 1, input: Num })
    .step('double', double, { input: (s) => s.input })
    .output((s) => s.double);
}

/** Runs of a schedule, oldest tick first. */
async function tickRuns(rt: Runtime, name: string) {
  const runs = await rt.listRuns({ where: { 'baton.schedule': name } });
  return runs.map((r) => r.runId).sort();
}

/** Advances the clock one tick at a time, waiting for each tick's run to exist. */
async function tick(clock: FakeClock, rt: Runtime, name: string, times: number, everyMs = 1000) {
  for (let i = 0; i < times; i++) {
    await clock.advance(everyMs);
    const due = Math.floor(clock.now() / everyMs) * everyMs;
    await untilExists(rt, `sched.${name}.${due}`, 'completed');
  }
}

describe('schedules', () => {
  it('starts one run per tick, with the tick in its id and its input', async () => {
    const clock = new FakeClock(T0);
    const wf = doubling();
    const rt = createRuntime({ store: memoryStore(), workflows: [wf], clock, pollMs: 60_000 });
    const info = await rt.schedule('every-second', wf, { everyMs: 1000, input: { n: 4 } });
    expect(info).toMatchObject({ name: 'every-second', nextAt: T0 + 1000, paused: false });
    await tick(clock, rt, 'every-second', 3);
    expect(await tickRuns(rt, 'every-second')).toEqual([
      `sched.every-second.${T0 + 1000}`,
      `sched.every-second.${T0 + 2000}`,
      `sched.every-second.${T0 + 3000}`,
    ]);
    expect(await (await rt.handle(`sched.every-second.${T0 + 2000}`)).result()).toEqual({
      doubled: 8,
    });
    await rt.close();
  });

  it('fires each tick once across two runtimes sharing a store', async () => {
    const t = tempDbPath('compose-sched');
    cleanups.push(t.remove);
    const clock = new FakeClock(T0);
    const wf = doubling();
    const opts = { workflows: [wf], clock, pollMs: 60_000 };
    const a = createRuntime({ store: sqliteStore(t.path), ...opts });
    await a.ready();
    const b = createRuntime({ store: sqliteStore(t.path), ...opts });
    const input = (at: Date) => ({ n: at.getTime() / 1000 });
    await a.schedule('shared', wf, { everyMs: 1000, input });
    await b.schedule('shared', wf, { everyMs: 1000, input });
    await tick(clock, a, 'shared', 5);
    const runs = await tickRuns(a, 'shared');
    expect(runs).toHaveLength(5);
    for (const id of runs) {
      const starts = (await a.journal(id)).filter((j) => j.type === 'run.started');
      expect(starts).toHaveLength(1);
    }
    expect(await (await a.handle(runs[0]!)).result()).toEqual({
      doubled: ((T0 + 1000) / 1000) * 2,
    });
    await a.close();
    await b.close();
  });

  it('catches up at most catchUp missed ticks (plus the latest) after downtime', async () => {
    const t = tempDbPath('compose-catchup');
    cleanups.push(t.remove);
    const clock = new FakeClock(T0);
    const wf = doubling();
    const a = createRuntime({ store: sqliteStore(t.path), workflows: [wf], clock, pollMs: 60_000 });
    await a.schedule('nightly', wf, {
      everyMs: 1000,
      input: { n: 1 },
      catchUp: 2,
      overlap: 'allow',
    });
    await tick(clock, a, 'nightly', 1);
    await a.close();
    await clock.advance(10_000); // ten ticks while nobody runs
    const b = createRuntime({ store: sqliteStore(t.path), workflows: [wf], clock, pollMs: 60_000 });
    await b.schedule('nightly', wf, {
      everyMs: 1000,
      input: { n: 1 },
      catchUp: 2,
      overlap: 'allow',
    });
    await untilExists(b, `sched.nightly.${T0 + 11_000}`, 'completed');
    for (let i = 0; i < 100 && (await tickRuns(b, 'nightly')).length < 4; i++) {
      await new Promise((r) => setImmediate(r));
    }
    expect(await tickRuns(b, 'nightly')).toEqual(
      [
        `sched.nightly.${T0 + 1000}`,
        `sched.nightly.${T0 + 11_000}`,
        `sched.nightly.${T0 + 9000}`,
        `sched.nightly.${T0 + 10_000}`,
      ].sort(),
    );
    await b.close();
  });

  it('pauses, resumes, triggers and deletes; a failing workflow keeps its schedule, failures shown', async () => {
    const clock = new FakeClock(T0);
    const wf = doubling(true);
    const rt = createRuntime({ store: memoryStore(), workflows: [wf], clock, pollMs: 60_000 });
    await rt.schedule('flaky', wf, { cron: '* * * * * *', input: { n: 1 } });
    await clock.advance(1000);
    await untilExists(rt, `sched.flaky.${T0 + 1000}`, 'failed');
    await rt.pauseSchedule('flaky');
    await clock.advance(3000);
    expect(await tickRuns(rt, 'flaky')).toHaveLength(1);
    const manual = await rt.triggerSchedule('flaky');
    expect(manual).toBe(`sched.flaky.manual-${T0 + 4000}`);
    await untilExists(rt, manual, 'failed');
    await rt.resumeSchedule('flaky');
    await clock.advance(1000);
    await untilExists(rt, `sched.flaky.${T0 + 5000}`, 'failed');
    const [info] = await rt.schedules();
    expect(info).toMatchObject({ name: 'flaky', paused: false, recentFailures: 3 });
    await rt.deleteSchedule('flaky');
    expect(await rt.schedules()).toEqual([]);
    await expect(rt.pauseSchedule('flaky')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await rt.close();
  });

  it("skips a tick while the previous run is live with overlap 'skip'", async () => {
    const clock = new FakeClock(T0);
    const wf = workflow('sched-waiting', { version: 1, input: Num })
      .wait('approval', { contract: Ok })
      .output((s) => s.approval);
    const rt = createRuntime({ store: memoryStore(), workflows: [wf], clock, pollMs: 60_000 });
    await rt.schedule('slow', wf, { everyMs: 1000, input: { n: 1 } });
    await clock.advance(1000);
    await untilExists(rt, `sched.slow.${T0 + 1000}`, 'waiting');
    await clock.advance(1000);
    await rt.signal(`sched.slow.${T0 + 1000}`, 'approval', { ok: true });
    await untilExists(rt, `sched.slow.${T0 + 1000}`, 'completed');
    await clock.advance(1000);
    await untilExists(rt, `sched.slow.${T0 + 3000}`, 'waiting');
    expect(await tickRuns(rt, 'slow')).toEqual([
      `sched.slow.${T0 + 1000}`,
      `sched.slow.${T0 + 3000}`,
    ]);
    await rt.close();
  });

  it('refuses bad definitions with InvalidScheduleError naming the problem', async () => {
    const wf = doubling();
    const rt = createRuntime({ store: memoryStore(), workflows: [wf] });
    const bad = async (name: string, opts: object, message: RegExp) => {
      const e = await rt.schedule(name, wf, opts as never).catch((x: unknown) => x);
      expect(isInvalidScheduleError(e)).toBe(true);
      expect((e as Error).message).toMatch(message);
    };
    await bad(
      'x',
      { cron: 'every tuesday', input: { n: 1 } },
      /cron expression "every tuesday" does not parse/,
    );
    await bad('x', { everyMs: 5, input: { n: 1 } }, /everyMs must be an integer of at least 100/);
    await bad(
      'x',
      { cron: '* * * * *', everyMs: 1000, input: { n: 1 } },
      /exactly one of cron and everyMs/,
    );
    await bad('x', { everyMs: 1000, input: { n: 1 }, overlap: 'queue' }, /overlap must be one of/);
    await bad(
      'x',
      { everyMs: 1000, input: { n: 'one' } },
      /input does not fit workflow 'sched-double'/,
    );
    await bad('Bad Name', { everyMs: 1000, input: { n: 1 } }, /name must be lowercase/);
    expect(await rt.schedules()).toEqual([]);
    await rt.close();
  });
});
