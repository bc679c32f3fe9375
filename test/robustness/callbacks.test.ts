/** Row 2: every user callback that throws fails the step or run, journaled, and never hangs. */
import { describe, expect, it } from 'vitest';
import {
  createRuntime,
  isRunFailedError,
  memoryStore,
  sqliteStore,
  workflow,
} from '../../src/index.js';
import { tempDbPath } from '../support/temp-db.js';
import { Num, numAgent } from './fixtures.js';

function throwingWhen() {
  const a = numAgent('a');
  const b = numAgent('b');
  const wf = workflow('throwing-when', { version: 1, input: Num })
    .step('a', a.agent, { input: (s) => s.input })
    .step('b', b.agent, {
      needs: ['a'],
      input: (s) => s.a,
      when: (s) => (s as unknown as { a: { missing: { deep: boolean } } }).a.missing.deep,
    })
    .output((s) => s.b);
  return { wf, b };
}

describe('user callbacks that throw', () => {
  it('a throwing when fails the run with CallbackFailedError, journaled', async () => {
    const { wf, b } = throwingWhen();
    const rt = createRuntime({ store: memoryStore(), workflows: [wf] });
    try {
      const run = await rt.start(wf, 1);
      const error = await run.result().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isRunFailedError(error)).toBe(true);
      expect((error as { failure: { code: string } }).failure.code).toBe('CALLBACK_FAILED');
      expect((await rt.getRun(run.id)).status).toBe('failed');
      const failed = (await rt.journal(run.id)).find((j) => j.type === 'run.failed');
      expect(failed).toMatchObject({ step: 'b', error: { code: 'CALLBACK_FAILED' } });
      expect(failed?.error?.message).toContain("when of step 'b' threw");
      expect(b.calls.count).toBe(0);
    } finally {
      await rt.close();
    }
  });

  it('a run failed by a throwing when stays failed after a restart on SQLite', async () => {
    const db = tempDbPath('when');
    const { wf } = throwingWhen();
    try {
      const rt = createRuntime({ store: sqliteStore(db.path), workflows: [wf] });
      const run = await rt.start(wf, 1);
      await run.result().catch(() => undefined);
      await rt.close();
      const again = createRuntime({ store: sqliteStore(db.path), workflows: [wf] });
      try {
        expect((await again.getRun(run.id)).status).toBe('failed');
      } finally {
        await again.close();
      }
    } finally {
      await db.remove();
    }
  });

  it('a throwing output selector fails the run with the error journaled', async () => {
    const a = numAgent('a');
    const wf = workflow('throwing-output', { version: 1, input: Num })
      .step('a', a.agent, { input: (s) => s.input })
      .output(() => {
        throw new Error('output selector broke');
      });
    const rt = createRuntime({ store: memoryStore(), workflows: [wf] });
    try {
      const run = await rt.start(wf, 1);
      await expect(run.result()).rejects.toThrow('output selector broke');
      const failed = (await rt.journal(run.id)).find((j) => j.type === 'run.failed');
      expect(failed?.error?.message).toContain('output selector broke');
    } finally {
      await rt.close();
    }
  });

  it('a throwing wait when fails the run instead of parking it', async () => {
    const a = numAgent('a');
    const wf = workflow('throwing-wait-when', { version: 1, input: Num })
      .step('a', a.agent, { input: (s) => s.input })
      .wait('review', {
        contract: Num,
        needs: ['a'],
        when: () => {
          throw new Error('wait condition broke');
        },
      })
      .output((s) => s.a);
    const rt = createRuntime({ store: memoryStore(), workflows: [wf] });
    try {
      const run = await rt.start(wf, 1);
      await expect(run.result()).rejects.toThrow("when of step 'review' threw");
      expect((await rt.getRun(run.id)).status).toBe('failed');
    } finally {
      await rt.close();
    }
  });

  it('a throwing evaluator fails the step, journaled', async () => {
    const a = numAgent('a');
    const wf = workflow('throwing-evaluator', { version: 1, input: Num })
      .step('a', a.agent, {
        input: (s) => s.input,
        policy: { retry: { maxAttempts: 1 } },
        evaluate: [
          () => {
            throw new Error('evaluator broke');
          },
        ],
      })
      .output((s) => s.a);
    const rt = createRuntime({ store: memoryStore(), workflows: [wf] });
    try {
      const run = await rt.start(wf, 1);
      await expect(run.result()).rejects.toThrow('evaluator broke');
      const journal = await rt.journal(run.id);
      expect(journal.some((j) => j.error?.message.includes('evaluator broke'))).toBe(true);
    } finally {
      await rt.close();
    }
  });
});
