import { describe, expect, it } from 'vitest';
import {
  agent,
  type EvaluationRecord,
  type Evaluator,
  type EvaluatorSpec,
  isContractViolationError,
  isRunFailedError,
  readTrace,
  renderWaterfall,
  runEvaluators,
  TRACE_NAMES,
  workflow,
} from '../../src/index.js';
import { type App, Application, Score, scoreOf } from '../orchestrator/fixtures.js';
import { spansOf, tracedRuntime } from './helpers.js';

const ctx = { runId: 'r1', step: 'score', attempt: 1, agent: 'score@1.0.0' };

/** A random source that replays the given draws and counts how many were taken. */
function draws(...values: number[]) {
  let i = 0;
  const random = () => {
    const v = values[i++];
    if (v === undefined) throw new Error('random drawn more often than expected');
    return v;
  };
  return { random, taken: () => i };
}

describe('runEvaluators', () => {
  it('runs plain functions always and specs at their sample rate, drawing in list order', async () => {
    const calls: string[] = [];
    const plain: Evaluator = function plausible() {
      calls.push('plausible');
      return { score: 0.9 };
    };
    const spec = (name: string, sampleRate: number): EvaluatorSpec => ({
      name,
      sampleRate,
      fn: () => {
        calls.push(name);
        return { score: 0.5, label: 'meh' };
      },
    });
    const r = draws(0.3, 0.7);
    const records = await runEvaluators(
      [plain, spec('half-a', 0.5), spec('half-b', 0.5), spec('never', 0), spec('always', 1)],
      {},
      {},
      { ...ctx, random: r.random },
    );
    expect(r.taken()).toBe(2); // rates 0 and 1 need no draw
    expect(calls.sort()).toEqual(['always', 'half-a', 'plausible']);
    expect(records.map((x) => x.evaluator)).toEqual(['plausible', 'half-a', 'always']);
    expect(records[1]).toEqual({ evaluator: 'half-a', score: 0.5, label: 'meh', passed: true });
  });

  it('passes input, output and where the call happened to the evaluator', async () => {
    const seen: unknown[] = [];
    await runEvaluators(
      [
        (input, output, c) => {
          seen.push(input, output, c);
          return { score: 1 };
        },
      ],
      { a: 1 },
      { b: 2 },
      { ...ctx, random: () => 0 },
    );
    expect(seen).toEqual([{ a: 1 }, { b: 2 }, { runId: 'r1', step: 'score', attempt: 1 }]);
  });

  it('names unnamed functions by position', async () => {
    const records = await runEvaluators([() => ({ score: 0.2 })], null, null, {
      ...ctx,
      random: () => 0,
    });
    expect(records[0]!.evaluator).toBe('evaluator-1');
  });

  it('rejects a malformed result with a clear error naming the evaluator', async () => {
    const bad = async (result: unknown) =>
      runEvaluators([{ name: 'judge', fn: () => result as never }], 1, 2, {
        ...ctx,
        random: () => 0,
      }).catch((e: unknown) => e);
    for (const [result, message] of [
      [{ score: 1.5 }, /evaluator 'judge' must return a score in \[0, 1\], got 1.5/],
      [{ score: Number.NaN }, /got NaN/],
      [{ score: '0.5' }, /got 0.5/],
      [undefined, /must return \{ score, label\?, rationale\? \}/],
      [{ score: 0.5, label: 3 }, /label must be a string/],
    ] as const) {
      const e = await bad(result);
      expect(isContractViolationError(e)).toBe(true);
      expect(e).toMatchObject({ contractId: 'evaluator:judge', boundary: 'value' });
      expect((e as Error).message).toMatch(message);
    }
  });

  it('reports every record, then rejects when a gate scores below its minScore', async () => {
    const reported: EvaluationRecord[] = [];
    const e = await runEvaluators(
      [
        { name: 'tone', fn: () => ({ score: 0.9 }) },
        { name: 'faithful', minScore: 0.7, fn: () => ({ score: 0.4, rationale: 'made up' }) },
      ],
      {},
      {},
      { ...ctx, random: () => 0, onRecord: (r) => reported.push(r) },
    ).catch((x: unknown) => x);
    expect(reported.map((r) => [r.evaluator, r.passed])).toEqual([
      ['tone', true],
      ['faithful', false],
    ]);
    expect(isContractViolationError(e)).toBe(true);
    expect(e).toMatchObject({
      contractId: 'evaluator:faithful',
      boundary: 'agent-output',
      step: 'score',
      agent: 'score@1.0.0',
      issues: [{ path: [], message: "evaluator 'faithful' scored 0.4, below its minScore 0.7" }],
    });
  });

  it('passes a gate at exactly its minScore', async () => {
    const records = await runEvaluators(
      [{ name: 'g', minScore: 0.5, fn: () => ({ score: 0.5 }) }],
      {},
      {},
      { ...ctx, random: () => 0 },
    );
    expect(records[0]).toMatchObject({ passed: true, minScore: 0.5 });
  });
});

