import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  agent,
  contract,
  createRuntime,
  isFanOutTooLargeError,
  isInvalidDefinitionError,
  isRunFailedError,
  MAX_FAN_OUT,
  memoryStore,
  workflow,
} from '../../src/index.js';
import {
  calls,
  childFlow,
  Doubled,
  fanOutFlow,
  Num,
  Nums,
  parentFlow,
  untilExists,
} from './fixtures.js';

describe('child workflows', () => {
  it('runs a child workflow as a step, linked both ways, with its own history', async () => {
    const c = calls();
    const child = childFlow(c);
    const parent = parentFlow(child);
    const rt = createRuntime({ store: memoryStore(), workflows: [parent] });
    const run = await rt.start(parent, { n: 20 });
    expect(await run.result()).toEqual({ total: 42 });
    const kids = await rt.children(run.id);
    expect(kids.map((k) => k.runId)).toEqual([`${run.id}.child`]);
    expect(kids[0]).toMatchObject({ workflow: 'compose-child', status: 'completed' });
    expect(await rt.searchAttributes(`${run.id}.child`)).toMatchObject({
      'baton.parent': run.id,
      'baton.parent.step': 'child',
    });
    expect(await rt.verify(`${run.id}.child`)).toMatchObject({ ok: true, versions: 2 });
    expect((await rt.state(run.id, 2)).data.child).toEqual({ doubled: 42 });
    await rt.close();
  });

  it('fans out in order under its concurrency bound', async () => {
    const c = calls();
    const rt = createRuntime({ store: memoryStore() });
    const wf = fanOutFlow(childFlow(c), 3);
    const ns = Array.from({ length: 25 }, (_, i) => i);
    const run = await rt.start(wf, { ns });
    expect(await run.result()).toEqual(ns.map((n) => n * 2));
    expect(c.peak).toBeLessThanOrEqual(3);
    expect(c.doubled).toHaveLength(25);
    const kids = await rt.children(run.id);
    expect(kids.map((k) => k.runId)).toEqual(ns.map((i) => `${run.id}.each.${i}`));
    await rt.close();
  });

  it('drives children outside the run concurrency limit, so waiting parents cannot starve them', async () => {
    const c = calls();
    // Two slots, four parents: every slot holds a parent waiting for its children. Queued behind
    // the other parents, the children would never start.
    const rt = createRuntime({ store: memoryStore(), concurrency: 2 });
    const wf = fanOutFlow(childFlow(c), 2);
    const runs = await Promise.all(
      Array.from({ length: 4 }, (_, p) => rt.start(wf, { ns: [p, p + 10] })),
    );
    const results = await Promise.all(runs.map((r) => r.result()));
    expect(results).toEqual([0, 1, 2, 3].map((p) => [p * 2, (p + 10) * 2]));
    expect(c.doubled).toHaveLength(8);
    await rt.close();
  });

  it('fails the parent step when a child fails, and compensates the completed siblings', async () => {
    const c = calls();
    const rt = createRuntime({ store: memoryStore() });
    const wf = fanOutFlow(childFlow(c), 1);
    const run = await rt.start(wf, { ns: [1, 2, -3, 4] });
    const err = await run.result().catch((e: unknown) => e);
    expect(isRunFailedError(err)).toBe(true);
    expect((await rt.getRun(`${run.id}.each.2`)).status).toBe('failed');
    // Children 0 and 1 completed before 2 failed; 3 never started.
    expect(c.compensated).toEqual([`${run.id}.each.1`, `${run.id}.each.0`]);
    expect((await rt.getRun(`${run.id}.each.0`)).status).toBe('compensated');
    // Completed, reopened by its parent's compensation, sealed again at its new end.
    expect(await rt.verify(`${run.id}.each.0`)).toMatchObject({ ok: true, end: 'sealed' });
    expect((await rt.children(run.id)).map((k) => k.runId)).not.toContain(`${run.id}.each.3`);
    await rt.close();
  });

  it("degrades a failed child by the step's onFailure", async () => {
    const c = calls();
    const child = childFlow(c);
    const wf = workflow('compose-skip', { version: 1, input: Num })
      .step('child', child, { input: (s) => s.input, policy: { onFailure: 'skip' } })
      .output((s) => s.child);
    const rt = createRuntime({ store: memoryStore() });
    const run = await rt.start(wf, { n: -1 });
    expect(await run.result()).toMatchObject({ skipped: true });
    await rt.close();
  });

  it('compensates completed children, last first, when the parent compensates', async () => {
    const c = calls();
    const child = childFlow(c);
    const boom = agent({
      name: 'boom',
      version: '1.0.0',
      input: Doubled,
      output: Doubled,
      policy: { retry: { maxAttempts: 1 } },
      execute: () => {
        throw new Error('boom');
      },
    });
    const wf = workflow('compose-saga', { version: 1, input: Nums })
      .map('each', child, { input: (s) => s.input.ns.map((n) => ({ n })), concurrency: 1 })
      .step('one', child, { input: () => ({ n: 5 }) })
      .step('boom', boom, { needs: ['one', 'each'], input: (s) => s.one })
      .output((s) => s.boom);
    const rt = createRuntime({ store: memoryStore() });
    const run = await rt.start(wf, { ns: [1, 2] });
    await expect(run.result()).rejects.toMatchObject({ code: 'RUN_FAILED' });
    expect((await rt.getRun(run.id)).status).toBe('compensated');
    expect(new Set(c.compensated)).toEqual(
      new Set([`${run.id}.one`, `${run.id}.each.0`, `${run.id}.each.1`]),
    );
    // Within the fan-out, the last child is undone first.
    expect(c.compensated.indexOf(`${run.id}.each.1`)).toBeLessThan(
      c.compensated.indexOf(`${run.id}.each.0`),
    );
    for (const k of await rt.children(run.id)) expect(k.status).toBe('compensated');
    await rt.close();
  });

  it('cancels live children when the parent is cancelled', async () => {
    const Ok = contract('compose.ok@1', z.object({ ok: z.boolean() }));
    const waiting = workflow('compose-waiting', { version: 1, input: Num })
      .wait('approval', { contract: Ok })
      .output((s) => s.approval);
    const wf = workflow('compose-cancel', { version: 1, input: Num })
      .step('child', waiting, { input: (s) => s.input })
      .output((s) => s.child);
    const rt = createRuntime({ store: memoryStore() });
    const run = await rt.start(wf, { n: 1 });
    await untilExists(rt, `${run.id}.child`, 'waiting');
    await rt.cancel(run.id);
    expect((await rt.getRun(run.id)).status).toBe('cancelled');
    expect((await rt.getRun(`${run.id}.child`)).status).toBe('cancelled');
    expect(await rt.verify(run.id)).toMatchObject({ ok: true, end: 'sealed' });
    expect(await rt.verify(`${run.id}.child`)).toMatchObject({ ok: true, end: 'sealed' });
    await rt.close();
  });

  it('refuses a fan-out over more than MAX_FAN_OUT elements with FanOutTooLargeError', async () => {
    const c = calls();
    const wf = workflow('compose-huge', { version: 1, input: Num })
      .map('each', childFlow(c), {
        input: () => Array.from({ length: MAX_FAN_OUT + 1 }, (_, n) => ({ n })),
      })
      .output((s) => s.each);
    const rt = createRuntime({ store: memoryStore() });
    const run = await rt.start(wf, { n: 1 });
    const err = (await run.result().catch((e: unknown) => e)) as { cause?: unknown };
    expect(isRunFailedError(err)).toBe(true);
    expect((await rt.getRun(run.id)).error).toMatchObject({ code: 'FAN_OUT_TOO_LARGE' });
    expect(c.doubled).toEqual([]);
    expect(isFanOutTooLargeError({ code: 'FAN_OUT_TOO_LARGE' })).toBe(true);
    await rt.close();
  });

  it('refuses workflows that call each other in a cycle, at definition', () => {
    const c = calls();
    const inner = workflow('compose-a', { version: 1, input: Num })
      .step('x', childFlow(c), { input: (s) => s.input })
      .output((s) => s.x);
    const middle = workflow('compose-b', { version: 1, input: Num })
      .step('a', inner, { input: (s) => s.input })
      .output((s) => s.a);
    const define = () =>
      workflow('compose-a', { version: 2, input: Num })
        .step('b', middle, { input: (s) => s.input })
        .output((s) => s.b);
    expect(define).toThrow(/cycle: compose-a -> compose-b -> compose-a/);
    try {
      define();
    } catch (e) {
      expect(isInvalidDefinitionError(e)).toBe(true);
    }
  });

  it('refuses an unfinished workflow or a bad concurrency at definition', () => {
    const c = calls();
    const b = workflow('compose-x', { version: 1, input: Num });
    expect(() =>
      b.map('each', childFlow(c), { input: () => [], concurrency: 0 }).output(() => 1),
    ).toThrow(/concurrency must be an integer from 1 to 10000, got 0/);
    expect(() =>
      workflow('compose-y', { version: 1, input: Num }).step(
        'x',
        workflow('compose-z', { version: 1, input: Num }) as never,
        { input: (s) => s.input },
      ),
    ).toThrow(/expected an agent \(see agent\(\)\) or a finished workflow/);
  });
});
