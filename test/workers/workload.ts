/**
 * The reference workload for worker tests and the workers benchmark: the five agents of
 * test/orchestrator/fixtures.ts (same contracts, same logic, same oracle), whose every execution
 * is first recorded in a side table of PostgreSQL with the worker that ran it, so tests can count
 * executions per (run, step) across processes, including processes killed with SIGKILL.
 */
import type pg from 'pg';
import { agent, type Policy, workflow } from '../../src/index.js';
import {
  type App,
  Application,
  Decision,
  DecisionIn,
  Fraud,
  flaggedOf,
  Income,
  outcomeOf,
  Risk,
  RiskIn,
  ratingOf,
  Score,
  scoreOf,
  verifiedOf,
} from '../orchestrator/fixtures.js';

/** The five steps, in no particular order. */
export const STEPS = ['score', 'income', 'fraud', 'risk', 'decision'] as const;

/** DDL of the side table counting agent executions. */
export function executionsDdl(schema: string): string {
  return `CREATE TABLE IF NOT EXISTS ${schema}.executions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id TEXT NOT NULL,
    step TEXT NOT NULL,
    worker TEXT NOT NULL,
    started_at BIGINT NOT NULL
  )`;
}

/** What each agent does before its work. */
export interface WorkloadOptions {
  /** Simulated I/O per agent call (an LLM or HTTP call); 0 for trivial agents. */
  readonly ioMs: number;
  /** Where executions are recorded (none when absent). */
  readonly record?: { readonly pool: pg.Pool; readonly schema: string; readonly worker: string };
}

/** Builds the counting reference workflow ('reference' version 1). */
export function workerWorkflow(o: WorkloadOptions) {
  const before = async (runId: string, step: string) => {
    if (o.record) {
      // Recorded before the work, and awaited: an execution killed mid-way is still counted.
      await o.record.pool.query(
        `INSERT INTO ${o.record.schema}.executions (run_id, step, worker, started_at)
         VALUES ($1, $2, $3, $4)`,
        [runId, step, o.record.worker, Date.now()],
      );
    }
    if (o.ioMs > 0) await new Promise((r) => setTimeout(r, o.ioMs));
  };
  const policy: Policy & { onFailure?: 'fail' } = { retry: { maxAttempts: 1 } };
  const score = agent({
    name: 'score',
    version: '1.0.0',
    input: Application,
    output: Score,
    policy,
    execute: async (a, ctx) => {
      await before(ctx.runId, 'score');
      return { score: scoreOf(a as App) };
    },
  });
  const income = agent({
    name: 'income',
    version: '1.0.0',
    input: Application,
    output: Income,
    policy,
    execute: async (a, ctx) => {
      await before(ctx.runId, 'income');
      return { verified: verifiedOf(a as App) };
    },
  });
  const fraud = agent({
    name: 'fraud',
    version: '1.0.0',
    input: Application,
    output: Fraud,
    policy,
    execute: async (a, ctx) => {
      await before(ctx.runId, 'fraud');
      return { flagged: flaggedOf(a as App) };
    },
  });
  const risk = agent({
    name: 'risk',
    version: '1.0.0',
    input: RiskIn,
    output: Risk,
    policy,
    execute: async (r, ctx) => {
      await before(ctx.runId, 'risk');
      return { rating: ratingOf(r.score, r.verified, r.debt) };
    },
  });
  const decision = agent({
    name: 'decision',
    version: '1.0.0',
    input: DecisionIn,
    output: Decision,
    policy,
    execute: async (d, ctx) => {
      await before(ctx.runId, 'decision');
      return { outcome: outcomeOf(d.rating, d.flagged) };
    },
  });
  return workflow('reference', { version: 1, input: Application })
    .step('score', score, { input: (s) => s.input })
    .step('income', income, { input: (s) => s.input })
    .step('fraud', fraud, { input: (s) => s.input })
    .step('risk', risk, {
      needs: ['score', 'income'],
      input: (s) => ({ score: s.score.score, verified: s.income.verified, debt: s.input.debt }),
    })
    .step('decision', decision, {
      needs: ['risk', 'fraud'],
      input: (s) => ({ rating: s.risk.rating, flagged: s.fraud.flagged }),
    })
    .output((s) => s.decision);
}
