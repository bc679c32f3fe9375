import { contract, sqliteStore } from 'baton-runtime';
import { BatonSaver, withContracts } from 'baton-runtime/langgraph';
import { z } from 'zod';
import { buildGraph } from '../../bench/langgraph.js';
import { generateApplications } from '../../bench/workload.js';

// Your graph, unchanged: here the reference workload as a LangGraph StateGraph.
const builder = buildGraph({ mode: 'trivial' });

// Step 1, the one-line swap: `new SqliteSaver(db)` becomes a BatonSaver on any Baton store.
const saver = new BatonSaver(sqliteStore('baton.db'), { graph: 'credit' });
const graph = builder.compile({ checkpointer: saver });

const [app] = generateApplications(42, 1);
const { decision } = await graph.invoke({ app: app! }, { configurable: { thread_id: 'loan-42' } });
console.log(decision);

// Step 2, optional: contracts at node boundaries, checked before an update is checkpointed.
const ScoreUpdate = contract(
  'credit.score-update@1',
  z.object({ score: z.object({ score: z.number().int().min(300).max(850), band: z.string() }) }),
);
export const checked = withContracts(buildGraph({ mode: 'trivial' }), {
  'credit-score': { output: ScoreUpdate },
}).compile({ checkpointer: saver });
