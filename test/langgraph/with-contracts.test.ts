/**
 * withContracts: Baton contracts on LangGraph node boundaries, checked before a node's update is
 * checkpointed; a violation fails the node like a contract violation and leaves no trace in the
 * thread's state.
 */
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildGraph } from '../../bench/langgraph.js';
import { generateApplications, oracle } from '../../bench/workload.js';
import {
  type ContractViolationError,
  contract,
  isContractViolationError,
  isInvalidArgumentError,
  memoryStore,
} from '../../src/index.js';
import { BatonSaver, withContracts } from '../../src/langgraph/index.js';
import { counterGraph, historyOf, thread } from './helpers.js';

const ScoreUpdate = contract(
  'test.langgraph.score-update@1',
  z.object({
    score: z.object({
      score: z.number().int().min(300).max(850),
      band: z.enum(['prime', 'near-prime', 'subprime']),
    }),
  }),
);
const Adult = contract(
  'test.langgraph.adult-applicant@1',
  z.object({ applicant: z.object({ age: z.number().min(18) }) }),
);

const Loan = Annotation.Root({
  applicant: Annotation<{ age: number }>,
  score: Annotation<{ score: number; band: string }>,
});

/** START -> scoring -> END, where `scoring` returns `score` and counts its calls. */
function loanGraph(score: number, calls: { n: number }) {
  return new StateGraph(Loan)
    .addNode('scoring', () => {
      calls.n++;
      return { score: { score, band: score >= 740 ? 'prime' : 'subprime' } };
    })
    .addEdge(START, 'scoring')
    .addEdge('scoring', END);
}

describe('withContracts on a StateGraph', () => {
  it('passes conforming updates through unchanged (the reference workload still decides right)', async () => {
    const graph = withContracts(buildGraph({ mode: 'trivial' }), {
      'credit-score': { output: ScoreUpdate },
    }).compile({ checkpointer: new BatonSaver(memoryStore()) });
    const [app] = generateApplications(11, 1);
    const out = await graph.invoke({ app: app! }, thread('t-ok'));
    expect(out.decision).toEqual(oracle(app!));
  });

  it('fails the node with ContractViolationError before its update is checkpointed', async () => {
    const store = memoryStore();
    const saver = new BatonSaver(store);
    const graph = withContracts(loanGraph(900, { n: 0 }), {
      scoring: { output: ScoreUpdate },
    }).compile({ checkpointer: saver });
    const error = (await graph
      .invoke({ applicant: { age: 30 } }, thread('t-bad-out'))
      .catch((e: unknown) => e)) as ContractViolationError;
    expect(isContractViolationError(error)).toBe(true);
    expect(error).toMatchObject({
      contractId: 'test.langgraph.score-update@1',
      boundary: 'agent-output',
      step: 'scoring',
    });
    expect(error.issues.map((i) => i.path)).toEqual([['score', 'score']]);
    // The thread's state never holds the bad score, and the ledger never saw it as state.
    expect((await graph.getState(thread('t-bad-out'))).values.score).toBeUndefined();
    const history = await historyOf(store, 't-bad-out');
    expect(history.some((v) => v.step === 'score')).toBe(false);
    const journal = await store.readJournal('t-bad-out');
    expect(journal.find((j) => j.step === 'scoring')).toMatchObject({
      type: 'step.failed',
      error: { code: 'CONTRACT_VIOLATION', name: 'ContractViolationError' },
    });
  });

  it('checks the state a node is given before it runs', async () => {
    const calls = { n: 0 };
    const graph = withContracts(loanGraph(700, calls), { scoring: { input: Adult } }).compile({
      checkpointer: new BatonSaver(memoryStore()),
    });
    await expect(
      graph.invoke({ applicant: { age: 16 } }, thread('t-bad-in')),
    ).rejects.toMatchObject({
      code: 'CONTRACT_VIOLATION',
      boundary: 'agent-input',
      step: 'scoring',
    });
    expect(calls.n).toBe(0);
    expect(await graph.invoke({ applicant: { age: 40 } }, thread('t-good-in'))).toMatchObject({
      score: { score: 700 },
    });
    expect(calls.n).toBe(1);
  });

  it('refuses an unknown node name and a compiled graph, naming them', () => {
    expect(() =>
      withContracts(loanGraph(700, { n: 0 }), { scorer: { output: ScoreUpdate } }),
    ).toThrow(/no node 'scorer' \(nodes: scoring\)/);
    const compiled = counterGraph(new BatonSaver(memoryStore()));
    let error: unknown;
    try {
      withContracts(compiled as never, {});
    } catch (e) {
      error = e;
    }
    expect(isInvalidArgumentError(error)).toBe(true);
    expect((error as Error).message).toContain('before compile()');
  });
});

describe('withContracts on a map of node functions', () => {
  it('returns wrapped nodes for addNode and leaves the originals alone', async () => {
    const nodes = {
      scoring: (_s: typeof Loan.State) => ({ score: { score: 200, band: 'subprime' } }),
    };
    const checked = withContracts(nodes, { scoring: { output: ScoreUpdate } });
    expect(checked.scoring).not.toBe(nodes.scoring);
    expect(nodes.scoring({} as never)).toEqual({ score: { score: 200, band: 'subprime' } });
    const graph = new StateGraph(Loan)
      .addNode('scoring', checked.scoring)
      .addEdge(START, 'scoring')
      .addEdge('scoring', END)
      .compile({ checkpointer: new BatonSaver(memoryStore()) });
    await expect(graph.invoke({ applicant: { age: 30 } }, thread('t-map'))).rejects.toMatchObject({
      code: 'CONTRACT_VIOLATION',
      step: 'scoring',
    });
  });
});
