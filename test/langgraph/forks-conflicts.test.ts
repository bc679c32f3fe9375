/**
 * Branches of a LangGraph thread on the ledger: a checkpoint whose parent is not the latest is a
 * fork (recorded, linked to its parent), and two writers appending after the same parent is a
 * conflict (one wins, the other gets CheckpointConflictError through LangGraph).
 */
import type { StateSnapshot as GraphState } from '@langchain/langgraph';
import { describe, expect, it } from 'vitest';
import { buildGraph } from '../../bench/langgraph.js';
import { generateApplications, oracle } from '../../bench/workload.js';
import { isVersionConflictError, memoryStore } from '../../src/index.js';
import {
  BatonSaver,
  type CheckpointConflictError,
  isCheckpointConflictError,
} from '../../src/langgraph/index.js';
import {
  barrier,
  counterGraph,
  GatedSaver,
  historyOf,
  type Snapshot,
  thread,
  verifies,
} from './helpers.js';

const headerOf = (history: Snapshot[], checkpointId: string) =>
  history.find(
    (v) =>
      v.step === '$checkpoint' &&
      (JSON.parse(v.payload) as { checkpointId: string }).checkpointId === checkpointId,
  );

describe('forks', () => {
  it('a replay from an earlier checkpoint is a fork: the ledger shows the parent state, then the new branch', async () => {
    const store = memoryStore();
    const graph = buildGraph({ mode: 'trivial' }).compile({
      checkpointer: new BatonSaver(store, { graph: 'credit' }),
    });
    const [app] = generateApplications(3, 1);
    await graph.invoke({ app: app! }, thread('t-replay'));
    const states: GraphState[] = [];
    for await (const s of graph.getStateHistory(thread('t-replay'))) states.push(s);
    const afterFanOut = states.find((s) => s.metadata?.step === 1)!;
    expect(afterFanOut.next).toEqual(['risk-assessment']);

    const out = await graph.invoke(null, afterFanOut.config);
    expect(out.decision).toEqual(oracle(app!));

    const history = await historyOf(store, 't-replay');
    const parent = headerOf(history, afterFanOut.config.configurable!.checkpoint_id as string)!;
    const fork = history.find((v) => v.step === '$fork')!;
    expect(fork).toMatchObject({
      kind: 'reset',
      tag: `fork:${parent.version}`,
      inputVersion: parent.version,
    });
    // The fork version shows what the parent saw: fan-out done, risk and decision not yet.
    expect(fork.data.score).toEqual(history[parent.version - 1]!.data.score);
    expect(fork.data.risk).toBeUndefined();
    expect(fork.data.decision).toBeUndefined();
    // The branch continues from the parent's version and is tagged as a fork.
    const firstOfBranch = history.find(
      (v) => v.step === '$checkpoint' && v.version > fork.version,
    )!;
    expect(firstOfBranch).toMatchObject({
      inputVersion: parent.version,
      tag: `fork:${parent.version}`,
    });
    expect(history.at(-1)!.data.decision).toEqual(oracle(app!));
    // LangGraph sees both branches: the first run's 5 checkpoints, then its copy of the parent
    // (source 'fork') and the two checkpoints replayed after it.
    const after: GraphState[] = [];
    for await (const s of graph.getStateHistory(thread('t-replay'))) after.push(s);
    expect(after.map((s) => s.metadata?.source)).toEqual([
      'loop',
      'loop',
      'fork',
      'loop',
      'loop',
      'loop',
      'loop',
      'input',
    ]);
    expect(after[2]!.parentConfig?.configurable?.checkpoint_id).toBe(
      afterFanOut.config.configurable!.checkpoint_id,
    );
    expect(headerOf(history, after[2]!.config.configurable!.checkpoint_id as string)).toMatchObject(
      {
        createdBy: '__fork__',
      },
    );
    expect(headerOf(history, after[1]!.config.configurable!.checkpoint_id as string)).toMatchObject(
      {
        createdBy: 'risk-assessment',
      },
    );
    expect(await verifies(store, 't-replay')).toBe(true);
  });

  it('updateState on an earlier checkpoint forks, and the thread continues on the fork', async () => {
    const store = memoryStore();
    const graph = counterGraph(new BatonSaver(store));
    const first = await graph.invoke({ n: 1 }, thread('t-update'));
    const endOfFirst = await graph.getState(thread('t-update'));
    await graph.invoke({ n: 10 }, thread('t-update'));
    expect(first.n).toBe(2);

    const forked = await graph.updateState(endOfFirst.config, { n: 50 });
    expect((await graph.getState(thread('t-update'))).values.n).toBe(50);
    expect((await graph.getState(forked)).parentConfig?.configurable?.checkpoint_id).toBe(
      endOfFirst.config.configurable!.checkpoint_id,
    );
    const history = await historyOf(store, 't-update');
    const fork = history.find((v) => v.step === '$fork')!;
    expect(fork.data.n).toBe(2); // the parent's value, not the abandoned branch's 11
    expect(history.at(-1)!.data.n).toBe(50);
    expect(await verifies(store, 't-update')).toBe(true);
  });

  it('a put after a parent that is the latest checkpoint is a plain append, not a fork', async () => {
    const store = memoryStore();
    const graph = counterGraph(new BatonSaver(store));
    await graph.invoke({ n: 1 }, thread('t-linear'));
    await graph.invoke({ n: 5 }, thread('t-linear'));
    const history = await historyOf(store, 't-linear');
    expect(history.some((v) => v.step === '$fork' || v.tag !== null)).toBe(false);
  });
});

