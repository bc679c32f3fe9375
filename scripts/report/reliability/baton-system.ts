/**
 * The Baton side of the reliability experiment: the demo itself (`runSystem`, what `npm start`
 * runs: the five agents, human review signed off by the demo's reviewer, faults, the worker
 * crash, the retry of applications that failed during the fraud outage), then every stored run
 * read back and judged.
 */
import { type Json, sqliteStore } from 'baton-runtime';
import type {
  Application,
  RiskAssessment,
} from '../../../examples/credit-decisioning/domain/contracts.js';
import { assess } from '../../../examples/credit-decisioning/domain/logic.js';
import type { FaultLevel } from '../../../examples/credit-decisioning/system/faults.js';
import { runSystem } from '../../../examples/credit-decisioning/system/system.js';
import { WORKFLOW_NAME } from '../../../examples/credit-decisioning/system/workflow.js';
import { materialize } from '../../../src/ledger/versions.js';

/** What one run of the demo produced, judged. */
export interface BatonJudgement {
  readonly applications: number;
  /** Completed or waiting runs whose decision was checked against the oracle. */
  readonly decided: number;
  readonly wrongDecisions: number;
  /** Runs (all of them, also failed and compensated ones) whose stored rating is not the correct one. */
  readonly wrongRatings: number;
  /** Runs the crashed worker held that were never settled. */
  readonly lostInCrash: number;
  /** Applications whose last run neither completed, waits for review, nor was compensated. */
  readonly undecided: number;
  /** Ledger inconsistencies: a line booked for a run that is not a completed approval, or the reverse. */
  readonly halfFinished: number;
  readonly compensated: number;
  readonly durationMs: number;
}

async function wrongRatings(storePath: string): Promise<number> {
  const store = sqliteStore(storePath, { synchronous: 'NORMAL' });
  let wrong = 0;
  try {
    await store.migrate();
    for (const run of await store.listRuns({ workflow: WORKFLOW_NAME, limit: 1_000_000 })) {
      const versions = await store.readVersions(run.runId);
      const at = versions.findIndex((v) => v.step === 'risk');
      if (at < 0) continue;
      const state = materialize(versions.slice(0, at + 1)) as Readonly<Record<string, Json>>;
      const app = state.input as unknown as Application;
      const risk = state.risk as unknown as RiskAssessment;
      if (risk.rating !== assess(app).risk.rating) wrong++;
    }
  } finally {
    await store.close();
  }
  return wrong;
}

/** Runs the demo on a new file and judges it. */
export async function runBatonSystem(o: {
  readonly applications: number;
  readonly seed: number;
  readonly concurrency: number;
  readonly faults: FaultLevel;
  readonly storePath: string;
}): Promise<BatonJudgement> {
  const r = await runSystem({ ...o, autoReview: true });
  return {
    applications: r.applications,
    decided: r.oracle.checked + r.waitingChecked.checked,
    wrongDecisions:
      r.oracle.checked - r.oracle.agreed + (r.waitingChecked.checked - r.waitingChecked.agreed),
    wrongRatings: await wrongRatings(o.storePath),
    lostInCrash: r.crash?.lost.length ?? 0,
    undecided: r.undecided.length,
    halfFinished: r.ledger.problems.length,
    compensated: r.compensated,
    durationMs: r.durationMs,
  };
}
