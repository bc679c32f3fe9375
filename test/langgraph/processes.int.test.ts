/**
 * BatonSaver across processes and connections on a real SQLite file: a process SIGKILLed between
 * a checkpoint and the rest of its pending writes resumes without re-running the task whose
 * writes were durable, and two writers on one thread through two connections conflict.
 */
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { sqliteStore } from '../../src/index.js';
import { BatonSaver, isCheckpointConflictError } from '../../src/langgraph/index.js';
import { startScript } from '../support/child.js';
import { tempDbPath } from '../support/temp-db.js';
import { splitGraph } from './fixtures/split-graph.js';
import { barrier, counterGraph, GatedSaver, historyOf, thread, verifies } from './helpers.js';

const CRASH_GRAPH = fileURLToPath(new URL('./fixtures/crash-graph.ts', import.meta.url));
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function tempStorePath(label: string): string {
  const db = tempDbPath(label);
  cleanups.push(db.remove);
  return db.path;
}

describe('a process killed between a checkpoint and its pending writes', () => {
  it('resumes from the checkpoint, keeps the finished task’s writes and runs only the unfinished task', async () => {
    const path = tempStorePath('langgraph-kill');
    const child = startScript(CRASH_GRAPH, [path, 'loan-kill']);
    // The superstep's checkpoint is durable, `fast` wrote, `slow` is still running.
    const fanOut = (await child.waitFor((m) => (m as { step?: number }).step === 0)) as {
      put: string;
    };
    await child.waitFor((m) => (m as { written?: string }).written === '~__pregel_pull, fast');
    await child.waitFor((m) => (m as { ran?: string }).ran === 'slow');
    child.proc.kill('SIGKILL');
    expect((await child.exited).signal).toBe('SIGKILL');

    const store = sqliteStore(path);
    cleanups.unshift(() => store.close());
    const calls = { fast: 0, slow: 0 };
    const graph = splitGraph(new BatonSaver(store, { graph: 'split' }), {
      fast: async () => {
        calls.fast++;
        return { fastResult: 'fast-again' };
      },
      slow: async () => {
        calls.slow++;
        return { slowResult: `slow@${process.pid}` };
      },
    });
    const before = await graph.getState(thread('loan-kill'));
    expect(before.config.configurable?.checkpoint_id).toBe(fanOut.put);
    // LangGraph already counts `fast` as done: its writes against the checkpoint survived.
    expect(before.next).toEqual(['slow']);

    const out = await graph.invoke(null, thread('loan-kill'));
    expect(calls).toEqual({ fast: 0, slow: 1 });
    expect(out.fastResult).toBe(`fast@${child.proc.pid}`);
    expect(out.joined).toBe(`fast@${child.proc.pid}+slow@${process.pid}`);
    expect(await verifies(store, 'loan-kill')).toBe(true);
    const history = await historyOf(store, 'loan-kill');
    expect(history.filter((v) => v.step === 'fastResult').map((v) => v.createdBy)).toEqual([
      'fast',
    ]);
    expect(history.at(-1)!.data.joined).toBe(out.joined);
  });
});

describe('two writers on one thread through two connections', () => {
  it('one wins; the other gets CheckpointConflictError and writes no checkpoint', async () => {
    const path = tempStorePath('langgraph-race');
    const [storeA, storeB] = [sqliteStore(path), sqliteStore(path)];
    cleanups.unshift(async () => {
      await storeA.close();
      await storeB.close();
    });
    const a = new GatedSaver(storeA, { graph: 'counter' });
    const b = new GatedSaver(storeB, { graph: 'counter' });
    await counterGraph(a).invoke({ n: 1 }, thread('t-race'));
    const bothRead = barrier(2);
    a.onNextRead = bothRead;
    b.onNextRead = bothRead;
    const results = await Promise.allSettled([
      counterGraph(a).invoke({ n: 10 }, thread('t-race')),
      counterGraph(b).invoke({ n: 20 }, thread('t-race')),
    ]);
    const lost = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    const won = results.filter((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{
      n: number;
    }>[];
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(isCheckpointConflictError(lost[0]!.reason)).toBe(true);
    expect((await counterGraph(b).getState(thread('t-race'))).values.n).toBe(won[0]!.value.n);
    expect(await verifies(storeA, 't-race')).toBe(true);
  });
});
