/**
 * What BatonSaver leaves in the ledger: deleteThread as a tombstone, values as JSON or opaque
 * base64, subgraph namespaces in one run, pending-write keys, and a cache that only ever speeds
 * things up.
 */
import { Annotation, Command, END, interrupt, START, StateGraph } from '@langchain/langgraph';
import { ERROR, emptyCheckpoint } from '@langchain/langgraph-checkpoint';
import { describe, expect, it } from 'vitest';
import { memoryStore } from '../../src/index.js';
import { BatonSaver } from '../../src/langgraph/index.js';
import { counterGraph, historyOf, thread, verifies } from './helpers.js';

describe('deleteThread', () => {
  it('appends a tombstone: LangGraph sees an empty thread, the ledger keeps a verifiable, audited history', async () => {
    const store = memoryStore();
    const saver = new BatonSaver(store);
    const graph = counterGraph(saver);
    await graph.invoke({ n: 1 }, thread('t-del'));
    const before = await historyOf(store, 't-del');

    await saver.deleteThread('t-del');
    expect(await saver.getTuple(thread('t-del'))).toBeUndefined();
    const listed = [];
    for await (const t of saver.list(thread('t-del'))) listed.push(t);
    expect(listed).toEqual([]);

    const after = await historyOf(store, 't-del');
    expect(after.slice(0, before.length)).toEqual(before); // nothing removed or changed
    const tombstone = after.at(-1)!;
    expect(tombstone).toMatchObject({ step: '$deleted', kind: 'reset', tag: 'deleted' });
    expect(tombstone.data).toEqual({
      $deleted: { at: tombstone.createdAt, hidCheckpoints: 3, hidWrites: 3 },
    });
    expect(await verifies(store, 't-del')).toBe(true);
    expect((await store.getRun('t-del'))!.status).toBe('cancelled');
    const audit = await store.queryRecords({ kind: 'audit', runId: 't-del' });
    expect(audit).toEqual([
      expect.objectContaining({
        key: 'langgraph.deleteThread',
        body: expect.objectContaining({ version: tombstone.version, checkpoints: 3, writes: 3 }),
      }),
    ]);
  });

  it('a deleted thread can be used again; deleting twice or a thread that never existed appends nothing', async () => {
    const store = memoryStore();
    const saver = new BatonSaver(store);
    const graph = counterGraph(saver);
    await graph.invoke({ n: 1 }, thread('t-again'));
    await saver.deleteThread('t-again');
    const head = (await store.getRun('t-again'))!.headVersion;
    await saver.deleteThread('t-again');
    expect((await store.getRun('t-again'))!.headVersion).toBe(head);
    await saver.deleteThread('never-existed');
    expect(await store.getRun('never-existed')).toBeUndefined();

    expect(await graph.invoke({ n: 40 }, thread('t-again'))).toEqual({ n: 41 });
    expect((await store.getRun('t-again'))!.status).toBe('running');
    const states = [];
    for await (const s of graph.getStateHistory(thread('t-again'))) states.push(s);
    expect(states).toHaveLength(3); // only the new life of the thread
  });

  it('another saver instance sees the deletion (the tombstone is in the ledger, not in memory)', async () => {
    const store = memoryStore();
    const a = new BatonSaver(store);
    const b = new BatonSaver(store);
    await counterGraph(a).invoke({ n: 1 }, thread('t-seen'));
    expect(await b.getTuple(thread('t-seen'))).toBeDefined();
    await a.deleteThread('t-seen');
    expect(await b.getTuple(thread('t-seen'))).toBeUndefined();
  });
});

