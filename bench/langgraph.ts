/**
 * The reference workload on LangGraph.js: a `StateGraph` over an `Annotation` state with one
 * channel per step (nodes are named after the agents, since LangGraph forbids a node and a
 * channel sharing a name), fan-out from START to the score, income and fraud nodes and fan-in
 * (join) edges to the risk and approval nodes. Compiled without a checkpointer, or with `SqliteSaver` on a SQLite file
 * (WAL, synchronous=FULL, as Baton's durable line) and a thread id per run.
 *
 * Invariants:
 * - Nodes call exactly the same step functions as Baton's agents (bench/workload.ts).
 * - Fan-in uses LangGraph's list-source edges (`addEdge([a, b], c)`), which wait for every
 *   source; two separate edges would start final approval before risk assessment finished.
 * - Durability is LangGraph's default ('async': each superstep's checkpoint is written while
 *   the next one runs; `invoke` resolves after every write). better-sqlite3 writes synchronously,
 *   so each checkpoint is fsync-durable when written.
 */
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import Database from 'better-sqlite3';
import type { BenchImpl, ImplOptions } from './impl.js';
import type { App, Decision, Fraud, Income, Risk, Score } from './workload.js';
import { stepFns } from './workload.js';

const BenchState = Annotation.Root({
  app: Annotation<App>,
  score: Annotation<Score>,
  income: Annotation<Income>,
  fraud: Annotation<Fraud>,
  risk: Annotation<Risk>,
  decision: Annotation<Decision>,
});

type State = typeof BenchState.State;

/** The workload's graph, not yet compiled (the BatonSaver bench and tests compile it too). */
export function buildGraph(options: Pick<ImplOptions, 'mode'>) {
  const fns = stepFns(options.mode);
  return new StateGraph(BenchState)
    .addNode('credit-score', async (s: State) => ({ score: await fns.score(s.app) }))
    .addNode('income-verification', async (s: State) => ({ income: await fns.income(s.app) }))
    .addNode('fraud-detection', async (s: State) => ({ fraud: await fns.fraud(s.app) }))
    .addNode('risk-assessment', async (s: State) => ({
      risk: await fns.risk({ score: s.score, income: s.income }),
    }))
    .addNode('final-approval', async (s: State) => ({
      decision: await fns.decision({ applicationId: s.app.id, risk: s.risk, fraud: s.fraud }),
    }))
    .addEdge(START, 'credit-score')
    .addEdge(START, 'income-verification')
    .addEdge(START, 'fraud-detection')
    .addEdge(['credit-score', 'income-verification'], 'risk-assessment')
    .addEdge(['risk-assessment', 'fraud-detection'], 'final-approval')
    .addEdge('final-approval', END);
}

/**
 * Builds the LangGraph implementation: in memory when `dbPath` is null, else with SqliteSaver.
 * @example
 * const impl = createLangGraphImpl({ mode: 'trivial', dbPath: null });
 * const decision = await impl.run(app, 0);
 */
export function createLangGraphImpl(options: ImplOptions): BenchImpl {
  const graph = buildGraph(options);
  if (options.dbPath === null) {
    const compiled = graph.compile();
    return {
      label: 'langgraph (no checkpointer)',
      async run(app) {
        const out = await compiled.invoke({ app });
        return out.decision;
      },
      async close() {},
    };
  }
  const db = new Database(options.dbPath);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  const saver = new SqliteSaver(db);
  const compiled = graph.compile({ checkpointer: saver });
  return {
    label: 'langgraph+SqliteSaver (WAL, synchronous=FULL)',
    async run(app, index) {
      const out = await compiled.invoke({ app }, { configurable: { thread_id: `run-${index}` } });
      return out.decision;
    },
    async close() {
      db.close();
    },
    verifyStored: verifyLangGraphFile,
  };
}

/**
 * Checks the SqliteSaver file holds a thread per run and at least one checkpoint per superstep
 * of each (input, fan-out, risk, approval).
 * @throws Error when some are missing.
 */
export function verifyLangGraphFile(dbPath: string, runs: number): void {
  const db = new Database(dbPath, { readonly: true });
  try {
    const row = db
      .prepare(
        'SELECT COUNT(DISTINCT thread_id) AS threads, COUNT(*) AS checkpoints FROM checkpoints',
      )
      .get() as { threads: number; checkpoints: number };
    if (row.threads !== runs || row.checkpoints < runs * 4) {
      throw new Error(
        `SqliteSaver file ${dbPath}: ${row.threads} threads and ${row.checkpoints} checkpoints, expected ${runs} threads and at least ${runs * 4} checkpoints`,
      );
    }
  } finally {
    db.close();
  }
}
