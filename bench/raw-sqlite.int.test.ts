import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { JOURNAL_PER_RUN, runRawSqlite, VERSIONS_PER_RUN } from './raw-sqlite.js';
import { generateApplications, oracle } from './workload.js';

const dir = mkdtempSync(join(tmpdir(), 'baton-bench-raw-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the raw SQLite limit', () => {
  it.each([1, 16])('writes every run’s rows with %i run(s) per transaction', (batch) => {
    const dbPath = join(dir, `raw-${batch}.db`);
    const r = runRawSqlite({ dbPath, runs: 40, batch, seed: 5, budgetMs: null });
    expect(r.runs).toBe(40);
    expect(r.rowsPerRun).toBe(1 + VERSIONS_PER_RUN + JOURNAL_PER_RUN);
    expect(r.payloadBytes).toBeGreaterThan(50);

    const db = new Database(dbPath, { readonly: true });
    try {
      const versions = db
        .prepare(
          "SELECT version, hash, prev_hash, payload FROM versions WHERE run_id = 'run-0000000003' ORDER BY version",
        )
        .all() as { version: number; hash: string; prev_hash: string; payload: string }[];
      expect(versions.map((v) => v.version)).toEqual([1, 2, 3, 4, 5, 6]);
      for (const v of versions) expect(v.hash).toMatch(/^[0-9a-f]{64}$/);
      // Each row links to its predecessor, as Baton's chain does.
      for (let i = 1; i < versions.length; i++)
        expect(versions[i]!.prev_hash).toBe(versions[i - 1]!.hash);
      // The last version is the real decision of application 3 of the pool.
      expect(JSON.parse(versions[5]!.payload)).toEqual(oracle(generateApplications(5, 4)[3]!));
      const journal = db.prepare('SELECT COUNT(*) AS n FROM journal').get() as { n: number };
      expect(journal.n).toBe(40 * JOURNAL_PER_RUN);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
    }
  });

  it('stops at a whole batch when the time budget runs out, and counts what it wrote', () => {
    const r = runRawSqlite({
      dbPath: join(dir, 'budget.db'),
      runs: 1_000,
      batch: 8,
      seed: 2,
      budgetMs: 0,
    });
    // A zero budget still writes the first batch (the deadline is checked before each one).
    expect(r.runs).toBe(8);
  });

  it('rejects a batch that is not a positive integer, naming it', () => {
    expect(() =>
      runRawSqlite({ dbPath: join(dir, 'bad.db'), runs: 1, batch: 0, seed: 1, budgetMs: null }),
    ).toThrow(/batch must be >= 1, got 0/);
  });
});
