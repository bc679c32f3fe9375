import { describe, expect, it } from 'vitest';
import {
  type Agent,
  agent,
  createRuntime,
  isRunFailedError,
  isSkipped,
  memoryStore,
  type Policy,
  workflow,
} from '../../src/index.js';
import { FakeClock } from '../../src/testing/index.js';
import { type App, Application, applications, Score } from './fixtures.js';
import { gate, untilStatus } from './helpers.js';

/** A score agent whose behaviour the test switches at will, counting its calls. */
function switchable(name: string, policy: Policy) {
  const state = {
    failing: true,
    calls: 0,
    active: 0,
    maxActive: 0,
    hold: undefined as Promise<void> | undefined,
  };
  const a = agent({
    name,
    version: '1.0.0',
    input: Application,
    output: Score,
    policy,
    execute: async (app) => {
      state.calls++;
      state.active++;
      state.maxActive = Math.max(state.maxActive, state.active);
      try {
        if (state.hold) await state.hold;
        if (state.failing) throw new Error(`${name} is down`);
        return { score: 300 + Math.round((app as App).history * 500) };
      } finally {
        state.active--;
      }
    },
  });
  return { agent: a as Agent<App, { score: number }, Policy>, state };
}

function oneStep(a: Agent<App, { score: number }, Policy>, name = 'one') {
  return workflow(name, { version: 1, input: Application })
    .step('score', a as Agent<App, { score: number }, undefined>, { input: (s) => s.input })
    .output((s) => s.score);
}

const fast = { retry: { maxAttempts: 2, backoff: { initialMs: 0, maxMs: 0 } } } as const;

