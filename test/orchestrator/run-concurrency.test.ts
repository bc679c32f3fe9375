/**
 * The runtime's run concurrency: started runs beyond it are durable and leased at once, but
 * wait in a FIFO queue without running agents until a driven run ends.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  agent,
  contract,
  createRuntime,
  DEFAULT_RUN_CONCURRENCY,
  memoryStore,
  workflow,
} from '../../src/index.js';

/** One-step workflow whose agent blocks until released, counting the calls in progress. */
function gatedWorkflow() {
  let running = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const arrivals: ((n: number) => void)[] = [];
  const Input = contract('test.gated-input@1', z.object({ n: z.number().int() }));
  const Output = contract('test.gated-output@1', z.object({ n: z.number().int() }));
  const gated = agent({
    name: 'gated',
    version: '1.0.0',
    input: Input,
    output: Output,
    execute: async (input) => {
      running++;
      for (const a of arrivals.splice(0)) a(running);
      await gate;
      return { n: input.n };
    },
  });
  const wf = workflow('gated', { version: 1, input: Input })
    .step('only', gated, { input: (s) => s.input })
    .output((s) => s.only);
  /** Resolves once `n` agent calls are in progress. */
  const whenRunning = (n: number): Promise<void> =>
    new Promise((resolve) => {
      const check = (count: number) => (count >= n ? resolve() : arrivals.push(check));
      check(running);
    });
  return { wf, release, whenRunning, running: () => running };
}

describe('run concurrency', () => {
  it('drives at most `concurrency` runs at once; the rest start durably and wait their turn', async () => {
    const g = gatedWorkflow();
    const store = memoryStore();
    const rt = createRuntime({ store, workflows: [g.wf], concurrency: 3 });
    const handles = await Promise.all(Array.from({ length: 8 }, (_, n) => rt.start(g.wf, { n })));
    await g.whenRunning(3);
    // Every run is recorded and leased, though only three agents run.
    const runs = await store.listRuns({});
    expect(runs).toHaveLength(8);
    expect(runs.every((r) => r.status === 'running' && r.leaseOwner !== null)).toBe(true);
    expect(g.running()).toBe(3);
    g.release();
    const outputs = await Promise.all(handles.map((h) => h.result()));
    expect(outputs.map((o) => o.n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(g.running()).toBe(8);
    await rt.close();
  });

  it(`defaults to ${DEFAULT_RUN_CONCURRENCY} runs driven at once`, async () => {
    const g = gatedWorkflow();
    const rt = createRuntime({ store: memoryStore(), workflows: [g.wf] });
    const extra = 20;
    const handles = await Promise.all(
      Array.from({ length: DEFAULT_RUN_CONCURRENCY + extra }, (_, n) => rt.start(g.wf, { n })),
    );
    await g.whenRunning(DEFAULT_RUN_CONCURRENCY);
    expect(g.running()).toBe(DEFAULT_RUN_CONCURRENCY);
    g.release();
    const outputs = await Promise.all(handles.map((h) => h.result()));
    expect(outputs).toHaveLength(DEFAULT_RUN_CONCURRENCY + extra);
    expect(g.running()).toBe(DEFAULT_RUN_CONCURRENCY + extra);
    await rt.close();
  });
});
