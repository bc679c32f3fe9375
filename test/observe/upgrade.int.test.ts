/**
 * A SQLite store written by the previous release (schema 2) opens with this code: migration 3
 * is applied, the old runs read as before (their journal entries carry no status), and new runs
 * get search attributes, shapes and the change feed.
 */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { journalParams, runParams, versionParams } from '../../src/backends/sql/sql-rows.js';
import { createRuntime, sqliteStore } from '../../src/index.js';
import { MIGRATIONS, MIGRATIONS_TABLE, MIGRATIONS_TABLE_DDL } from '../../src/ledger/migrations.js';
import { journalEntry, sampleRun } from '../../src/testing/state-store-fixtures.js';
import { tempDbPath } from '../support/temp-db.js';
import { loanWorkflow } from './fixtures/workflows.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** Writes a schema-2 store with one run, exactly as the previous release laid it out. */
function previousRelease(path: string): void {
  const db = new Database(path);
  db.exec(MIGRATIONS_TABLE_DDL.sqlite);
  for (const m of MIGRATIONS.filter((x) => x.id <= 2)) {
    for (const sql of m.sqlite) db.exec(sql);
    db.prepare(`INSERT INTO ${MIGRATIONS_TABLE} (id, name, applied_at) VALUES (?, ?, ?)`).run(
      m.id,
      m.name,
      1,
    );
  }
  const old = sampleRun('old-run', { status: 'completed', createdAt: 5 });
  db.prepare(
    'INSERT INTO runs (run_id, workflow, workflow_version, status, head_version, idempotency_key, created_at, updated_at, output, error, waiting_for, lease_owner, lease_expires_at, parent_run_id, parent_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  ).run(...runParams(old.run, 1));
  db.prepare(
    'INSERT INTO versions (run_id, version, step, kind, payload, created_by, input_version, contract, tag, created_at, trace_id, hash, prev_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  ).run(...versionParams(old.firstVersion));
  // The previous journal had no run_status column.
  db.prepare(
    'INSERT INTO journal (run_id, type, step, attempt, at, duration_ms, input_version, version, error, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  ).run(...journalParams(journalEntry('old-run', 'run.started', 5)).slice(0, 10));
  db.close();
}

describe('a store of the previous release', () => {
  it('opens, keeps its runs readable and runs new work with the new features', async () => {
    const { path, remove } = tempDbPath('upgrade');
    cleanups.push(remove);
    previousRelease(path);
    const rt = createRuntime({ store: sqliteStore(path) });
    cleanups.unshift(() => rt.close());
    await rt.ready();
    expect((await rt.getRun('old-run')).status).toBe('completed');
    expect((await rt.journal('old-run')).map((j) => [j.type, j.runStatus ?? null])).toEqual([
      ['run.started', null],
    ]);
    // Ended before runs were sealed: it verifies, and says its end is not sealed (issue 19 row 6).
    expect(await rt.verify('old-run')).toMatchObject({ ok: true, end: 'unsealed' });
    const run = await rt.start(loanWorkflow(), { applicant: 'new', amount: 1, product: 'p' });
    await run.result();
    expect(await rt.verify(run.id)).toMatchObject({ ok: true, end: 'sealed' });
    expect((await rt.listRuns({ where: { applicant: 'new' } })).map((r) => r.runId)).toEqual([
      run.id,
    ]);
    expect((await rt.workflowShapes()).map((s) => s.name)).toEqual(['loan']);
    const events = [];
    for await (const e of rt.watch(run.id)) events.push(e);
    expect(events.at(-1)?.status).toBe('completed');
  });
});
