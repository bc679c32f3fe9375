/**
 * The reference workload on Mastra workflows (`@mastra/core` 1.x, Node >= 22.13): five steps
 * with zod input and output schemas; score, income and fraud in `.parallel`, then risk, then
 * decision. Runs without storage (a workflow not registered on a `Mastra` instance: nothing is
 * persisted), or registered on a `Mastra` with `LibSQLStore` on a file (a snapshot of the run,
 * upserted by run id, written as the run progresses). Measured with strace, its commits are
 * fsynced while the process is cold and almost never once warm (bench/README.md).
 *
 * It runs only on Node 24 in the second install (bench/mastra-setup.ts): the root package does
 * not depend on @mastra/core, so the packages are imported through specifiers TypeScript does not
 * resolve, typed by the few members used here.
 *
 * Invariants:
 * - Steps call exactly the same step functions as Baton's agents (bench/workload.ts).
 * - Mastra's `.parallel` joins all its branches, so risk starts once score, income and fraud are
 *   all done (the DAG needs only score and income); decision reads fraud's result with
 *   `getStepResult` and the application id with `getInitData`. In `trivial` mode the extra wait
 *   changes nothing.
 * - Mastra validates each step's input against its schema (`validateInputs`, on by default).
 */
import Database from 'better-sqlite3';
import { z } from 'zod';
import type { BenchImpl, ImplOptions } from '../impl.js';
import type { App, Decision, Fraud } from '../workload.js';
import { stepFns } from '../workload.js';
import {
  AppSchema,
  DecisionSchema,
  FraudSchema,
  IncomeSchema,
  RiskSchema,
  ScoreSchema,
} from '../workload-schemas.js';

/** What a step's `execute` receives (the members used here). */
interface StepContext {
  readonly inputData: unknown;
  getStepResult(stepId: string): unknown;
  getInitData(): unknown;
}

interface StepConfig {
  readonly id: string;
  readonly inputSchema: z.ZodType;
  readonly outputSchema: z.ZodType;
  readonly execute: (ctx: StepContext) => Promise<unknown>;
}

type MastraStep = { readonly id: string };

interface WorkflowBuilder {
  parallel(steps: MastraStep[]): WorkflowBuilder;
  then(step: MastraStep): WorkflowBuilder;
  commit(): MastraWorkflow;
}

interface RunResult {
  readonly status: string;
  readonly result?: unknown;
  readonly error?: unknown;
}

interface MastraWorkflow {
  createRun(options?: { runId?: string }): Promise<{
    start(args: { inputData: unknown }): Promise<RunResult>;
  }>;
}

interface WorkflowsModule {
  createStep(config: StepConfig): MastraStep;
  createWorkflow(config: {
    id: string;
    inputSchema: z.ZodType;
    outputSchema: z.ZodType;
  }): WorkflowBuilder;
}

interface MastraModule {
  Mastra: new (config: {
    workflows: Record<string, MastraWorkflow>;
    storage?: unknown;
    logger?: false;
  }) => { getWorkflow(id: string): MastraWorkflow };
}

interface LibSqlStore {
  init(): Promise<void>;
  close(): Promise<void>;
  /** TypeScript-private in @mastra/libsql, reachable at run time: the store's libsql client. */
  readonly client?: { execute(sql: string): Promise<{ rows: readonly Record<string, unknown>[] }> };
}

/** How the Mastra side persists on durable lines. */
export interface MastraStoreOptions {
  /**
   * 'FULL': after `init`, set `synchronous=FULL` on the store's idle connection, the one its
   * workflows domain set to NORMAL (the pool opens any other connection at SQLite's default,
   * FULL), so every commit is fsynced like Baton's. Absent: LibSQLStore as configured by default.
   */
  readonly synchronous?: 'FULL';
}

interface LibSqlModule {
  LibSQLStore: new (config: { id: string; url: string }) => LibSqlStore;
}

// Held in variables so TypeScript does not resolve them (the root install lacks them).
const WORKFLOWS: string = '@mastra/core/workflows';
const MASTRA: string = '@mastra/core/mastra';
const LIBSQL: string = '@mastra/libsql';

/** The table LibSQLStore keeps workflow run snapshots in. */
export const SNAPSHOT_TABLE = 'mastra_workflow_snapshot';

const RiskInput = z.object({ score: ScoreSchema, income: IncomeSchema });

