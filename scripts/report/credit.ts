/**
 * The reference system's agents (examples/credit-decisioning/system/agents.ts) in the workflow
 * the report's experiments run: score, income and fraud in parallel; risk; final approval (which
 * books a credit line, compensated by voiding it); notify. It is the demo's workflow without the
 * human-review step, so every run ends by itself (completed, failed or compensated) and a run's
 * result can be awaited; variants swap an agent, override a step's policy or drop compensation.
 *
 * Invariants:
 * - No agent logic lives here: every agent is the demo's, or the demo's with one field changed
 *   (a version and an execute for the planted bugs, or no `compensate`).
 * - A completed run's output must equal {@link expectedOutput}: the oracle's decision.
 */
import {
  agent,
  createRuntime,
  type Policy,
  type Runtime,
  type StateStore,
  sqliteStore,
  type Workflow,
  workflow,
} from 'baton-runtime';
import type { Application } from '../../examples/credit-decisioning/domain/contracts.js';
import { oracle } from '../../examples/credit-decisioning/domain/logic.js';
import { type AgentDeps, createAgents } from '../../examples/credit-decisioning/system/agents.js';
import {
  Application as ApplicationContract,
  type FinalDecision,
} from '../../examples/credit-decisioning/system/contracts.js';
import type { Faults } from '../../examples/credit-decisioning/system/faults.js';
import { type Ledger, openLedger } from '../../examples/credit-decisioning/system/ledger.js';
import { pool } from './stats.js';

/** The demo's agents. */
export type CreditAgents = ReturnType<typeof createAgents>;

/** The steps of the report's workflow. */
export type CreditStep = 'score' | 'income' | 'fraud' | 'risk' | 'decision' | 'notify';

/** How a variant differs from the demo's wiring. */
export interface CreditVariant {
  /** Workflow name (default `credit-decision`). */
  readonly name?: string;
  readonly version?: number;
  /** Agents to use instead of the demo's for the same steps. */
  readonly agents?: Partial<Pick<CreditAgents, 'risk' | 'approval'>>;
  /** Step-level policies, layered over the agents' own (never `onFailure`: slots keep their type). */
  readonly policies?: Partial<Record<CreditStep, StepPolicy>>;
  /** false: final approval without `compensate` (a workflow with no saga). */
  readonly compensate?: boolean;
}

/** A step-level policy that leaves the step's failure handling (and its slot's type) alone. */
export type StepPolicy = Omit<Policy, 'onFailure'>;

/** The workflow name the experiments use by default. */
export const CREDIT_WORKFLOW = 'credit-decision';

const opt = (v: CreditVariant, step: CreditStep): { policy?: StepPolicy } => {
  const policy = v.policies?.[step];
  return policy ? { policy } : {};
};

/** Builds the report's credit workflow over one process's agents. */
export function creditWorkflow(deps: AgentDeps, v: CreditVariant = {}) {
  const a = { ...createAgents(deps), ...v.agents };
  const approval =
    v.compensate === false ? agent({ ...a.approval, compensate: undefined }) : a.approval;
  return workflow(v.name ?? CREDIT_WORKFLOW, {
    version: v.version ?? 1,
    input: ApplicationContract,
  })
    .step('score', a.score, { input: (s) => s.input, ...opt(v, 'score') })
    .step('income', a.income, { input: (s) => s.input, ...opt(v, 'income') })
    .step('fraud', a.fraud, { input: (s) => s.input, ...opt(v, 'fraud') })
    .step('risk', a.risk, {
      needs: ['score', 'income'],
      input: (s) => ({ application: s.input, score: s.score, income: s.income }),
      ...opt(v, 'risk'),
    })
    .step('decision', approval, {
      needs: ['risk', 'fraud'],
      input: (s) => ({ application: s.input, risk: s.risk, fraud: s.fraud }),
      ...opt(v, 'decision'),
    })
    .step('notify', a.notify, {
      needs: ['decision'],
      input: (s) => ({
        applicantId: s.decision.applicantId,
        outcome: s.decision.outcome,
        approvedAmount: s.decision.approvedAmount,
        rate: s.decision.rate,
        reviewed: false,
      }),
      ...opt(v, 'notify'),
    })
    .output((s) => s.notify);
}

/** The report's credit workflow type. */
export type CreditWorkflow = ReturnType<typeof creditWorkflow>;

/** The correct output of a completed run: the oracle's decision, delivered. */
export function expectedOutput(app: Application): FinalDecision {
  const d = oracle(app);
  return {
    applicantId: app.applicantId,
    outcome: d.outcome,
    approvedAmount: d.approvedAmount,
    rate: d.rate,
    reviewed: false,
  };
}

/** True when a run's output is the oracle's decision. */
export function isRight(app: Application, output: unknown): boolean {
  const o = output as Partial<FinalDecision> | null;
  const want = expectedOutput(app);
  return (
    o !== null &&
    o.applicantId === want.applicantId &&
    o.outcome === want.outcome &&
    o.approvedAmount === want.approvedAmount &&
    o.rate === want.rate
  );
}

/** A credit system on one SQLite file: Baton's store, the lender's ledger, the workflows. */
export interface CreditSystem<W> {
  readonly rt: Runtime;
  /** The runtime's store (for its records: breaker transitions). */
  readonly store: StateStore;
  readonly ledger: Ledger;
  readonly workflows: W;
  close(): Promise<void>;
}

/**
 * Opens Baton's store and the ledger tables in one SQLite file (synchronous NORMAL, as the demo
 * runs), builds the workflows over agents using `faults` and that ledger, and a runtime.
 */
export async function openCreditSystem<W extends Record<string, Workflow<Application, unknown>>>(
  path: string,
  faults: Faults,
  build: (deps: AgentDeps) => W,
  options: { readonly concurrency?: number; readonly resume?: boolean } = {},
): Promise<CreditSystem<W>> {
  const store = sqliteStore(path, { synchronous: 'NORMAL' });
  // Baton's tables first: a Baton store refuses a file that holds only other tables.
  await store.migrate();
  const ledger = openLedger(path);
  const workflows = build({ faults, ledger });
  const rt = createRuntime({
    store,
    workflows: Object.values(workflows),
    concurrency: options.concurrency ?? 64,
    resume: options.resume ?? true,
  });
  await rt.ready();
  return {
    rt,
    store,
    ledger,
    workflows,
    async close() {
      await rt.close();
      ledger.close();
    },
  };
}

/** A fault hook that injects nothing and adds no latency: the agents are pure logic. */
export const NO_FAULTS: Faults = {
  before: async () => undefined,
  stats: () => ({ incomeFailures: 0, fraudDownCalls: 0, notifyFailures: 0, fraudOutage: null }),
};

/** One application's run. */
export interface StartedRun {
  readonly runId: string;
  readonly app: Application;
}

/**
 * Starts a run per application, `concurrency` in flight, and waits for each to end (a failed
 * or compensated run ends too: its rejection is the outcome, read back from the store later).
 */
export async function decideAll(
  rt: Runtime,
  wf: Workflow<Application, unknown>,
  apps: readonly Application[],
  concurrency: number,
): Promise<StartedRun[]> {
  const runs: StartedRun[] = new Array(apps.length);
  await pool(apps, concurrency, async (app, i) => {
    const h = await rt.start(wf, app);
    runs[i] = { runId: h.id, app };
    await h.result().catch(() => undefined);
  });
  return runs;
}
