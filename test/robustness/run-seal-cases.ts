/**
 * Row 6, shared by the SQLite and PostgreSQL tests: a run's end (status, head, output) is bound
 * to its chain, so an attacker editing the store's rows directly is caught by `verify`.
 * Each backend supplies a store factory and a raw SQL executor (`?` placeholders) that bypasses
 * Baton, as an attacker with write access to the database would.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createRuntime, type StateStore, workflow } from '../../src/index.js';
import { Num, numAgent } from './fixtures.js';

/** Raw SQL against the store's tables, bypassing Baton. */
export type RawSql = (sql: string, params: unknown[]) => Promise<Record<string, unknown>[]>;

export interface SealBackend {
  /** A fresh store (each call opens a new handle on the same database). */
  store(): StateStore;
  raw: RawSql;
  setup?(): Promise<void>;
  teardown?(): Promise<void>;
}

const ok = numAgent('ok', (n) => n * 10);
const bad = numAgent('bad', () => {
  throw new Error('refused');
});
const passes = workflow('seal-pass', { version: 1, input: Num })
  .step('a', ok.agent, { input: (s) => s.input })
  .step('b', ok.agent, { input: (s) => s.a, needs: ['a'] })
  .output((s) => ({ total: s.b }));
const fails = workflow('seal-fail', { version: 1, input: Num })
  .step('a', bad.agent, { input: (s) => s.input, policy: { retry: { maxAttempts: 1 } } })
  .output((s) => s.a);

/** Registers the cases for one backend. */
export function runSealCases(backend: SealBackend): void {
  let completed: string;
  let failed: string;

  beforeEach(async () => {
    await backend.setup?.();
    const rt = createRuntime({ store: backend.store(), workflows: [passes, fails] });
    try {
      const a = await rt.start(passes, 1);
      expect(await a.result()).toEqual({ total: 100 });
      completed = a.id;
      const b = await rt.start(fails, 1);
      await expect(b.result()).rejects.toThrow('refused');
      expect((await rt.getRun(b.id)).status).toBe('failed');
      failed = b.id;
    } finally {
      await rt.close();
    }
  });
  afterEach(async () => {
    await backend.teardown?.();
  });

  /** Verifies `runId` on a runtime that resumes nothing (a reader of the tampered store). */
  async function verify(runId: string) {
    const rt = createRuntime({ store: backend.store(), resume: false });
    try {
      return await rt.verify(runId);
    } finally {
      await rt.close();
    }
  }

  const stripSeals = async (runId: string) => {
    const rows = await backend.raw(
      'SELECT seq, detail FROM journal WHERE run_id = ? AND detail LIKE \'%"seal"%\'',
      [runId],
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      const { seal: _seal, ...rest } = JSON.parse(String(r.detail)) as Record<string, unknown>;
      const detail = Object.keys(rest).length > 0 ? JSON.stringify(rest) : null;
      await backend.raw('UPDATE journal SET detail = ? WHERE seq = ?', [detail, r.seq]);
    }
  };

  it('an untouched store verifies, both ends sealed', async () => {
    expect(await verify(completed)).toMatchObject({ ok: true, versions: 3, end: 'sealed' });
    expect(await verify(failed)).toMatchObject({ ok: true, versions: 1, end: 'sealed' });
  });

  it('(b) the last version deleted and head_version lowered is detected', async () => {
    await backend.raw('DELETE FROM versions WHERE run_id = ? AND version = 3', [completed]);
    await backend.raw('UPDATE runs SET head_version = 2 WHERE run_id = ?', [completed]);
    const result = await verify(completed);
    expect(result).toMatchObject({ ok: false, brokenAt: 3 });
    expect(result.ok ? '' : result.reason).toMatch(/sealed at version 3 but 2 versions/);
  });

  it('(c) an edited runs.output is detected', async () => {
    await backend.raw('UPDATE runs SET output = ? WHERE run_id = ?', [
      JSON.stringify({ total: 1_000_000 }),
      completed,
    ]);
    const result = await verify(completed);
    expect(result).toMatchObject({ ok: false, brokenAt: 3 });
    expect(result.ok ? '' : result.reason).toMatch(/output edited/);
  });

  it('a status edited from failed to completed is detected', async () => {
    await backend.raw("UPDATE runs SET status = 'completed' WHERE run_id = ?", [failed]);
    const result = await verify(failed);
    expect(result).toMatchObject({ ok: false });
    expect(result.ok ? '' : result.reason).toMatch(/sealed 'failed' \(status edited\)/);
  });

  it('runs ended by the previous release (no seal) verify, reported unsealed', async () => {
    await stripSeals(completed);
    await stripSeals(failed);
    expect(await verify(completed)).toMatchObject({ ok: true, versions: 3, end: 'unsealed' });
    expect(await verify(failed)).toMatchObject({ ok: true, versions: 1, end: 'unsealed' });
  });

  it('an unsealed run edited from failed to completed is still caught by its journal', async () => {
    await stripSeals(failed);
    await backend.raw("UPDATE runs SET status = 'completed' WHERE run_id = ?", [failed]);
    const result = await verify(failed);
    expect(result.ok ? '' : result.reason).toMatch(/journal last set 'failed' \(status edited\)/);
  });
}
