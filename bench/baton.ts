/**
 * The reference workload on Baton: five agents with zod contracts on every handoff, a
 * workflow with score/income/fraud in parallel, risk after score and income, decision after
 * risk and fraud; `memoryStore()` for the no-persistence lines, `sqliteStore(file)` with
 * synchronous=FULL for the durable ones.
 *
 * Baton is loaded through a dynamic import checked against `BatonApi` (the API of DESIGN.md),
 * so the bench compiles and its LangGraph and raw lines run while the orchestrator is still
 * being written; `batonAvailability()` says what is missing. Once `createRuntime` and
 * `sqliteStore` are exported from src/index.ts, this can become a static import unchanged.
 *
 * Invariants:
 * - Agents call exactly the same step functions as the LangGraph nodes (bench/workload.ts).
 * - Every agent has an input and an output contract, so Baton validates every handoff; the
 *   bench measures Baton doing that work, never a shortcut around it.
 */
import Database from 'better-sqlite3';
import { z } from 'zod';
import type { BenchImpl, ImplOptions } from './impl.js';
import type { App, Decision } from './workload.js';
import { stepFns } from './workload.js';

/** The slice of Baton's public API the bench uses (names and shapes from DESIGN.md). */
export interface BatonApi {
  contract(id: string, schema: z.ZodType): unknown;
  agent(def: {
    name: string;
    version: string;
    input: unknown;
    output: unknown;
    execute: (input: never) => Promise<unknown>;
  }): unknown;
  workflow(name: string, options: { version: number; input: unknown }): WorkflowBuilderApi;
  createRuntime(options: { store: unknown; workflows: readonly unknown[] }): RuntimeApi;
  memoryStore(): unknown;
  sqliteStore(path: string, options?: { synchronous?: 'FULL' | 'NORMAL' }): unknown;
}

/** Builder methods the bench calls. */
export interface WorkflowBuilderApi {
  step(
    name: string,
    agent: unknown,
    options: { needs?: readonly string[]; input: (s: BenchStateView) => unknown },
  ): WorkflowBuilderApi;
  output(select: (s: BenchStateView) => unknown): unknown;
}

/** The state a selector sees in the bench workflow. */
export interface BenchStateView {
  readonly input: App;
  readonly score: unknown;
  readonly income: unknown;
  readonly fraud: unknown;
  readonly risk: unknown;
  readonly decision: unknown;
}

/** Runtime methods the bench calls. */
export interface RuntimeApi {
  start(workflow: unknown, input: App): Promise<{ id: string; result(): Promise<unknown> }>;
  ready?(): Promise<void>;
  close(): Promise<void>;
}

const REQUIRED = [
  'contract',
  'agent',
  'workflow',
  'createRuntime',
  'memoryStore',
  'sqliteStore',
] as const;

/** Loads Baton's public API, or says which exports are still missing. */
export async function batonAvailability(): Promise<
  { ok: true; api: BatonApi } | { ok: false; missing: string[] }
> {
  const mod = (await import('../src/index.js')) as Record<string, unknown>;
  const missing = REQUIRED.filter((name) => typeof mod[name] !== 'function');
  if (missing.length > 0) return { ok: false, missing };
  return { ok: true, api: mod as unknown as BatonApi };
}

const AppSchema = z.object({
  id: z.string(),
  age: z.number().int(),
  annualIncome: z.number().int(),
  declaredIncome: z.number().int(),
  requestedAmount: z.number().int(),
  historyMonths: z.number().int(),
  missedPayments: z.number().int(),
  accountAgeDays: z.number().int(),
  ipRisk: z.number().int(),
  deviceMismatch: z.boolean(),
});
const ScoreSchema = z.object({ score: z.number().int().min(300).max(850), band: z.string() });
const IncomeSchema = z.object({
  verified: z.boolean(),
  monthlyIncome: z.number().int(),
  debtRatio: z.number().int(),
});
const FraudSchema = z.object({ flagged: z.boolean(), fraudScore: z.number().int() });
const RiskSchema = z.object({
  rating: z.enum(['A', 'B', 'C', 'D']),
  defaultBps: z.number().int(),
  basis: z.number().int(),
});
const DecisionSchema = z.object({
  applicationId: z.string(),
  approved: z.boolean(),
  rateBps: z.number().int(),
  reason: z.string(),
  check: z.number().int(),
});

function buildWorkflow(api: BatonApi, options: ImplOptions): unknown {
  const fns = stepFns(options.mode);
  const c = {
    app: api.contract('bench.application@1', AppSchema),
    score: api.contract('bench.score@1', ScoreSchema),
    income: api.contract('bench.income@1', IncomeSchema),
    fraud: api.contract('bench.fraud@1', FraudSchema),
    riskIn: api.contract(
      'bench.risk-input@1',
      z.object({ score: ScoreSchema, income: IncomeSchema }),
    ),
    risk: api.contract('bench.risk@1', RiskSchema),
    decisionIn: api.contract(
      'bench.decision-input@1',
      z.object({ applicationId: z.string(), risk: RiskSchema, fraud: FraudSchema }),
    ),
    decision: api.contract('bench.decision@1', DecisionSchema),
  };
  const def = (
    name: string,
    input: unknown,
    output: unknown,
    execute: (i: never) => Promise<unknown>,
  ) => api.agent({ name, version: '1.0.0', input, output, execute });
  const score = def('credit-score', c.app, c.score, fns.score);
  const income = def('income-verification', c.app, c.income, fns.income);
  const fraud = def('fraud-detection', c.app, c.fraud, fns.fraud);
  const risk = def('risk-assessment', c.riskIn, c.risk, fns.risk);
  const decision = def('final-approval', c.decisionIn, c.decision, fns.decision);
  return api
    .workflow('bench', { version: 1, input: c.app })
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

/**
 * Builds the Baton implementation on `memoryStore()` (dbPath null) or `sqliteStore(dbPath)`.
 * @throws Error naming the missing exports while the orchestrator is not exported yet.
 */
export async function createBatonImpl(options: ImplOptions): Promise<BenchImpl> {
  const availability = await batonAvailability();
  if (!availability.ok) {
    throw new Error(
      `Baton is not runnable yet: src/index.ts does not export ${availability.missing.join(', ')}`,
    );
  }
  const { api } = availability;
  const wf = buildWorkflow(api, options);
  const store =
    options.dbPath === null
      ? api.memoryStore()
      : api.sqliteStore(options.dbPath, { synchronous: 'FULL' });
  const rt = api.createRuntime({ store, workflows: [wf] });
  await rt.ready?.();
  return {
    label: options.dbPath === null ? 'baton memoryStore' : 'baton sqliteStore (synchronous=FULL)',
    async run(app) {
      const handle = await rt.start(wf, app);
      return (await handle.result()) as Decision;
    },
    async close() {
      // The runtime closes its store.
      await rt.close();
    },
    verifyStored(dbPath, runs) {
      verifyBatonFile(dbPath, runs);
    },
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
      .get() as {
      n: number;
    };
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
