import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { generateApplications } from '../domain/generate.js';
import { creditScore, oracle } from '../domain/logic.js';
import { formatNaiveReport } from './report.js';
import { type NaiveResult, runNaive } from './run.js';

const SEED = 1;
const N = 200;
const dir = mkdtempSync(join(tmpdir(), 'naive-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Wrong decisions may only come from a rating computed on a score that is not the final one. */
function expectOnlyStaleReadsAreWrong(r: NaiveResult): void {
  const apps = generateApplications(N, SEED);
  r.decisions.forEach((d, i) => {
    const app = apps[i]!;
    expect(d.applicantId).toBe(app.applicantId);
    // The final stored score is the correct one, and each agent's logic is the oracle's.
    expect(d.finalScore).toBe(creditScore(app).score);
    expect(d.oracle).toEqual(oracle(app));
    if (d.wrong) expect(d.risk.creditScore, d.applicantId).not.toBe(d.finalScore);
    if (d.risk.creditScore === d.finalScore) expect(d.decision).toEqual(d.oracle);
  });
}

describe('the naive architecture', () => {
  it('makes wrong decisions, each from a rating computed on a stale score', async () => {
    const dbPath = join(dir, 'customers.db');
    const r = await runNaive({ applications: N, seed: SEED, concurrency: 16, dbPath });
    expect(r.total).toBe(N);
    expect(r.wrong).toBeGreaterThan(0);
    expect(r.wrongRate).toBe(r.wrong / N);
    expect(r.decisions.filter((d) => d.wrong)).toHaveLength(r.wrong);
    expectOnlyStaleReadsAreWrong(r);
    // The cache is what served most of them: the database already held the refined score.
    expect(r.staleCacheReads).toBeGreaterThan(0);
    expect(r.decisions.some((d) => d.wrong && d.read.scoreInDatabase === d.finalScore)).toBe(true);
    for (const e of r.examples) expect(e.staleScore).not.toBe(e.freshScore);
    expect(formatNaiveReport(r, 1000)).toContain(`wrong decisions      ${r.wrong} (`);

    // The evidence is in the database itself: the stored rating names the score it used.
    const db = new Database(dbPath, { readonly: true });
    const rows = db
      .prepare('SELECT applicant_id, credit_score, score_stage, risk FROM customers')
      .all() as { applicant_id: string; credit_score: number; score_stage: string; risk: string }[];
    db.close();
    expect(rows).toHaveLength(N);
    expect(rows.every((row) => row.score_stage === 'final')).toBe(true);
    const staleRows = rows.filter(
      (row) => (JSON.parse(row.risk) as { creditScore: number }).creditScore !== row.credit_score,
    );
    const wrongIds = new Set(r.decisions.filter((d) => d.wrong).map((d) => d.applicantId));
    for (const id of wrongIds) expect(staleRows.map((row) => row.applicant_id)).toContain(id);
  });

  it('never serves a replaced score without the cache, and is still only wrong on early reads', async () => {
    const r = await runNaive({ applications: N, seed: SEED, concurrency: 16, cacheTtlMs: 0 });
    expect(r.staleCacheReads).toBe(0);
    expect(r.cache.hits).toBe(0);
    expectOnlyStaleReadsAreWrong(r);
  });

  it('rejects bad options and an existing database file, naming the value', async () => {
    await expect(runNaive({ applications: -1, seed: 1, concurrency: 1 })).rejects.toThrow(/-1/);
    await expect(runNaive({ applications: 1, seed: 1, concurrency: 0 })).rejects.toThrow(
      /concurrency .* got 0/,
    );
    const taken = join(dir, 'taken.db');
    await runNaive({ applications: 1, seed: 1, concurrency: 1, dbPath: taken });
    expect(existsSync(taken)).toBe(true);
    await expect(
      runNaive({ applications: 1, seed: 1, concurrency: 1, dbPath: taken }),
    ).rejects.toThrow(/already exists/);
  });
});