/** A score workflow whose agent and step both carry evaluators. */
function evaluatedWorkflow(opts: { gate?: number; sampleRate?: number; calls?: { n: number } }) {
  const score = agent({
    name: 'score',
    version: '1.0.0',
    input: Application,
    output: Score,
    policy: { retry: { maxAttempts: 3, backoff: { initialMs: 0, jitter: 0 } } },
    execute: (a) => {
      if (opts.calls) opts.calls.n++;
      return { score: scoreOf(a as App) };
    },
    evaluate: [
      {
        name: 'in-range',
        fn: (_input, output) => ({ score: output.score >= 600 ? 1 : 0.2, label: 'range' }),
        ...(opts.gate !== undefined ? { minScore: opts.gate } : {}),
      },
    ],
  });
  return workflow('evaluated', { version: 1, input: Application })
    .step('score', score, {
      input: (s) => s.input,
      evaluate: [
        {
          name: 'sampled',
          sampleRate: opts.sampleRate ?? 1,
          fn: () => ({ score: 0.75, rationale: 'looks fine' }),
        },
      ],
    })
    .output((s) => s.score);
}

const good: App = { id: 'g', income: 1, debt: 0, history: 0.9, flags: 0 };
const poor: App = { id: 'p', income: 1, debt: 0, history: 0.1, flags: 0 };

