import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime, sqliteStore } from '../../src/index.js';
import { startScript } from '../support/child.js';
import { tempDbPath } from '../support/temp-db.js';
import { openSideTable } from './fixtures/side-table.js';
import { applications, oracle, referenceWorkflow } from './fixtures.js';

const CHILD = fileURLToPath(new URL('./fixtures/runtime-child.ts', import.meta.url));
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function files() {
  const t = tempDbPath('durable');
  cleanups.push(t.remove);
  return { db: t.path, side: join(t.path, '..', 'side.db') };
}

/** (run, step) pairs whose versions are committed in the store file. */
function committedSteps(db: string): Set<string> {
  const conn = new Database(db, { readonly: true });
  const rows = conn
    .prepare("SELECT run_id AS runId, step FROM versions WHERE step != 'input'")
    .all() as { runId: string; step: string }[];
  conn.close();
  return new Set(rows.map((r) => `${r.runId}/${r.step}`));
}

describe('durable runs across processes (SQLite file)', () => {
  it('resumes every run after a SIGKILL without re-running committed steps', async () => {
    const { db, side } = files();
    const child = startScript(CHILD, ['crash', db, side, '200']);
    await child.waitFor((m) => (m as { type?: string }).type === 'started');
    // Kill at a random moment once some (not all) steps have committed: 1,000 steps in all.
    const target = 50 + Math.floor(Math.random() * 700);
    const reader = new Database(db, { readonly: true });
    const countCommitted = reader.prepare(
      "SELECT count(*) AS n FROM versions WHERE step != 'input'",
    );
    for (let i = 0; (countCommitted.get() as { n: number }).n < target && i < 1_000_000; i++) {
      await new Promise((r) => setImmediate(r));
    }
    child.proc.kill('SIGKILL');
    reader.close();
    const sideTable = openSideTable(side);
    const { signal } = await child.exited;
    expect(signal).toBe('SIGKILL');
    const committedBeforeKill = committedSteps(db);

    const wf = referenceWorkflow({
      hooks: { before: (step, _i, _s, ctx) => sideTable.record(ctx.runId, step, 'resume') },
    });
    const rt = createRuntime({
      store: sqliteStore(db),
      workflows: [wf],
      leaseMs: 1500,
      pollMs: 50,
    });
    const apps = applications(200, 7);
    // Runs the child had not created yet are started now, with the same keys.
    const handles = await Promise.all(
      apps.map((a, i) => rt.start(wf, a, { idempotencyKey: `run-${i}` })),
    );
    const outs = await Promise.all(handles.map((h) => h.result()));
    expect(outs).toEqual(apps.map(oracle));

    const rerun = sideTable
      .rows()
      .filter((r) => r.phase === 'resume' && committedBeforeKill.has(`${r.runId}/${r.step}`));
    expect(rerun).toEqual([]);
    expect(committedBeforeKill.size).toBeGreaterThan(0);
    for (const h of handles) {
      const v = await rt.verify(h.id);
      expect(v).toMatchObject({ ok: true, versions: 6 });
    }
    sideTable.close();
    await rt.close();
  });

  it('lets two runtimes in two processes drive 500 runs, each exactly once', async () => {
    const { db, side } = files();
    // Create the store first so the two processes do not race to migrate a new file.
    const init = sqliteStore(db);
    await init.migrate();
    await init.close();
    const a = startScript(CHILD, ['race', db, side, '500']);
    const b = startScript(CHILD, ['race', db, side, '500']);
    const [ea, eb] = await Promise.all([a.exited, b.exited]);
    expect([ea.code, eb.code], a.stderr() + b.stderr()).toEqual([0, 0]);
    expect(a.messages.at(-1)).toEqual({ type: 'done', failed: 0 });
    expect(b.messages.at(-1)).toEqual({ type: 'done', failed: 0 });

    const rt = createRuntime({ store: sqliteStore(db), resume: false });
    const runs = await rt.listRuns({ limit: 10_000 });
    expect(runs).toHaveLength(500);
    const perStep = new Map<string, number>();
    for (const r of openSideTable(side).rows())
      perStep.set(`${r.runId}/${r.step}`, (perStep.get(`${r.runId}/${r.step}`) ?? 0) + 1);
    expect([...perStep.values()].every((n) => n === 1)).toBe(true);
    expect(perStep.size).toBe(500 * 5);
    for (const run of runs) {
      expect(run.status).toBe('completed');
      expect(await rt.verify(run.runId)).toMatchObject({ ok: true, versions: 6 });
      const completions = (await rt.journal(run.runId)).filter((j) => j.type === 'run.completed');
      expect(completions).toHaveLength(1);
    }
    await rt.close();
  });
});
