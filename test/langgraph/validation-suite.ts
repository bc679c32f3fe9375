/**
 * Runs LangGraph's own conformance suite for checkpoint savers
 * (`@langchain/langgraph-checkpoint-validation`) against BatonSaver on a given store: the full
 * default suite plus the opt-in delta-channel history walk. Each checkpointer gets a store of its
 * own (the suite requires instances isolated from one another).
 */
import * as vitest from 'vitest';
import type { StateStore } from '../../src/index.js';
import { BatonSaver } from '../../src/langgraph/index.js';

// The suite is written against the runner's globals; this repo imports them explicitly.
Object.assign(globalThis, {
  describe: vitest.describe,
  it: vitest.it,
  expect: vitest.expect,
  beforeAll: vitest.beforeAll,
  afterAll: vitest.afterAll,
  beforeEach: vitest.beforeEach,
  afterEach: vitest.afterEach,
});
const { deltaChannelHistoryTests, validate } = await import(
  '@langchain/langgraph-checkpoint-validation'
);

/** A fresh store and what removes it. */
export interface SuiteStore {
  readonly store: StateStore;
  readonly cleanup: () => Promise<void>;
}

/** Declares the suite for BatonSaver on stores made by `makeStore`. */
export function validateBatonSaver(name: string, makeStore: () => Promise<SuiteStore>): void {
  const cleanups = new Map<BatonSaver, () => Promise<void>>();
  const initializer = {
    checkpointerName: `BatonSaver (${name})`,
    async createCheckpointer() {
      const { store, cleanup } = await makeStore();
      const saver = new BatonSaver(store, { graph: 'validation' });
      cleanups.set(saver, async () => {
        await store.close();
        await cleanup();
      });
      return saver;
    },
    async destroyCheckpointer(saver: BatonSaver) {
      await cleanups.get(saver)?.();
      cleanups.delete(saver);
    },
  };
  validate(initializer);
  deltaChannelHistoryTests(initializer);
}