function buildWorkflow(m: WorkflowsModule, options: ImplOptions): MastraWorkflow {
  const fns = stepFns(options.mode);
  const fromApp = (id: string, outputSchema: z.ZodType, fn: (app: App) => Promise<unknown>) =>
    m.createStep({
      id,
      inputSchema: AppSchema,
      outputSchema,
      execute: ({ inputData }) => fn(inputData as App),
    });
  const score = fromApp('score', ScoreSchema, fns.score);
  const income = fromApp('income', IncomeSchema, fns.income);
  const fraud = fromApp('fraud', FraudSchema, fns.fraud);
  const risk = m.createStep({
    id: 'risk',
    inputSchema: z.object({ score: ScoreSchema, income: IncomeSchema, fraud: FraudSchema }),
    outputSchema: RiskSchema,
    execute: ({ inputData }) => {
      const joined = inputData as z.infer<typeof RiskInput>;
      return fns.risk({ score: joined.score, income: joined.income });
    },
  });
  const decision = m.createStep({
    id: 'decision',
    inputSchema: RiskSchema,
    outputSchema: DecisionSchema,
    execute: ({ inputData, getStepResult, getInitData }) =>
      fns.decision({
        applicationId: (getInitData() as App).id,
        risk: inputData as z.infer<typeof RiskSchema>,
        fraud: getStepResult('fraud') as Fraud,
      }),
  });
  return m
    .createWorkflow({ id: 'bench', inputSchema: AppSchema, outputSchema: DecisionSchema })
    .parallel([score, income, fraud])
    .then(risk)
    .then(decision)
    .commit();
}

/**
 * Sets `synchronous=FULL` on the store's idle connection and reads it back.
 * @throws Error when the store exposes no client or the setting does not hold.
 */
async function syncFull(store: LibSqlStore): Promise<void> {
  const client = store.client;
  if (client === undefined) throw new Error('LibSQLStore exposes no client: cannot set FULL');
  await client.execute('PRAGMA synchronous = FULL');
  const { rows } = await client.execute('PRAGMA synchronous');
  if (rows[0]?.synchronous !== 2) {
    throw new Error(`LibSQLStore: synchronous reads ${JSON.stringify(rows)} after setting FULL`);
  }
}

/**
 * Builds the Mastra implementation: a bare workflow (nothing persisted) when `dbPath` is null,
 * else registered on a `Mastra` with `LibSQLStore` on `file:<dbPath>`.
 * @throws Error from `run` when a run ends in any status but 'success'.
 */
export async function createMastraImpl(
  options: ImplOptions,
  storeOptions: MastraStoreOptions = {},
): Promise<BenchImpl> {
  const workflows = (await import(WORKFLOWS)) as WorkflowsModule;
  const wf = buildWorkflow(workflows, options);
  let store: LibSqlStore | null = null;
  let runnable = wf;
  if (options.dbPath !== null) {
    const { Mastra } = (await import(MASTRA)) as MastraModule;
    const { LibSQLStore } = (await import(LIBSQL)) as LibSqlModule;
    store = new LibSQLStore({ id: 'bench', url: `file:${options.dbPath}` });
    await store.init();
    if (storeOptions.synchronous === 'FULL') await syncFull(store);
    runnable = new Mastra({ workflows: { bench: wf }, storage: store, logger: false }).getWorkflow(
      'bench',
    );
  }
  return {
    label:
      store === null
        ? 'mastra workflow (no storage)'
        : storeOptions.synchronous === 'FULL'
          ? 'mastra workflow + LibSQLStore (file, WAL, synchronous=FULL set after init: every commit fsynced)'
          : 'mastra workflow + LibSQLStore as configured by default (file, WAL; warm runs commit without fsync, see bench/README.md)',
    async run(app, index) {
      const run = await runnable.createRun({ runId: `run-${index}` });
      const out = await run.start({ inputData: app });
      if (out.status !== 'success') {
        throw new Error(`mastra run ${index} ended '${out.status}': ${String(out.error)}`);
      }
      return out.result as Decision;
    },
    async close() {
      await store?.close();
    },
    ...(store === null ? {} : { verifyStored: verifyMastraFile }),
  };
}

/**
 * Checks the LibSQL file holds a snapshot of every run in status 'success'.
 * @throws Error when some are missing.
 */
export function verifyMastraFile(dbPath: string, runs: number): void {
  const db = new Database(dbPath, { readonly: true });
  try {
    const row = db
      .prepare(
        `SELECT COUNT(*) AS n, SUM(json_extract(snapshot, '$.status') = 'success') AS ok FROM ${SNAPSHOT_TABLE} WHERE workflow_name = 'bench'`,
      )
      .get() as { n: number; ok: number | null };
    if (row.n !== runs || row.ok !== runs) {
      throw new Error(
        `LibSQL file ${dbPath}: ${row.n} run snapshots, ${row.ok ?? 0} successful, expected ${runs}`,
      );
    }
  } finally {
    db.close();
  }
}
