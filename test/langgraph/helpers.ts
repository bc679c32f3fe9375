/**
 * Small graphs and savers for BatonSaver's tests.
 */

import type { RunnableConfig } from '@langchain/core/runnables';
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import {
  type StateData,
  type StateStore,
  type VersionRecord,
  verifyChain,
} from '../../src/index.js';
import { BatonSaver } from '../../src/langgraph/index.js';
import { materialize } from '../../src/ledger/versions.js';

/** A counter: `inc` adds one to `n`. */
export const CounterState = Annotation.Root({ n: Annotation<number>, note: Annotation<string> });

/** START -> inc -> END over {@link CounterState}, compiled with `saver`. */
export function counterGraph(saver: BatonSaver) {
  return new StateGraph(CounterState)
    .addNode('inc', (s: typeof CounterState.State) => ({ n: s.n + 1 }))
    .addEdge(START, 'inc')
    .addEdge('inc', END)
    .compile({ checkpointer: saver });
}

/** The config of a thread. */
export const thread = (threadId: string): RunnableConfig => ({
  configurable: { thread_id: threadId },
});

/** A saver that can hold its next read until a test releases it. */
export class GatedSaver extends BatonSaver {
  /** Awaited once, after the next `getTuple` has read the ledger. */
  onNextRead: (() => Promise<void>) | undefined;

  override async getTuple(config: RunnableConfig) {
    const tuple = await super.getTuple(config);
    const hook = this.onNextRead;
    this.onNextRead = undefined;
    if (hook) await hook();
    return tuple;
  }
}

/** Resolves every caller once `n` have arrived. */
export function barrier(n: number): () => Promise<void> {
  let arrived = 0;
  let release!: () => void;
  const all = new Promise<void>((resolve) => {
    release = resolve;
  });
  return () => {
    arrived++;
    if (arrived === n) release();
    return all;
  };
}

/** One version of a thread with the materialized state at it (what `baton history --data` shows). */
export interface Snapshot extends VersionRecord {
  readonly data: StateData;
}

/** A thread's versions, each with its materialized state. */
export async function historyOf(store: StateStore, threadId: string): Promise<Snapshot[]> {
  const versions = await store.readVersions(threadId);
  return versions.map((v, i) => ({ ...v, data: materialize(versions.slice(0, i + 1)) }));
}

/** Whether a thread's hash chain verifies up to its recorded head. */
export async function verifies(store: StateStore, threadId: string): Promise<boolean> {
  const run = await store.getRun(threadId);
  return verifyChain(await store.readVersions(threadId), run?.headVersion).ok;
}
