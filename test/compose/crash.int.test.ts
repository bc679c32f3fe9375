import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime, sqliteStore } from '../../src/index.js';
import { startScript } from '../support/child.js';
import { tempDbPath } from '../support/temp-db.js';
import { calls, childFlow, fanOutFlow } from './fixtures.js';

const CHILD = fileURLToPath(new URL('./fixtures/fan-out-child.ts', import.meta.url));
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('child workflows across a crash (SQLite file)', () => {
  it('resumes a parent killed mid-fan-out: each child started once, outputs collected once', async () => {
    const t = tempDbPath('compose-crash');
    cleanups.push(t.remove);
    const count = 60;
    const proc = startScript(CHILD, [t.path, String(count)]);
    const started = (await proc.waitFor((m) => (m as { type?: string }).type === 'started')) as {
      runId: string;
    };
    // Kill once some (not all) children have completed.
    const reader = new Database(t.path, { readonly: true });
    const done = reader.prepare(
      "SELECT count(*) AS n FROM runs WHERE run_id LIKE ? AND status = 'completed'",
    );
    const completed = () => (done.get(`${started.runId}.each.%`) as { n: number }).n;
    for (let i = 0; completed() < 8 && i < 1_000_000; i++) {
      await new Promise((r) => setImmediate(r));
    }
    proc.proc.kill('SIGKILL');
    const { signal } = await proc.exited;
    expect(signal).toBe('SIGKILL');
    const completedBeforeKill = completed();
    reader.close();
    expect(completedBeforeKill).toBeGreaterThan(0);
    expect(completedBeforeKill).toBeLessThan(count);

    const wf = fanOutFlow(childFlow(calls()), 4);
    const rt = createRuntime({
      store: sqliteStore(t.path),
      workflows: [wf],
      leaseMs: 1000,
      pollMs: 50,
    });
    const handle = await rt.handle(started.runId);
    const out = await handle.result();
    expect(out).toEqual(Array.from({ length: count }, (_, i) => i * 2));

    const kids = await rt.children(started.runId);
    expect(kids.map((k) => k.runId)).toEqual(
      Array.from({ length: count }, (_, i) => `${started.runId}.each.${i}`),
    );
    for (const k of kids) {
      expect(k.status).toBe('completed');
      const starts = (await rt.journal(k.runId)).filter((j) => j.type === 'run.started');
      expect(starts).toHaveLength(1);
    }
    const slots = (await rt.history(started.runId)).filter((v) => v.step === 'each');
    expect(slots).toHaveLength(1);
    expect(await rt.verify(started.runId)).toMatchObject({ ok: true });
    await rt.close();
  });
});
