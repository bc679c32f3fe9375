/**
 * The reference workload on Baton: five agents with zod contracts on every handoff, a
 * workflow with score/income/fraud in parallel, risk after score and income, decision after
 * risk and fraud; `memoryStore()` for the no-persistence lines, `sqliteStore(file)` with
 * synchronous=FULL for the durable ones.
 *
 * Invariants:
 * - Agents call exactly the same step functions as the LangGraph nodes (bench/workload.ts).
 * - Every agent has an input and an output contract, so Baton validates every handoff; the
 *   bench measures Baton doing that work, never a shortcut around it.
 */
import Database from 'better-sqlite3';
import { z } from 'zod';
import {
  agent,
  contract,
  createRuntime,
  memoryStore,
  sqliteStore,
  workflow,
} from '../src/index.js';
import type { BenchImpl, ImplOptions } from './impl.js';
import { stepFns } from './workload.js';
import {
  AppSchema,
  DecisionSchema,
  FraudSchema,
  IncomeSchema,
  RiskSchema,
  ScoreSchema,
} from './workload-schemas.js';

function buildWorkflow(options: ImplOptions) {
  const fns = stepFns(options.mode);
  const App = contract('bench.application@1', AppSchema);
  const riskIn = contract(
    'bench.risk-input@1',
    z.object({ score: ScoreSchema, income: IncomeSchema }),
  );
  const decisionIn = contract(
    'bench.decision-input@1',
    z.object({ applicationId: z.string(), risk: RiskSchema, fraud: FraudSchema }),
  );
  const v = '1.0.0';
  const score = agent({
    name: 'credit-score',
    version: v,
    input: App,
    output: contract('bench.score@1', ScoreSchema),
    execute: fns.score,
  });
  const income = agent({
    name: 'income-verification',
    version: v,
    input: App,
    output: contract('bench.income@1', IncomeSchema),
    execute: fns.income,
  });
  const fraud = agent({
    name: 'fraud-detection',
    version: v,
    input: App,
    output: contract('bench.fraud@1', FraudSchema),
    execute: fns.fraud,
  });
  const risk = agent({
    name: 'risk-assessment',
    version: v,
    input: riskIn,
    output: contract('bench.risk@1', RiskSchema),
    execute: fns.risk,
  });
  const decision = agent({
    name: 'final-approval',
    version: v,
    input: decisionIn,
    output: contract('bench.decision@1', DecisionSchema),
    execute: fns.decision,
  });
  return workflow('bench', { version: 1, input: App })
    .step('score', score, { input: (s) => s.input })
    .step('income', income, { input: (s) => s.input })
    .step('fraud', fraud, { input: (s) => s.input })
    .step('risk', risk, {
      needs: ['score', 'income'],
      input: (s) => ({ score: s.score, income: s.income }),
    })
    .step('decision', decision, {
      needs: ['risk', 'fraud'],
      input: (s) => ({ applicationId: s.input.id, risk: s.risk, fraud: s.fraud }),
    })
    .output((s) => s.decision);
}

/** Builds the Baton implementation on `memoryStore()` (dbPath null) or `sqliteStore(dbPath)`. */
export async function createBatonImpl(options: ImplOptions): Promise<BenchImpl> {
  const wf = buildWorkflow(options);
  const store =
    options.dbPath === null
      ? memoryStore()
      : sqliteStore(options.dbPath, { synchronous: 'FULL', fsync: 'background' });
  const rt = createRuntime({ store, workflows: [wf] });
  await rt.ready();
  return {
    label:
      options.dbPath === null
        ? 'baton memoryStore'
        : 'baton sqliteStore (synchronous=FULL: WAL fsynced before every ack, on the thread pool)',
    async run(app) {
      const handle = await rt.start(wf, app);
      return handle.result();
    },
    async close() {
      // The runtime closes its store.
      await rt.close();
    },
    verifyStored: verifyBatonFile,
  };
}

/**
 * Checks the SQLite ledger holds every run completed with its 6 versions (input + 5 steps).
 * @throws Error when any run or version is missing.
 */
export function verifyBatonFile(dbPath: string, runs: number): void {
  const db = new Database(dbPath, { readonly: true });
  try {
    const completed = db
      .prepare("SELECT COUNT(*) AS n FROM runs WHERE status = 'completed'")
      .get() as { n: number };
    const versions = db.prepare('SELECT COUNT(*) AS n FROM versions').get() as { n: number };
    if (completed.n !== runs || versions.n !== runs * 6) {
      throw new Error(
        `baton ledger ${dbPath}: ${completed.n} completed runs and ${versions.n} versions, expected ${runs} and ${runs * 6}`,
      );
    }
  } finally {
    db.close();
  }
}
