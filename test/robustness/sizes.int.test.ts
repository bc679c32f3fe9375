/** Row 10: stored error text is capped; events are held to the limits of slots and ids. */
import { statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  agent,
  createRuntime,
  event,
  isInvalidArgumentError,
  isPayloadTooLargeError,
  memoryStore,
  sqliteStore,
  workflow,
} from '../../src/index.js';
import { tempDbPath } from '../support/temp-db.js';
import { Num } from './fixtures.js';

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe('sizes', () => {
  it('stores a 3 MB error message capped, with a marker, once per attempt', async () => {
    const db = tempDbPath('sizes');
    const huge = 'x'.repeat(3 * 1024 * 1024);
    const loud = agent({
      name: 'loud',
      version: '1.0.0',
      input: Num,
      output: Num,
      policy: { retry: { maxAttempts: 3, backoff: { initialMs: 0, maxMs: 0 } } },
      execute: async () => {
        throw new Error(huge);
      },
    });
    const wf = workflow('loud', { version: 1, input: Num })
      .step('loud', loud, { input: (s) => s.input })
      .output((s) => s.loud);
    const rt = createRuntime({ store: sqliteStore(db.path), workflows: [wf] });
    try {
      const run = await rt.start(wf, 1);
      await run.result().catch(() => undefined);
      const journal = await rt.journal(run.id);
      const messages = journal.flatMap((j) => (j.error ? [j.error.message] : []));
      expect(messages.length).toBeGreaterThanOrEqual(3);
      for (const m of messages) {
        expect(m.length).toBeLessThan(8300);
        expect(m).toContain('more characters not stored]');
      }
      await rt.close();
      // Three attempts of 3 MB each would be 9 MB; capped they are a few kilobytes.
      expect(statSync(db.path).size).toBeLessThan(1024 * 1024);
    } finally {
      await rt.close();
      await db.remove();
    }
  });

  it('refuses an event payload over 1 MiB and ids over 200 characters or with NUL', async () => {
    const Note = event('robust.note@1', z.object({ text: z.string() }));
    const rt = createRuntime({ store: memoryStore() });
    try {
      await rt.ready();
      const big = await rejection(rt.publish(Note, { text: 'y'.repeat(5 * 1024 * 1024) }));
      expect(isPayloadTooLargeError(big)).toBe(true);
      expect((big as Error).message).toContain('$event(robust.note@1)');
      const longId = await rejection(
        rt.publish(Note, { text: 'a' }, { correlationId: 'c'.repeat(1024 * 1024) }),
      );
      expect(isInvalidArgumentError(longId)).toBe(true);
      expect((longId as Error).message).toContain('correlationId must be a non-empty string');
      const nul = await rejection(rt.publish(Note, { text: 'a' }, { causationId: 'a\u0000b' }));
      expect(isInvalidArgumentError(nul)).toBe(true);
      expect((nul as Error).message).toContain('causationId must not contain a NUL');
      // Nothing was stored by the refused calls; a normal one still works.
      const ok = await rt.publish(Note, { text: 'fine' });
      expect(ok.duplicate).toBe(false);
    } finally {
      await rt.close();
    }
  });

  it('refuses a run id with NUL on every backend the same way', async () => {
    const rt = createRuntime({ store: memoryStore() });
    const a = agent({
      name: 'a',
      version: '1.0.0',
      input: Num,
      output: Num,
      execute: async (n: number) => n,
    });
    const wf = workflow('nul-id', { version: 1, input: Num })
      .step('a', a, { input: (s) => s.input })
      .output((s) => s.a);
    try {
      const e = await rejection(rt.start(wf, 1, { runId: 'x\u0000y' }));
      expect(isInvalidArgumentError(e)).toBe(true);
      expect((e as Error).message).toContain('options.runId must not contain a NUL');
      expect(await rt.listRuns({})).toHaveLength(0);
    } finally {
      await rt.close();
    }
  });
});
