import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  contract,
  createRuntime,
  isInvalidDefinitionError,
  memoryStore,
  sqliteStore,
  workflow,
} from '../../src/index.js';
import { FakeClock } from '../../src/testing/index.js';
import { tempDbPath } from '../support/temp-db.js';
import { Num, untilExists } from './fixtures.js';

const Ok = contract('compose.sleep-ok@1', z.object({ ok: z.boolean() }));
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const napping = () =>
  workflow('compose-nap', { version: 1, input: Num })
    .sleep('nap', { ms: 3_600_000 })
    .output((s) => ({ n: s.input.n, firedAt: s.nap.firedAt }));

describe('durable timers', () => {
  it('sleeps across a restart and fires once (fake clock)', async () => {
    const t = tempDbPath('compose-sleep');
    cleanups.push(t.remove);
    const clock = new FakeClock(1_000_000);
    const wf = napping();
    const a = createRuntime({ store: sqliteStore(t.path), workflows: [wf], clock, pollMs: 100 });
    const run = await a.start(wf, { n: 7 });
    await untilExists(a, run.id, 'waiting');
    expect(await a.waits()).toEqual([
      {
        runId: run.id,
        workflow: 'compose-nap',
        step: 'nap',
        reason: 'timer',
        since: 1_000_000,
        dueAt: 1_000_000 + 3_600_000,
      },
    ]);
    await a.close();

    const b = createRuntime({ store: sqliteStore(t.path), workflows: [wf], clock, pollMs: 100 });
    await b.ready();
    await clock.advance(1_800_000);
    expect((await b.getRun(run.id)).status).toBe('waiting');
    await clock.advance(1_800_100);
    const h = await b.handle(run.id);
    const out = (await h.result()) as { n: number; firedAt: number };
    expect(out.n).toBe(7);
    expect(out.firedAt).toBeGreaterThanOrEqual(1_000_000 + 3_600_000);
    const fired = (await b.journal(run.id)).filter((j) => j.type === 'timer.fired');
    expect(fired).toHaveLength(1);
    const slot = (await b.history(run.id)).find((v) => v.step === 'nap')!;
    expect(slot).toMatchObject({ createdBy: 'timer', tag: 'timer' });
    expect(await b.waits()).toEqual([]);
    await b.close();
  });

  it('sleeps until a point in time, and tells timers from signals in rt.waits', async () => {
    const clock = new FakeClock(5_000);
    const wf = workflow('compose-until', { version: 1, input: Num })
      .sleep('later', { until: new Date(65_000) })
      .wait('approval', { contract: Ok, needs: ['later'] })
      .output((s) => s.approval);
    const rt = createRuntime({ store: memoryStore(), workflows: [wf], clock, pollMs: 100 });
    const run = await rt.start(wf, { n: 1 });
    await untilExists(rt, run.id, 'waiting');
    expect((await rt.waits()).map((w) => [w.step, w.reason, w.dueAt])).toEqual([
      ['later', 'timer', 65_000],
    ]);
    await clock.advance(60_100);
    for (let i = 0; i < 1000 && (await rt.waits())[0]?.step !== 'approval'; i++) {
      await new Promise((r) => setImmediate(r));
    }
    expect(await rt.waits({ reason: 'signal' })).toMatchObject([
      { runId: run.id, step: 'approval', reason: 'signal', dueAt: null },
    ]);
    expect(await rt.waits({ reason: 'timer' })).toEqual([]);
    await rt.signal(run.id, 'approval', { ok: true });
    expect(await run.result()).toEqual({ ok: true });
    await rt.close();
  });

  it('refuses a bad duration at definition', () => {
    const define = () =>
      workflow('compose-bad-sleep', { version: 1, input: Num })
        .sleep('nap', { ms: -1 })
        .output(() => 1);
    expect(define).toThrow(/expected \{ ms \} \(a non-negative number\)/);
    try {
      define();
    } catch (e) {
      expect(isInvalidDefinitionError(e)).toBe(true);
    }
  });
});
