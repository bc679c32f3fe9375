import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { runNaive } from './naive/run.js';
import { reportIsCorrect } from './system/format.js';
import type { SystemReport } from './system/summary.js';
import { runSystem } from './system/system.js';

const N = 200;
const SEED = 1;
const dir = mkdtempSync(join(tmpdir(), 'credit-system-'));
const storePath = join(dir, 'baton.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the credit-decisioning system under default faults and a worker crash', () => {
  let report: SystemReport;

  it('settles every application and gets every completed decision right', async () => {
    report = await runSystem({
      applications: N,
      seed: SEED,
      concurrency: 32,
      faults: 'default',
      storePath,
      autoReview: true,
    });
    expect(report.applications).toBe(N);
    // Runs end completed, compensated, waiting, or failed at the fraud step and superseded by a
    // run started after the outage; no application is left without a settled last run.
    const statuses = Object.keys(report.byStatus);
    for (const s of statuses)
      expect(['completed', 'compensated', 'waiting', 'failed']).toContain(s);
    expect(report.undecided).toEqual([]);
    expect(report.oracle.checked).toBeGreaterThan(N / 2);
    expect(report.oracle.mismatches).toEqual([]);
    expect(report.oracle.agreed).toBe(report.oracle.checked);
    // --auto-review: every referral was signed off and checked against the reviewer's rule.
    expect(report.reviewed).toBeGreaterThan(0);
    expect(report.reviewsWaiting).toBe(0);
    expect(reportIsCorrect(report)).toBe(true);
  });

  it('keeps credit_lines consistent with the decisions, compensated runs included', () => {
    expect(report.ledger.problems).toEqual([]);
    expect(report.compensated).toBeGreaterThan(0);
    expect(report.faults.notifyFailures).toBeGreaterThan(0);
    // Read the table directly: a booked line only for a completed approval, none for any other run.
    const db = new Database(storePath, { readonly: true });
    const rows = db
      .prepare(
        `SELECT c.status AS line, r.status AS run, r.output AS output FROM credit_lines c
         LEFT JOIN runs r ON r.run_id = c.run_id`,
      )
      .all() as { line: string; run: string | null; output: string | null }[];
    const compensatedBooked = db
      .prepare(
        `SELECT COUNT(*) AS n FROM credit_lines c JOIN runs r ON r.run_id = c.run_id
         WHERE r.status = 'compensated' AND c.status = 'booked'`,
      )
      .get() as { n: number };
    db.close();
    expect(rows.length).toBe(report.ledger.booked + report.ledger.voided);
    for (const row of rows.filter((r) => r.line === 'booked')) {
      expect(row.run).toBe('completed');
      expect((JSON.parse(row.output ?? 'null') as { outcome: string }).outcome).toBe('approve');
    }
    expect(compensatedBooked.n).toBe(0);
    expect(report.outcomes.approve).toBe(report.ledger.booked);
  });

  it('opened the fraud breaker during the outage and closed it again', () => {
    const fraud = report.breakers.transitions.filter((t) =>
      t.breaker.startsWith('fraud-detection@'),
    );
    const steps = fraud.map((t) => `${t.from}->${t.to}`);
    const opened = steps.indexOf('closed->open');
    expect(opened).toBeGreaterThanOrEqual(0);
    expect(steps.indexOf('half-open->closed', opened)).toBeGreaterThan(opened);
    expect(report.retriedAfterOutage).toBeGreaterThan(0);
  });

  it('resumed every run the SIGKILLed worker child held, and lost none', () => {
    const crash = report.crash;
    expect(crash).not.toBeNull();
    if (!crash) return;
    expect(crash.signal).toBe('SIGKILL');
    expect(crash.held.length).toBeGreaterThan(0);
    // Killed mid-run: the child had committed steps of runs it had not finished.
    expect(crash.midRun).toBeGreaterThan(0);
    expect(crash.resumed).toBe(crash.held.length);
    expect(crash.lost).toEqual([]);
  });

  it('the naive architecture gets decisions wrong on the same applications', async () => {
    const naive = await runNaive({ applications: N, seed: SEED, concurrency: 16 });
    expect(naive.total).toBe(N);
    expect(naive.wrong).toBeGreaterThan(0);
  });
});
