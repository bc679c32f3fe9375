/**
 * The reference workload for worker tests and the workers benchmark: the five agents of
 * test/orchestrator/fixtures.ts (same contracts, same logic, same oracle), whose every execution
 * is first recorded in a side table of PostgreSQL with the worker that ran it, so tests can count
 * executions per (run, step) across processes, including processes killed with SIGKILL.
 */
import type pg from 'pg';
import { referenceWorkflow } from '../orchestrator/fixtures.js';

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
  // The reference workflow itself, with each agent's execution recorded before its work.
  return referenceWorkflow({
    hooks: { before: (step, _input, _signal, ctx) => before(ctx.runId, step) },
  });
}