describe('conflicts', () => {
  it('two graphs invoking one thread from the same checkpoint: one wins, LangGraph surfaces the typed conflict for the other', async () => {
    const store = memoryStore();
    const a = new GatedSaver(store, { graph: 'counter' });
    const b = new GatedSaver(store, { graph: 'counter' });
    const [ga, gb] = [counterGraph(a), counterGraph(b)];
    await ga.invoke({ n: 1 }, thread('t-race'));
    const parentId = (await ga.getState(thread('t-race'))).config.configurable!.checkpoint_id;
    // Both read the latest checkpoint before either writes.
    const bothRead = barrier(2);
    a.onNextRead = bothRead;
    b.onNextRead = bothRead;
    const [ra, rb] = await Promise.allSettled([
      ga.invoke({ n: 10 }, thread('t-race')),
      gb.invoke({ n: 20 }, thread('t-race')),
    ]);
    const won = [ra, rb].filter((r) => r.status === 'fulfilled');
    const lost = [ra, rb].filter((r) => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const error = (lost[0] as PromiseRejectedResult).reason as CheckpointConflictError;
    expect(isCheckpointConflictError(error)).toBe(true);
    expect(isVersionConflictError(error)).toBe(true);
    expect(error).toMatchObject({
      name: 'CheckpointConflictError',
      code: 'VERSION_CONFLICT',
      threadId: 't-race',
      checkpointNs: '',
      parentCheckpointId: parentId,
    });
    // The winner's state is the thread's state; the loser wrote no checkpoint.
    const winner = (won[0] as PromiseFulfilledResult<{ n: number }>).value.n;
    expect((await ga.getState(thread('t-race'))).values.n).toBe(winner);
    const history = await historyOf(store, 't-race');
    expect(headerOf(history, error.checkpointId)).toBeUndefined();
    expect(headerOf(history, error.winningCheckpointId)).toBeDefined();
    expect(await verifies(store, 't-race')).toBe(true);
  });

  it('the loser can read the thread again and continue after the winner', async () => {
    const store = memoryStore();
    const a = new BatonSaver(store);
    const b = new BatonSaver(store);
    const checkpoint = (id: string, n: number) => ({
      v: 4,
      id,
      ts: new Date(0).toISOString(),
      channel_values: { n },
      channel_versions: { n: n },
      versions_seen: {},
    });
    const meta = { source: 'loop' as const, step: 0, parents: {} };
    const root = await a.put(thread('t-retry'), checkpoint('c0', 1), meta, { n: 1 });
    await a.getTuple(thread('t-retry'));
    await b.getTuple(thread('t-retry'));
    await a.put(root, checkpoint('c1-a', 2), meta, { n: 2 });
    const head = (await store.getRun('t-retry'))!.headVersion;
    await expect(b.put(root, checkpoint('c1-b', 2), meta, { n: 2 })).rejects.toMatchObject({
      code: 'VERSION_CONFLICT',
      winningCheckpointId: 'c1-a',
    });
    expect((await store.getRun('t-retry'))!.headVersion).toBe(head);
    const latest = await b.getTuple(thread('t-retry'));
    expect(latest!.checkpoint.id).toBe('c1-a');
    await b.put(latest!.config, checkpoint('c2-b', 3), meta, { n: 3 });
    expect((await a.getTuple(thread('t-retry')))!.checkpoint.channel_values).toEqual({ n: 3 });
  });

  it('parallel tasks of one superstep writing through two savers do not conflict (writes commute)', async () => {
    const store = memoryStore();
    const a = new BatonSaver(store);
    const b = new BatonSaver(store);
    const config = await a.put(
      thread('t-writes'),
      {
        v: 4,
        id: 'c0',
        ts: new Date(0).toISOString(),
        channel_values: {},
        channel_versions: {},
        versions_seen: {},
      },
      { source: 'input', step: -1, parents: {} },
      {},
    );
    await Promise.all([
      a.putWrites(config, [['x', 1]], 'task-a'),
      b.putWrites(config, [['y', 2]], 'task-b'),
      a.putWrites(config, [['z', 3]], 'task-c'),
    ]);
    expect((await b.getTuple(config))!.pendingWrites).toEqual([
      ['task-a', 'x', 1],
      ['task-b', 'y', 2],
      ['task-c', 'z', 3],
    ]);
  });
});