describe('evaluators in a run', () => {
  it('lands scores on the attempt span and stores them with the version the step wrote', async () => {
    const wf = evaluatedWorkflow({});
    const t = tracedRuntime([wf]);
    const run = await t.rt.start(wf, good);
    await run.result();
    const attempt = spansOf(t.exporter).one('attempt score');
    expect(attempt.attributes).toMatchObject({
      'baton.evaluation.in-range.score': 1,
      'baton.evaluation.in-range.passed': true,
      'baton.evaluation.sampled.score': 0.75,
    });
    const events = attempt.events.filter((e) => e.name === TRACE_NAMES.evaluation);
    expect(events.map((e) => e.attributes?.['baton.evaluator'])).toEqual(['in-range', 'sampled']);
    expect(events[1]!.attributes).toMatchObject({ 'baton.evaluation.rationale': 'looks fine' });

    await t.tracing.flush();
    const version = (await t.rt.history(run.id)).find((h) => h.step === 'score')!.version;
    const stored = await t.store.queryRecords({ kind: 'evaluation', runId: run.id });
    expect(stored).toHaveLength(1);
    expect(stored[0]!.key).toBe(`${run.id}:score:1`);
    expect(stored[0]!.body).toMatchObject({
      step: 'score',
      attempt: 1,
      version,
      spanId: attempt.spanContext().spanId,
      evaluations: [
        { evaluator: 'in-range', score: 1, passed: true, label: 'range' },
        { evaluator: 'sampled', score: 0.75, passed: true, rationale: 'looks fine' },
      ],
    });
    expect(renderWaterfall(await readTrace(t.store, run.id))).toContain(
      'evaluation in-range: 1 passed',
    );
    await t.close();
  });

  it('records the scores in the lineage of the value they judged', async () => {
    const wf = evaluatedWorkflow({});
    const t = tracedRuntime([wf]);
    const run = await t.rt.start(wf, poor);
    await run.result();
    await t.tracing.flush();
    const l = await t.rt.lineage(run.id, 'score.score');
    expect(l.root.slot).toBe('score');
    expect(l.root.evaluations).toEqual([
      { evaluator: 'in-range', score: 0.2, passed: true, label: 'range' },
      { evaluator: 'sampled', score: 0.75, passed: true },
    ]);
    // The input was judged by nobody.
    expect(l.root.derivedFrom.map((n) => [n.slot, n.evaluations])).toEqual([['input', []]]);
    await t.close();
  });

  it('samples with the runtime random: a draw above the rate skips the evaluator', async () => {
    for (const [draw, expected] of [
      [0.9, undefined],
      [0.1, 0.75],
    ] as const) {
      const wf = evaluatedWorkflow({ sampleRate: 0.5 });
      const t = tracedRuntime([wf], { runtime: { random: () => draw } });
      await (await t.rt.start(wf, good)).result();
      const attempt = spansOf(t.exporter).one('attempt score');
      expect(attempt.attributes['baton.evaluation.sampled.score']).toBe(expected);
      expect(attempt.attributes['baton.evaluation.in-range.score']).toBe(1);
      await t.close();
    }
  });

  it('rejects the handoff below minScore like a contract violation: no retry, run fails, nothing written', async () => {
    const calls = { n: 0 };
    const wf = evaluatedWorkflow({ gate: 0.5, calls });
    const t = tracedRuntime([wf]);
    const run = await t.rt.start(wf, poor);
    const error = await run.result().catch((e: unknown) => e);
    expect(isRunFailedError(error)).toBe(true);
    expect(calls.n).toBe(1); // terminal, like an output contract violation
    const failed = (await t.rt.getRun(run.id)).error;
    expect(failed).toMatchObject({ code: 'CONTRACT_VIOLATION' });
    expect(failed?.details).toMatchObject({
      contractId: 'evaluator:in-range',
      boundary: 'agent-output',
    });
    expect((await t.rt.history(run.id)).map((h) => h.step)).not.toContain('score');
    const attempt = spansOf(t.exporter).one('attempt score');
    expect(attempt.status.code).toBe(2);
    expect(attempt.attributes['baton.evaluation.in-range.passed']).toBe(false);
    const violation = attempt.events.find((e) => e.name === TRACE_NAMES.contractViolation);
    expect(violation?.attributes).toMatchObject({ 'baton.contract.id': 'evaluator:in-range' });
    await t.tracing.flush();
    const [stored] = await t.store.queryRecords({ kind: 'evaluation', runId: run.id });
    expect(stored?.body).toMatchObject({
      version: null,
      evaluations: [
        { evaluator: 'in-range', score: 0.2, passed: false, minScore: 0.5 },
        { evaluator: 'sampled', passed: true },
      ],
    });
    expect(renderWaterfall(await readTrace(t.store, run.id))).toContain(
      'evaluation in-range: 0.2 (min 0.5) REJECTED',
    );
    await t.close();
  });

  it('lets a gate pass good output through unchanged', async () => {
    const wf = evaluatedWorkflow({ gate: 0.5 });
    const t = tracedRuntime([wf]);
    const run = await t.rt.start(wf, good);
    expect(await run.result()).toEqual({ score: scoreOf(good) });
    const attempt = spansOf(t.exporter).one('attempt score');
    expect(attempt.attributes['baton.evaluation.in-range.passed']).toBe(true);
    expect(attempt.status.code).toBe(1);
    await t.close();
  });
});
