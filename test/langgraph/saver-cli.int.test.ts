/**
 * LangGraph threads checkpointed by BatonSaver, read with the `baton` CLI (the built binary, as
 * users run it): the reference workload's graph runs two applications on one thread in a SQLite
 * file, then history, diff, bisect, verify and show answer questions about it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGraph } from '../../bench/langgraph.js';
import { type App, generateApplications, oracle } from '../../bench/workload.js';
import { type StateDiff, type StateSnapshot, sqliteStore } from '../../src/index.js';
import { BatonSaver } from '../../src/langgraph/index.js';
import { baton, ensureBuilt, json } from '../cli/helpers.js';
import { tempDbPath } from '../support/temp-db.js';

const db = tempDbPath('langgraph-cli');
const S = ['--store', db.path];
const THREAD = 'loan-thread-1';
let apps: App[];
type Row = Omit<StateSnapshot, 'data'>;
let history: Row[];

beforeAll(async () => {
  await ensureBuilt();
  apps = generateApplications(7, 2);
  const store = sqliteStore(db.path);
  const graph = buildGraph({ mode: 'trivial' }).compile({
    checkpointer: new BatonSaver(store, { graph: 'credit' }),
  });
  for (const app of apps) {
    const out = await graph.invoke({ app }, { configurable: { thread_id: THREAD } });
    expect(out.decision).toEqual(oracle(app));
  }
  await store.close();
  history = json<{ versions: Row[] }>(await baton(['history', THREAD, '--json', ...S])).versions;
});

afterAll(() => db.remove());

/** Versions of the thread's root checkpoint headers, in order. */
const headers = () => history.filter((v) => v.step === '$checkpoint');

describe('baton on a LangGraph thread', () => {
  it('history lists every checkpoint and pending write, each created by the node that produced it', () => {
    expect(history[0]).toMatchObject({ version: 1, step: '$thread', createdBy: 'system' });
    // Two invocations of five checkpoints each: input, start, fan-out, risk, approval.
    expect(headers()).toHaveLength(10);
    const slot = (step: string) => history.filter((v) => v.step === step).map((v) => v.createdBy);
    expect(slot('score')).toEqual(['credit-score', 'credit-score']);
    expect(slot('risk')).toEqual(['risk-assessment', 'risk-assessment']);
    expect(slot('decision')).toEqual(['final-approval', 'final-approval']);
    expect(headers().map((h) => h.createdBy)).toContain(
      'credit-score+fraud-detection+income-verification',
    );
    const writers = history.filter((v) => v.step === '$writes').map((v) => v.createdBy);
    expect(new Set(writers)).toEqual(
      new Set([
        '__start__',
        'credit-score',
        'income-verification',
        'fraud-detection',
        'risk-assessment',
        'final-approval',
      ]),
    );
    // Each checkpoint's versions name the checkpoint they continue (its parent's header).
    const [, second] = headers();
    const [first] = headers();
    expect(second!.inputVersion).toBe(first!.version);
  });

  it('diff shows what the second application changed in the graph state', async () => {
    const [end1, end2] = [headers()[4]!, headers()[9]!];
    const diff = json<StateDiff>(
      await baton(['diff', THREAD, String(end1.version), String(end2.version), '--json', ...S]),
    );
    const change = (path: string) => diff.changes.find((c) => c.path === path);
    expect(change('decision.applicationId')).toMatchObject({
      kind: 'changed',
      before: apps[0]!.id,
      after: apps[1]!.id,
    });
    expect(change('app.id')).toMatchObject({ before: apps[0]!.id, after: apps[1]!.id });
  });

  it('bisect finds the version where the second decision was written, and who wrote it', async () => {
    const found = json<{ found: boolean; snapshot: StateSnapshot }>(
      await baton([
        'bisect',
        THREAD,
        '--where',
        'decision.applicationId',
        '==',
        apps[1]!.id,
        '--json',
        ...S,
      ]),
    );
    expect(found.found).toBe(true);
    expect(found.snapshot).toMatchObject({ step: 'decision', createdBy: 'final-approval' });
    expect(found.snapshot.version).toBe(history.filter((v) => v.step === 'decision')[1]!.version);
  });

  it('verify checks the thread’s hash chain', async () => {
    const r = await baton(['verify', THREAD, ...S]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`ok: run ${THREAD}, ${history.length} versions verify`);
  });

  it('show names the graph and every node as a step that succeeded', async () => {
    const view = json<{
      run: { workflow: string; status: string; headVersion: number };
      steps: { step: string; status: string }[];
    }>(await baton(['show', THREAD, '--json', ...S]));
    expect(view.run).toMatchObject({
      workflow: 'langgraph:credit',
      status: 'running',
      headVersion: history.length,
    });
    const steps = new Map(view.steps.map((s) => [s.step, s.status]));
    for (const node of [
      'credit-score',
      'income-verification',
      'fraud-detection',
      'risk-assessment',
      'final-approval',
    ]) {
      expect(steps.get(node)).toBe('succeeded');
    }
  });

  it('runs lists the thread under its graph', async () => {
    const runs = json<{ runs: { runId: string; workflow: string }[] }>(
      await baton(['runs', '--workflow', 'langgraph:credit', '--json', ...S]),
    );
    expect(runs.runs.map((r) => r.runId)).toEqual([THREAD]);
  });
});