describe('values', () => {
  const Mixed = Annotation.Root({
    blob: Annotation<Uint8Array>,
    tags: Annotation<Set<string>>,
    doc: Annotation<{ title: string; pages: number[] }>,
  });

  it('JSON from the serializer is stored as JSON; opaque bytes as base64; both load back unchanged', async () => {
    const store = memoryStore();
    const saver = new BatonSaver(store);
    const graph = new StateGraph(Mixed)
      .addNode('fill', () => ({
        blob: new Uint8Array([0, 1, 254, 255]),
        tags: new Set(['a', 'b']),
      }))
      .addEdge(START, 'fill')
      .addEdge('fill', END)
      .compile({ checkpointer: saver });
    await graph.invoke({ doc: { title: 'loan', pages: [1, 2] } }, thread('t-values'));

    const state = await graph.getState(thread('t-values'));
    expect(state.values.blob).toEqual(new Uint8Array([0, 1, 254, 255]));
    expect(state.values.tags).toEqual(new Set(['a', 'b']));
    expect(state.values.doc).toEqual({ title: 'loan', pages: [1, 2] });

    const head = (await historyOf(store, 't-values')).at(-1)!.data;
    expect(head.doc).toEqual({ title: 'loan', pages: [1, 2] });
    expect(head.blob).toEqual({
      $serde: 'bytes',
      base64: Buffer.from([0, 1, 254, 255]).toString('base64'),
    });
    // A Set is JSON in LangGraph's serializer (a constructor record), so it stays readable.
    expect(head.tags).toMatchObject({
      lc: 2,
      type: 'constructor',
      id: ['Set'],
      args: [['a', 'b']],
    });
    const header = head.$checkpoint as { values: Record<string, { form: string; serde: string }> };
    expect(header.values.blob).toMatchObject({ form: 'base64', serde: 'bytes' });
    expect(header.values.tags).toMatchObject({ form: 'json', serde: 'json' });
  });
});

