/** Row 13: malformed calls and too-deep values get typed errors, never raw TypeError/RangeError. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  agent,
  contract,
  createRuntime,
  isBatonError,
  isInvalidArgumentError,
  isNonJsonValueError,
  isRunFailedError,
  memoryStore,
  type Workflow,
  workflow,
} from '../../src/index.js';
import { Anything, Num, numAgent } from './fixtures.js';

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe('malformed calls', () => {
  it('start(undefined) and start(a string) throw InvalidArgumentError naming the value', async () => {
    const rt = createRuntime({ store: memoryStore() });
    try {
      const none = await rejection(rt.start(undefined as unknown as Workflow, 1));
      expect(isInvalidArgumentError(none)).toBe(true);
      expect((none as Error).message).toContain('expected a workflow');
      expect((none as Error).message).toContain('got undefined');
      const named = await rejection(rt.start('w' as unknown as Workflow, 1));
      expect(isInvalidArgumentError(named)).toBe(true);
      expect((named as Error).message).toContain('got "w"');
    } finally {
      await rt.close();
    }
  });

  it('a 10,000-deep input is refused as non-JSON with its path, and nothing is written', async () => {
    const echo = agent({
      name: 'echo',
      version: '1.0.0',
      input: Anything,
      output: Anything,
      execute: async (v: unknown) => v,
    });
    const wf = workflow('deep-input', { version: 1, input: Anything })
      .step('echo', echo, { input: (s) => s.input })
      .output((s) => s.echo);
    const rt = createRuntime({ store: memoryStore(), workflows: [wf] });
    try {
      const e = await rejection(rt.start(wf, nested(10_000)));
      expect(isNonJsonValueError(e)).toBe(true);
      expect((e as Error).message).toContain('nested deeper than 512 levels');
      expect((e as Error).message).toContain('$.input.a.a.a');
      expect(await rt.listRuns({})).toHaveLength(0);
    } finally {
      await rt.close();
    }
  });

  it('a 5,000-deep agent output fails the step with a typed error', async () => {
    const deep = agent({
      name: 'deep',
      version: '1.0.0',
      input: Num,
      output: Anything,
      policy: { retry: { maxAttempts: 1 } },
      execute: async () => nested(5_000),
    });
    const wf = workflow('deep-output', { version: 1, input: Num })
      .step('deep', deep, { input: (s) => s.input })
      .output((s) => s.deep);
    const rt = createRuntime({ store: memoryStore(), workflows: [wf] });
    try {
      const run = await rt.start(wf, 1);
      const e = await rejection(run.result());
      expect(isRunFailedError(e)).toBe(true);
      expect((e as { failure: { code: string } }).failure.code).toBe('NON_JSON_VALUE');
    } finally {
      await rt.close();
    }
  });

  it('a deeply nested value against a recursive schema is a typed error', async () => {
    type Tree = { a?: Tree };
    const TreeSchema: z.ZodType<Tree> = z.lazy(() => z.object({ a: TreeSchema.optional() }));
    const Deep = contract('robust.tree@1', TreeSchema);
    const a = numAgent('after');
    const wf = workflow('deep-tree', { version: 1, input: Deep })
      .step('after', a.agent, { input: () => 1 })
      .output((s) => s.after);
    const rt = createRuntime({ store: memoryStore(), workflows: [wf] });
    try {
      const e = await rejection(rt.start(wf, nested(20_000) as Tree));
      expect(isBatonError(e)).toBe(true);
      expect(isNonJsonValueError(e)).toBe(true);
      expect((e as Error).message).toContain('more)…');
      expect(await rt.listRuns({})).toHaveLength(0);
    } finally {
      await rt.close();
    }
  });
});
