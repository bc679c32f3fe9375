/**
 * Bad input to BatonSaver: a thread that belongs to another graph or to a Baton workflow, a config
 * without thread_id, an unknown parent, a value over the slot limit. Each gets a typed error
 * naming what was wrong, and nothing committed is lost or changed.
 */
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import { emptyCheckpoint } from '@langchain/langgraph-checkpoint';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  agent,
  contract,
  createRuntime,
  isInvalidArgumentError,
  isNotFoundError,
  isPayloadTooLargeError,
  memoryStore,
  workflow,
} from '../../src/index.js';
import { BatonSaver } from '../../src/langgraph/index.js';
import { counterGraph, historyOf, thread, verifies } from './helpers.js';

const META = { source: 'input' as const, step: -1, parents: {} };

describe('a thread that is not this graph’s', () => {
  it('is refused for reads and writes, through LangGraph too, and the other thread is untouched', async () => {
    const store = memoryStore();
    const credit = counterGraph(new BatonSaver(store, { graph: 'credit' }));
    await credit.invoke({ n: 1 }, thread('shared-id'));
    const before = await historyOf(store, 'shared-id');

    const other = new BatonSaver(store, { graph: 'marketing' });
    for (const call of [
      () => other.getTuple(thread('shared-id')),
      () => other.put(thread('shared-id'), emptyCheckpoint(), META, {}),
      () => counterGraph(other).invoke({ n: 5 }, thread('shared-id')),
      () => other.deleteThread('shared-id'),
    ]) {
      const error = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isInvalidArgumentError(error)).toBe(true);
      expect(error).toMatchObject({ argument: 'thread_id' });
      expect((error as Error).message).toContain("'langgraph:credit'");
    }
    expect(await historyOf(store, 'shared-id')).toEqual(before);
  });

  it('refuses a thread id that is the run of a Baton workflow', async () => {
    const store = memoryStore();
    const N = contract('test.n@1', z.object({ n: z.number() }));
    const double = agent({
      name: 'double',
      version: '1.0.0',
      input: N,
      output: N,
      execute: async ({ n }) => ({ n: n * 2 }),
    });
    const wf = workflow('doubling', { version: 1, input: N })
      .step('double', double, { input: (s) => s.input })
      .output((s) => s.double);
    const rt = createRuntime({ store, workflows: [wf] });
    const run = await rt.start(wf, { n: 2 });
    await run.result();
    const head = (await store.getRun(run.id))!.headVersion;
    const saver = new BatonSaver(store);
    await expect(counterGraph(saver).invoke({ n: 1 }, thread(run.id))).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      argument: 'thread_id',
    });
    expect((await store.getRun(run.id))!.headVersion).toBe(head);
    await rt.close();
  });
});

describe('a config without thread_id', () => {
  it('is refused by put and putWrites with a typed error; reads find nothing, as LangGraph expects', async () => {
    const store = memoryStore();
    const saver = new BatonSaver(store);
    for (const config of [{}, { configurable: {} }, { configurable: { checkpoint_ns: '' } }]) {
      await expect(saver.put(config, emptyCheckpoint(), META, {})).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        argument: 'thread_id',
      });
      await expect(
        saver.putWrites({ configurable: { ...config.configurable, checkpoint_id: 'c' } }, [], 't'),
      ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', argument: 'thread_id' });
      expect(await saver.getTuple(config)).toBeUndefined();
    }
    expect(await store.listRuns({})).toEqual([]);
  });

  it('refuses a thread id that is not a non-empty string, and writes without a checkpoint id', async () => {
    const saver = new BatonSaver(memoryStore());
    for (const threadId of ['', 42, { id: 'x' }]) {
      await expect(
        saver.put({ configurable: { thread_id: threadId } }, emptyCheckpoint(), META, {}),
      ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', argument: 'thread_id' });
    }
    await expect(saver.putWrites(thread('t'), [['a', 1]], 'task')).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      argument: 'checkpoint_id',
    });
  });
});

describe('a parent checkpoint the thread does not have', () => {
  it('is NotFound, naming the thread and the id; nothing is appended', async () => {
    const store = memoryStore();
    const saver = new BatonSaver(store);
    await saver.put(thread('t-parent'), { ...emptyCheckpoint(), id: 'c0' }, META, {});
    const head = (await store.getRun('t-parent'))!.headVersion;
    const error = await saver
      .put(
        { configurable: { thread_id: 't-parent', checkpoint_id: 'from-another-thread' } },
        { ...emptyCheckpoint(), id: 'c1' },
        META,
        {},
      )
      .catch((e: unknown) => e);
    expect(isNotFoundError(error)).toBe(true);
    expect((error as Error).message).toContain("thread 't-parent'");
    expect((error as Error).message).toContain('from-another-thread');
    expect((await store.getRun('t-parent'))!.headVersion).toBe(head);
  });
});

describe('a value larger than the slot limit', () => {
  const Big = Annotation.Root({ text: Annotation<string> });
  const bigGraph = (saver: BatonSaver) =>
    new StateGraph(Big)
      .addNode('grow', (s: typeof Big.State) => ({ text: s.text.repeat(200) }))
      .addEdge(START, 'grow')
      .addEdge('grow', END)
      .compile({ checkpointer: saver });

  it('fails the graph with PayloadTooLargeError naming the slot; the thread keeps its last checkpoint', async () => {
    const store = memoryStore();
    const saver = new BatonSaver(store, { maxSlotBytes: 1024 });
    const error = await bigGraph(saver)
      .invoke({ text: 'abcdefghij' }, thread('t-big'))
      .catch((e: unknown) => e);
    expect(isPayloadTooLargeError(error)).toBe(true);
    expect(error).toMatchObject({ maxBytes: 1024 });
    expect((error as { bytes: number }).bytes).toBeGreaterThan(1024);
    const latest = await saver.getTuple(thread('t-big'));
    expect(latest!.checkpoint.channel_values.text).toBe('abcdefghij');
    expect(await verifies(store, 't-big')).toBe(true);
  });

  it('refuses a direct put of an oversized checkpoint without appending anything', async () => {
    const store = memoryStore();
    const saver = new BatonSaver(store, { maxSlotBytes: 1024 });
    await saver.put(thread('t-big2'), { ...emptyCheckpoint(), id: 'c0' }, META, {});
    const head = (await store.getRun('t-big2'))!.headVersion;
    const big = { ...emptyCheckpoint(), id: 'c1', channel_values: { text: 'x'.repeat(2000) } };
    await expect(
      saver.put({ configurable: { thread_id: 't-big2', checkpoint_id: 'c0' } }, big, META, {
        text: 1,
      }),
    ).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE', slot: 'text', maxBytes: 1024 });
    expect((await store.getRun('t-big2'))!.headVersion).toBe(head);
  });
});

describe('options', () => {
  it('refuses a store that is not a Baton store and bad option values, naming them', () => {
    expect(() => new BatonSaver({} as never)).toThrow(
      expect.objectContaining({ argument: 'store' }),
    );
    const store = memoryStore();
    for (const [options, argument] of [
      [{ graph: '' }, 'graph'],
      [{ maxSlotBytes: 0 }, 'maxSlotBytes'],
      [{ cacheThreads: 1.5 }, 'cacheThreads'],
    ] as const) {
      expect(() => new BatonSaver(store, options)).toThrow(expect.objectContaining({ argument }));
    }
  });
});