describe('subgraph namespaces', () => {
  it('a subgraph checkpoints into its own namespace of the same run, listed with the thread', async () => {
    const store = memoryStore();
    const saver = new BatonSaver(store);
    const Inner = Annotation.Root({ n: Annotation<number> });
    const inner = new StateGraph(Inner)
      .addNode('double', (s: typeof Inner.State) => ({ n: s.n * 2 }))
      .addEdge(START, 'double')
      .addEdge('double', END)
      .compile();
    const outer = new StateGraph(Inner)
      .addNode('sub', inner)
      .addNode('inc', (s: typeof Inner.State) => ({ n: s.n + 1 }))
      .addEdge(START, 'sub')
      .addEdge('sub', 'inc')
      .addEdge('inc', END)
      .compile({ checkpointer: saver });
    expect(await outer.invoke({ n: 5 }, thread('t-sub'))).toEqual({ n: 11 });

    const all = [];
    for await (const t of saver.list(thread('t-sub'))) all.push(t);
    const namespaces = new Set(all.map((t) => t.config.configurable!.checkpoint_ns as string));
    const sub = [...namespaces].find((ns) => ns.startsWith('sub:'))!;
    expect(namespaces).toEqual(new Set(['', sub]));
    const rootOnly = [];
    for await (const t of saver.list({ configurable: { thread_id: 't-sub', checkpoint_ns: '' } })) {
      rootOnly.push(t);
    }
    expect(rootOnly.every((t) => t.config.configurable!.checkpoint_ns === '')).toBe(true);
    expect(rootOnly.length).toBe(
      all.filter((t) => t.config.configurable!.checkpoint_ns === '').length,
    );
    expect(rootOnly.length).toBeLessThan(all.length);
    const history = await historyOf(store, 't-sub');
    const escaped = sub.replace(/%/g, '%25').replace(/\//g, '%2F');
    expect(history.some((v) => v.step === `$checkpoint/${escaped}`)).toBe(true);
    // The subgraph's channel is written first from the parent's input, then by its node.
    expect(history.filter((v) => v.step === `${escaped}/n`).map((v) => v.createdBy)).toEqual([
      '__start__',
      'double',
    ]);
    expect(history.at(-1)!.data.n).toBe(11);
    expect(await verifies(store, 't-sub')).toBe(true);
  });
});

describe('pending writes', () => {
  it('keeps the first regular write per (task, index) and the last special write, as LangGraph savers do', async () => {
    const store = memoryStore();
    const saver = new BatonSaver(store);
    const config = await saver.put(
      thread('t-keys'),
      { ...emptyCheckpoint(), id: 'c0' },
      { source: 'input', step: -1, parents: {} },
      {},
    );
    await saver.putWrites(config, [['a', 1]], 'task');
    const head = (await store.getRun('t-keys'))!.headVersion;
    await saver.putWrites(config, [['a', 2]], 'task');
    expect((await store.getRun('t-keys'))!.headVersion).toBe(head); // nothing appended
    await saver.putWrites(config, [[ERROR, 'first failure']], 'task');
    await saver.putWrites(config, [[ERROR, 'second failure']], 'task');
    expect((await saver.getTuple(config))!.pendingWrites).toEqual([
      ['task', ERROR, 'second failure'],
      ['task', 'a', 1],
    ]);
  });

  it('journals a failed node as a failed step for baton show', async () => {
    const store = memoryStore();
    const saver = new BatonSaver(store);
    const Failing = Annotation.Root({ n: Annotation<number> });
    const graph = new StateGraph(Failing)
      .addNode('flaky', () => {
        throw new Error('upstream timed out');
      })
      .addEdge(START, 'flaky')
      .addEdge('flaky', END)
      .compile({ checkpointer: saver });
    await expect(graph.invoke({ n: 1 }, thread('t-fail'))).rejects.toThrow('upstream timed out');
    const journal = await store.readJournal('t-fail');
    expect(journal.find((j) => j.step === 'flaky')).toMatchObject({
      type: 'step.failed',
      error: { message: 'upstream timed out', step: 'flaky' },
    });
  });
});

describe('human in the loop', () => {
  it('an interrupted node is journaled as waiting, and a Command resumes the thread from the ledger', async () => {
    const store = memoryStore();
    const Review = Annotation.Root({ amount: Annotation<number>, verdict: Annotation<string> });
    const build = (saver: BatonSaver) =>
      new StateGraph(Review)
        .addNode('review', (s: typeof Review.State) => ({
          verdict: `${interrupt({ amount: s.amount }) as string}:${s.amount}`,
        }))
        .addEdge(START, 'review')
        .addEdge('review', END)
        .compile({ checkpointer: saver });
    const paused = await build(new BatonSaver(store)).invoke({ amount: 900 }, thread('t-hitl'));
    expect((paused as { __interrupt__?: unknown }).__interrupt__).toEqual([
      expect.objectContaining({ value: { amount: 900 } }),
    ]);
    const journal = await store.readJournal('t-hitl');
    expect(journal.find((j) => j.step === 'review')).toMatchObject({ type: 'wait.started' });

    // Another saver (another process) resumes it from what the ledger holds.
    const done = await build(new BatonSaver(store)).invoke(
      new Command({ resume: 'approved' }),
      thread('t-hitl'),
    );
    expect(done.verdict).toBe('approved:900');
    expect((await historyOf(store, 't-hitl')).at(-1)!.data.verdict).toBe('approved:900');
  });
});

describe('the cache', () => {
  it('a saver that remembers one thread reads every other thread from the ledger, correctly', async () => {
    const store = memoryStore();
    const saver = new BatonSaver(store, { cacheThreads: 1 });
    const graph = counterGraph(saver);
    for (const [i, id] of ['c1', 'c2', 'c3'].entries())
      await graph.invoke({ n: i * 10 }, thread(id));
    for (const [i, id] of ['c1', 'c2', 'c3'].entries()) {
      expect((await graph.getState(thread(id))).values.n).toBe(i * 10 + 1);
      expect(await graph.invoke({ n: 100 }, thread(id))).toEqual({ n: 101 });
    }
  });
});