describe('failure handling through the runtime', () => {
  it('skip: the slot records { skipped: true, reason } and the run continues', async () => {
    const { agent: a } = switchable('skip-me', { ...fast, onFailure: 'skip' });
    const wf = workflow('skipping', { version: 1, input: Application })
      .step('score', a as Agent<App, { score: number }, { onFailure: 'skip' }>, {
        input: (s) => s.input,
      })
      .output((s) => (isSkipped(s.score) ? { degraded: s.score.reason } : { degraded: null }));
    const rt = createRuntime({ store: memoryStore(), workflows: [wf] });
    const run = await rt.start(wf, applications(1)[0]!);
    expect(await run.result()).toEqual({ degraded: 'skip-me is down' });
    const journal = await rt.journal(run.id);
    expect(journal.filter((j) => j.type === 'attempt.failed')).toHaveLength(2);
    expect(journal.find((j) => j.type === 'step.skipped')).toMatchObject({
      step: 'score',
      error: { message: 'skip-me is down' },
    });
    await rt.close();
  });

  it('cached: falls back to the last good output for an equal input, marked cached; none means fail', async () => {
    const { agent: a, state } = switchable('cache-me', { ...fast, onFailure: 'cached' });
    const wf = oneStep(a, 'caching');
    const rt = createRuntime({ store: memoryStore(), workflows: [wf] });
    const [app, other] = applications(2);
    state.failing = false;
    const good = await (await rt.start(wf, app!)).result();
    state.failing = true;
    const again = await rt.start(wf, app!);
    expect(await again.result()).toEqual(good);
    const slot = (await rt.history(again.id)).find((h) => h.step === 'score')!;
    expect(slot.tag).toBe('cached');
    const none = await rt.start(wf, other!);
    const err = await none.result().catch((e: unknown) => e);
    expect(isRunFailedError(err)).toBe(true);
    expect(await none.status()).toBe('failed');
    await rt.close();
  });

  it('opens the breaker after consecutive failures, fails fast while open, and closes after a good probe', async () => {
    const clock = new FakeClock(10_000);
    const { agent: a, state } = switchable('flaky-dep', {
      retry: { maxAttempts: 1 },
      breaker: { failureThreshold: 3, resetAfterMs: 60_000 },
    });
    const wf = oneStep(a, 'breaking');
    const store = memoryStore();
    const rt = createRuntime({ store, workflows: [wf], clock });
    const apps = applications(6);
    for (const app of apps.slice(0, 3)) await (await rt.start(wf, app)).result().catch(() => {});
    expect(rt.breakers()).toMatchObject([{ name: 'flaky-dep@1.0.0', state: 'open' }]);
    const callsWhenOpened = state.calls;
    const rejected = await (await rt.start(wf, apps[3]!)).result().catch((e: unknown) => e);
    expect((rejected as Error).cause).toMatchObject({ code: 'CIRCUIT_OPEN' });
    expect(state.calls).toBe(callsWhenOpened);

    state.failing = false;
    await clock.advance(60_000);
    expect(await (await rt.start(wf, apps[4]!)).result()).toHaveProperty('score');
    expect(rt.breakers()[0]!.state).toBe('closed');
    const transitions = await store.queryRecords({ kind: 'breaker', key: 'flaky-dep@1.0.0' });
    expect(
      transitions.map(
        (t) => `${(t.body as { from: string }).from}>${(t.body as { to: string }).to}`,
      ),
    ).toEqual(['closed>open', 'open>half-open', 'half-open>closed']);
    await rt.close();
  });

  it('limits concurrency per agent across runs, and a full queue rejects', async () => {
    const { agent: a, state } = switchable('narrow', {
      ...fast,
      retry: { maxAttempts: 1 },
      concurrency: 2,
      maxQueue: 3,
    });
    state.failing = false;
    const hold = gate();
    state.hold = hold.opened;
    const wf = oneStep(a, 'narrowed');
    const rt = createRuntime({ store: memoryStore(), workflows: [wf] });
    const runs = await Promise.all(applications(6).map((app) => rt.start(wf, app)));
    // Two run, three wait in the queue; the sixth finds the queue full.
    const settled = runs.map((r) =>
      r.result().then(
        () => 'ok',
        (e: unknown) => ((e as Error).cause as { code: string }).code,
      ),
    );
    for (let i = 0; state.calls < 2 && i < 10_000; i++) await new Promise((r) => setImmediate(r));
    expect(state.active).toBe(2);
    hold.open();
    const outcomes = await Promise.all(settled);
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(5);
    expect(outcomes.filter((o) => o === 'QUEUE_FULL')).toHaveLength(1);
    expect(state.maxActive).toBe(2);
    await rt.close();
  });

  it('a hung agent never hangs its run: the timeout aborts its signal and fails the step', async () => {
    const clock = new FakeClock(0);
    let sawAbort = false;
    const hung = agent({
      name: 'hung',
      version: '1.0.0',
      input: Application,
      output: Score,
      policy: { timeoutMs: 5_000, retry: { maxAttempts: 1 } },
      execute: (_a, ctx) =>
        new Promise(() => {
          ctx.signal.addEventListener('abort', () => {
            sawAbort = true;
          });
        }),
    });
    const wf = oneStep(hung as never, 'hanging');
    const rt = createRuntime({ store: memoryStore(), workflows: [wf], clock });
    const run = await rt.start(wf, applications(1)[0]!);
    await untilStatus(rt, run.id, 'running');
    await clock.advance(5_000);
    const err = await run.result().catch((e: unknown) => e);
    expect((err as Error).cause).toMatchObject({ code: 'STEP_TIMEOUT' });
    expect(sawAbort).toBe(true);
    await rt.close();
  });

  it('shares a breaker across runtimes on one store: one dependency down trips it for the fleet', async () => {
    const clock = new FakeClock(50_000);
    const { agent: a, state } = switchable('fleet-dep', {
      retry: { maxAttempts: 1 },
      breaker: { failureThreshold: 2, resetAfterMs: 60_000 },
    });
    const wf = oneStep(a, 'fleet');
    const store = memoryStore();
    const shared = { syncMs: 0 };
    const first = createRuntime({
      store,
      workflows: [wf],
      clock,
      owner: 'w1',
      sharedBreakers: shared,
    });
    const second = createRuntime({
      store,
      workflows: [wf],
      clock,
      owner: 'w2',
      sharedBreakers: shared,
      resume: false,
    });
    const apps = applications(3);
    for (const app of apps.slice(0, 2)) await (await first.start(wf, app)).result().catch(() => {});
    expect(first.breakers()[0]?.state).toBe('open');
    const calls = state.calls;
    const err = await (await second.start(wf, apps[2]!)).result().catch((e: unknown) => e);
    expect((err as Error).cause).toMatchObject({ code: 'CIRCUIT_OPEN' });
    expect(state.calls).toBe(calls);
    await first.close();
    await second.close();
  });
});
