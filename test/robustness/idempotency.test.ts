/** Row 5: a run id or idempotency key reused for a different start is a typed conflict. */
import { describe, expect, it } from 'vitest';
import {
  createRuntime,
  isIdempotencyConflictError,
  memoryStore,
  sqliteStore,
  workflow,
} from '../../src/index.js';
import { tempDbPath } from '../support/temp-db.js';
import { Num, numAgent } from './fixtures.js';

function workflows() {
  const a = numAgent('a');
  const b = numAgent('b', (n) => n * 100);
  const wfA = workflow('wf-a', { version: 1, input: Num })
    .step('a', a.agent, { input: (s) => s.input })
    .output((s) => s.a);
  const wfB = workflow('wf-b', { version: 1, input: Num })
    .step('b', b.agent, { input: (s) => s.input })
    .output((s) => s.b);
  const wfA2 = workflow('wf-a', { version: 2, input: Num })
    .step('a', a.agent, { input: (s) => s.input })
    .output((s) => s.a);
  return { wfA, wfB, wfA2 };
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe.each([
  ['memory', () => ({ store: memoryStore(), remove: async () => {} })],
  [
    'sqlite',
    () => {
      const db = tempDbPath('idem');
      return { store: sqliteStore(db.path), remove: db.remove };
    },
  ],
] as const)('reused run ids and idempotency keys (%s)', (_name, open) => {
  it('refuses a runId of a completed run of another workflow, version or input', async () => {
    const { wfA, wfB, wfA2 } = workflows();
    const { store, remove } = open();
    const rt = createRuntime({ store, workflows: [wfA, wfB, wfA2] });
    try {
      const first = await rt.start(wfA, 1, { runId: 'shared' });
      expect(await first.result()).toBe(2);
      for (const [wf, input, differs] of [
        [wfB, 1, 'workflow'],
        [wfA2, 1, 'workflow version'],
        [wfA, 7, 'input'],
      ] as const) {
        const e = await rejection(rt.start(wf, input, { runId: 'shared' }));
        expect(isIdempotencyConflictError(e)).toBe(true);
        expect((e as Error).message).toContain(`runId 'shared' already names run 'shared'`);
        expect((e as Error).message).toContain(`different ${differs}`);
      }
      // The same start returns the existing run, as before.
      const same = await rt.start(wfA, 1, { runId: 'shared' });
      expect(same.id).toBe('shared');
      expect(await same.result()).toBe(2);
      expect((await rt.getRun('shared')).workflow).toBe('wf-a');
    } finally {
      await rt.close();
      await remove();
    }
  });

  it('refuses an idempotencyKey reused with another workflow or input', async () => {
    const { wfA, wfB } = workflows();
    const { store, remove } = open();
    const rt = createRuntime({ store, workflows: [wfA, wfB] });
    try {
      const first = await rt.start(wfA, 1, { idempotencyKey: 'order-7' });
      await first.result();
      const other = await rejection(rt.start(wfB, 1, { idempotencyKey: 'order-7' }));
      expect(isIdempotencyConflictError(other)).toBe(true);
      expect((other as Error).message).toContain("idempotencyKey 'order-7'");
      const input = await rejection(rt.start(wfA, 2, { idempotencyKey: 'order-7' }));
      expect(isIdempotencyConflictError(input)).toBe(true);
      const same = await rt.start(wfA, 1, { idempotencyKey: 'order-7' });
      expect(same.id).toBe(first.id);
    } finally {
      await rt.close();
      await remove();
    }
  });
});
