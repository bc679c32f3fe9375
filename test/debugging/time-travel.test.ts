import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { agent, contract, createRuntime, memoryStore, type StateStore } from '../../src/index.js';
import {
  Application,
  applications,
  oracle,
  Risk,
  RiskIn,
  referenceWorkflow,
} from '../orchestrator/fixtures.js';

/** Wraps a store to count version reads (what bisect must keep logarithmic). */
function countingStore(inner: StateStore): StateStore & { reads: number } {
  const counter = { reads: 0 };
  return Object.assign(Object.create(inner) as StateStore, {
    readVersions(...args: Parameters<StateStore['readVersions']>) {
      counter.reads++;
      return inner.readVersions(...args);
    },
    get reads() {
      return counter.reads;
    },
  }) as StateStore & { reads: number };
}

describe('time travel', () => {
  it('diffs two versions path by path', async () => {
    const wf = referenceWorkflow();
    const rt = createRuntime({ store: memoryStore(), workflows: [wf] });
    const run = await rt.start(wf, applications(1)[0]!);
    await run.result();
    const d = await rt.diff(run.id, 1, 6);
    expect(d.changes.map((c) => `${c.kind} ${c.path}`)).toEqual([
      'added decision',
      'added fraud',
      'added income',
      'added risk',
      'added score',
    ]);
    const back = await rt.diff(run.id, 6, 5);
    expect(back.changes).toEqual([
      { path: 'decision', kind: 'removed', before: (await rt.state(run.id, 6)).data.decision },
    ]);
    await expect(rt.diff(run.id, 1, 99)).rejects.toThrow(/not found/);
    await expect(rt.diff(run.id, 0, 2)).rejects.toThrow(/positive integer/);
    await rt.close();
  });

  it('rolls back by appending a version equal to an older one, then drives the run on', async () => {
    let riskCalls = 0;
    const wf = referenceWorkflow({
      hooks: { before: (step) => void (step === 'risk' && riskCalls++) },
    });
    const rt = createRuntime({ store: memoryStore(), workflows: [wf] });
    const app = applications(1)[0]!;
    const run = await rt.start(wf, app);
    await run.result();
    const history = await rt.history(run.id);
    const beforeRisk = history.find((h) => h.step === 'risk')!.version - 1;
    const rolled = await rt.rollback(run.id, beforeRisk);
    expect(rolled.version).toBe(7);
    expect(rolled.tag).toBe(`rollback:${beforeRisk}`);
    expect(rolled.data).toEqual(history[beforeRisk - 1]!.data);
    expect(await (await rt.handle(run.id)).result()).toEqual(oracle(app));
    expect(riskCalls).toBe(2);
    const after = await rt.history(run.id);
    // Nothing before the rollback changed; the chain still verifies.
    expect(after.slice(0, 6).map((h) => h.hash)).toEqual(history.map((h) => h.hash));
    // Sealed again at its new end (the rollback reopened it; its first seal no longer applies).
    expect(await rt.verify(run.id)).toMatchObject({ ok: true, end: 'sealed' });
    await rt.close();
  });

  it('replays from a version with another agent for a step, recording the parent', async () => {
    const wf = referenceWorkflow();
    const rt = createRuntime({ store: memoryStore(), workflows: [wf] });
    const app = { ...applications(1)[0]!, history: 0.99, debt: 0, flags: 0 };
    const run = await rt.start(wf, app);
    expect(await run.result()).toEqual({ outcome: 'approve' });
    const strict = agent({
      name: 'risk',
      version: '2.0.0',
      input: RiskIn,
      output: Risk,
      execute: () => ({ rating: 'D' as const }),
    });
    const fork = await rt.replay(run.id, { fromVersion: 4, overrides: { risk: strict } });
    expect(await fork.result()).toEqual({ outcome: 'decline' });
    const forked = await rt.getRun(fork.id);
    expect(forked).toMatchObject({ parentRunId: run.id, parentVersion: 4, workflow: 'reference' });
    const risk = (await rt.history(fork.id)).find((h) => h.step === 'risk')!;
    expect(risk.createdBy).toBe('risk@2.0.0');
    // The parent is untouched.
    expect((await rt.getRun(run.id)).headVersion).toBe(6);
    await expect(
      rt.replay(run.id, { fromVersion: 2, overrides: { nope: strict } }),
    ).rejects.toThrow(/no agent step 'nope'/);
    await rt.close();
  });

  it('bisects to the first bad version in O(log n) state reads', async () => {
    const store = countingStore(memoryStore());
    const Counter = contract('test.counter@1', z.object({ n: z.number() }));
    const bump = agent({
      name: 'bump',
      version: '1.0.0',
      input: Counter,
      output: Counter,
      execute: (c) => ({ n: c.n + 1 }),
    });
    // A 33-version chain: input, then 32 steps each adding one.
    let builder = (await import('../../src/index.js')).workflow('chain', {
      version: 1,
      input: Counter,
    }) as unknown as {
      step: (n: string, a: unknown, o: unknown) => typeof builder;
      output: (f: (s: Record<string, { n: number }>) => unknown) => unknown;
    };
    builder = builder.step('s1', bump, { input: (s: { input: { n: number } }) => s.input });
    for (let i = 2; i <= 32; i++) {
      const prev = `s${i - 1}`;
      builder = builder.step(`s${i}`, bump, {
        needs: [prev],
        input: (s: Record<string, { n: number }>) => s[prev],
      });
    }
    const chain = builder.output((s) => s.s32) as Parameters<typeof rt.start>[0];
    const rt = createRuntime({ store, workflows: [chain] });
    const run = await rt.start(chain, { n: 0 } as never);
    expect(await run.result()).toEqual({ n: 32 });
    const readsBefore = store.reads;
    const first = await rt.bisect(run.id, (snap) =>
      Object.values(snap.data).some((v) => (v as { n: number }).n >= 20),
    );
    const reads = store.reads - readsBefore;
    expect(first?.version).toBe(21);
    expect(first?.step).toBe('s20');
    expect(reads).toBeLessThanOrEqual(Math.ceil(Math.log2(33)) + 1);
    expect(await rt.bisect(run.id, () => false)).toBeUndefined();
    await rt.close();
  });

  it('refuses to roll back a run another runtime is driving', async () => {
    const store = memoryStore();
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const wf = referenceWorkflow({
      hooks: { before: (step) => (step === 'risk' ? gate : undefined) },
    });
    const a = createRuntime({ store, workflows: [wf], owner: 'a' });
    const run = await a.start(wf, applications(1)[0]!);
    const b = createRuntime({ store, workflows: [wf], owner: 'b', resume: false });
    await expect(b.rollback(run.id, 1)).rejects.toThrow(/being driven by a/);
    release();
    await run.result();
    await a.close();
    await b.close();
  });
});
void Application;
