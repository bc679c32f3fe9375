/**
 * `rt.watch` across processes: a child process writes runs to a SQLite file while this process,
 * which only opens the store, watches; the watcher drops its iterator midway and resumes with
 * its last cursor, and must see every committed event exactly once, in commit order.
 */
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createRuntime,
  type RunEvent,
  type RunStatus,
  sqliteStore,
  TERMINAL_STATUSES,
} from '../../src/index.js';
import { startScript } from '../support/child.js';
import { tempDbPath } from '../support/temp-db.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('watching runs written by another process', () => {
  it('misses nothing and repeats nothing across a reconnect with the last cursor', async () => {
    const { path, remove } = tempDbPath('watch');
    cleanups.push(remove);
    const count = 6;
    const child = startScript(fileURLToPath(new URL('./fixtures/writer.ts', import.meta.url)), [
      path,
      String(count),
    ]);
    cleanups.unshift(async () => {
      child.proc.kill();
      await child.exited;
    });
    await child.waitFor((m) => (m as { ready?: true }).ready === true);
    // The reader: a runtime with no workflows that never claims; it only opens the store.
    const store = sqliteStore(path);
    const rt = createRuntime({ store, resume: false });
    cleanups.unshift(() => rt.close());
    await rt.ready();
    const start = await store.changes.head();
    child.proc.stdin?.end('go\n');

    const seen: RunEvent[] = [];
    const completed = new Set<string>();
    let cursor = start;
    let reconnects = 0;
    while (completed.size < count) {
      // Each connection reads a few events, then drops (as a browser tab losing its stream).
      let taken = 0;
      for await (const e of rt.watch({ workflow: 'loan' }, { after: cursor, pollMs: 200 })) {
        seen.push(e);
        cursor = e.cursor;
        if (e.status === 'completed') completed.add(e.runId);
        if (++taken === 5 || completed.size === count) break;
      }
      reconnects++;
    }
    const done = (await child.waitFor((m) => (m as { done?: true }).done === true)) as {
      ids: string[];
    };
    expect(reconnects).toBeGreaterThan(3);
    expect([...completed].sort()).toEqual([...done.ids].sort());
    // Exactly the committed feed: same cursors, same order, no gap and no duplicate.
    const committed = await store.changes.read({ after: start, workflow: 'loan', limit: 10_000 });
    expect(seen.map((e) => e.cursor)).toEqual(committed.map((c) => c.cursor));
    // No run's status ever moves back from a terminal one.
    const last = new Map<string, RunStatus>();
    for (const e of seen) {
      const prev = last.get(e.runId);
      if (prev) expect(TERMINAL_STATUSES.has(prev)).toBe(false);
      if (e.status) last.set(e.runId, e.status);
    }
    expect([...last.values()].every((s) => s === 'completed')).toBe(true);
  });
});
