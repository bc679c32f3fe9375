/** Row 1: step names that every JavaScript object already has are refused at definition. */
import { describe, expect, it } from 'vitest';
import { createRuntime, isInvalidDefinitionError, memoryStore, workflow } from '../../src/index.js';
import { Num, numAgent } from './fixtures.js';

const RESERVED = ['constructor', 'hasOwnProperty', 'toString', 'valueOf', 'isPrototypeOf'];

describe('step names', () => {
  it.each(RESERVED)('refuses the step name %s with a clear error', (name) => {
    const { agent: a } = numAgent('a');
    const builder = workflow('reserved', { version: 1, input: Num });
    let thrown: unknown;
    try {
      builder.step(name as 'x', a, { input: (s) => s.input });
    } catch (e) {
      thrown = e;
    }
    expect(isInvalidDefinitionError(thrown)).toBe(true);
    expect((thrown as Error).message).toContain(`step name '${name}' is reserved`);
  });

  it('runs every step of a workflow whose names are near the reserved ones', async () => {
    const first = numAgent('first');
    const second = numAgent('second', (n) => n * 10);
    const wf = workflow('near-names', { version: 1, input: Num })
      .step('constructor_', first.agent, { input: (s) => s.input })
      .step('toString2', second.agent, {
        needs: ['constructor_'],
        input: (s) => s.constructor_,
      })
      .output((s) => s.toString2);
    const rt = createRuntime({ store: memoryStore(), workflows: [wf] });
    try {
      const run = await rt.start(wf, 4);
      expect(await run.result()).toBe(50);
      expect(first.calls.count).toBe(1);
      expect(second.calls.count).toBe(1);
      const steps = (await rt.history(run.id)).map((v) => v.step);
      expect(steps).toContain('constructor_');
      expect(steps).toContain('toString2');
    } finally {
      await rt.close();
    }
  });
});
