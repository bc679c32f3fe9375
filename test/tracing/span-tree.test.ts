import { context, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import {
  agent,
  type Policy,
  readTrace,
  renderWaterfall,
  TRACE_NAMES,
  workflow,
} from '../../src/index.js';
import {
  type App,
  Application,
  Fraud,
  flaggedOf,
  Income,
  Risk,
  RiskIn,
  ratingOf,
  Score,
  scoreOf,
  verifiedOf,
} from '../orchestrator/fixtures.js';
import { barrier, sdk, spansOf, tracedRuntime } from './helpers.js';

const retryOnce = {
  retry: { maxAttempts: 2, backoff: { initialMs: 0, jitter: 0 } },
} satisfies Policy;

/**
 * Score, income and fraud run in parallel and meet at a barrier on their first attempt (so
 * their spans really overlap); score then fails its first attempt and succeeds on the second.
 * Each attempt reports two model calls and opens an "llm" child span under `ctx.span`.
 */
function parallelWorkflow(tracer: ReturnType<ReturnType<typeof sdk>['provider']['getTracer']>) {
  const meet = barrier(3);
  const call = async (step: string, ctx: Parameters<Parameters<typeof agent>[0]['execute']>[1]) => {
    if (ctx.attempt === 1) await meet.arrive();
    const llm = tracer.startSpan(`llm ${step}`, {}, trace.setSpan(context.active(), ctx.span));
    ctx.usage({ model: 'judge-small', inputTokens: 100, outputTokens: 10 });
    ctx.usage({ model: 'judge-large', inputTokens: 20, outputTokens: 5 });
    llm.end();
    if (step === 'score' && ctx.attempt === 1) throw new Error('model overloaded');
  };
  const score = agent({
    name: 'score',
    version: '1.2.0',
    input: Application,
    output: Score,
    policy: retryOnce,
    execute: async (a, ctx) => {
      await call('score', ctx);
      return { score: scoreOf(a as App) };
    },
  });
  const income = agent({
    name: 'income',
    version: '1.0.0',
    input: Application,
    output: Income,
    policy: retryOnce,
    execute: async (a, ctx) => {
      await call('income', ctx);
      return { verified: verifiedOf(a as App) };
    },
  });
  const fraud = agent({
    name: 'fraud',
    version: '1.0.0',
    input: Application,
    output: Fraud,
    policy: retryOnce,
    execute: async (a, ctx) => {
      await call('fraud', ctx);
      return { flagged: flaggedOf(a as App) };
    },
  });
  const risk = agent({
    name: 'risk',
    version: '1.0.0',
    input: RiskIn,
    output: Risk,
    execute: (r) => ({ rating: ratingOf(r.score, r.verified, r.debt) }),
  });
  return workflow('parallel', { version: 3, input: Application })
    .step('score', score, { input: (s) => s.input })
    .step('income', income, { input: (s) => s.input })
    .step('fraud', fraud, { input: (s) => s.input })
    .step('risk', risk, {
      needs: ['score', 'income', 'fraud'],
      input: (s) => ({ score: s.score.score, verified: s.income.verified, debt: s.input.debt }),
    })
    .output((s) => s.risk);
}

const app: App = { id: 'a1', income: 90_000, debt: 10_000, history: 0.8, flags: 0 };

describe('span tree of a run with parallel steps and retries', () => {
  it('puts parallel steps under their run and every attempt and model call under its own parent', async () => {
    const telemetry = sdk();
    const wf = parallelWorkflow(telemetry.provider.getTracer('agents'));
    const t = tracedRuntime([wf], { sdk: telemetry });
    const run = await t.rt.start(wf, app);
    await run.result();
    await t.tracing.flush();
    const { all, byName, one, parentOf, idOf } = spansOf(t.exporter);

    const root = one('run parallel');
    expect(root.parentSpanContext).toBeUndefined();
    const steps = ['score', 'income', 'fraud', 'risk'].map((n) => one(`step ${n}`));
    for (const s of steps) expect(parentOf(s)).toBe(idOf(root));
    // The three parallel steps really overlapped in time (they met at a barrier).
    const [sc, inc, fr] = steps as [ReadableSpan, ReadableSpan, ReadableSpan];
    const startMs = (s: ReadableSpan) => s.startTime[0] * 1e3 + s.startTime[1] / 1e6;
    const endMs = (s: ReadableSpan) => s.endTime[0] * 1e3 + s.endTime[1] / 1e6;
    expect(Math.max(startMs(sc), startMs(inc), startMs(fr))).toBeLessThan(
      Math.min(endMs(sc), endMs(inc), endMs(fr)),
    );

    const stepByName = new Map(steps.map((s) => [s.attributes['baton.step'], s]));
    const attempts = byName('attempt score')
      .concat(byName('attempt income'), byName('attempt fraud'), byName('attempt risk'))
      .sort(
        (a, b) => Number(a.attributes['baton.attempt']) - Number(b.attributes['baton.attempt']),
      );
    expect(attempts).toHaveLength(5);
    for (const a of attempts) {
      expect(parentOf(a)).toBe(idOf(stepByName.get(a.attributes['baton.step'])!));
      expect(a.spanContext().traceId).toBe(root.spanContext().traceId);
    }
    const scoreAttempts = byName('attempt score').sort(
      (a, b) => Number(a.attributes['baton.attempt']) - Number(b.attributes['baton.attempt']),
    );
    expect(scoreAttempts.map((a) => a.attributes['baton.attempt'])).toEqual([1, 2]);
    expect(scoreAttempts[0]!.status.code).toBe(2); // ERROR
    expect(scoreAttempts[0]!.attributes[TRACE_NAMES.errorCode]).toBe('AGENT_FAILED');
    expect(scoreAttempts[0]!.events.map((e) => e.name)).toContain('exception');
    expect(scoreAttempts[1]!.status.code).toBe(1); // OK
    expect(one('step score').events.map((e) => e.name)).toContain(TRACE_NAMES.retry);

    // Each model call span is under the attempt that made it (four attempts made calls).
    const llm = all.filter((s) => s.name.startsWith('llm '));
    expect(llm).toHaveLength(4);
    const attemptIds = new Set(attempts.map(idOf));
    for (const l of llm) {
      const parent = attempts.find((a) => idOf(a) === parentOf(l));
      expect(attemptIds.has(parentOf(l)!)).toBe(true);
      expect(l.name).toBe(`llm ${parent!.attributes['baton.step']}`);
    }
    await t.close();
  });

  it('records versions in and out that match the run history, and agent identities', async () => {
    const telemetry = sdk();
    const wf = parallelWorkflow(telemetry.provider.getTracer('agents'));
    const t = tracedRuntime([wf], { sdk: telemetry });
    const run = await t.rt.start(wf, app);
    await run.result();
    const history = await t.rt.history(run.id);
    const { one, byName } = spansOf(t.exporter);
    for (const name of ['score', 'income', 'fraud', 'risk']) {
      const snap = history.find((h) => h.step === name)!;
      const step = one(`step ${name}`);
      expect(step.attributes[TRACE_NAMES.versionIn]).toBe(snap.inputVersion);
      expect(step.attributes[TRACE_NAMES.versionOut]).toBe(snap.version);
      const [agentName, agentVersion] = snap.createdBy.split('@');
      for (const span of [step, ...byName(`attempt ${name}`)]) {
        expect(span.attributes).toMatchObject({
          'baton.run.id': run.id,
          'baton.workflow': 'parallel',
          'baton.workflow.version': 3,
          'baton.step': name,
          'baton.agent': agentName,
          'baton.agent.version': agentVersion,
          [TRACE_NAMES.versionIn]: snap.inputVersion,
        });
      }
    }
    const root = one('run parallel');
    expect(root.attributes).toMatchObject({
      'baton.run.id': run.id,
      [TRACE_NAMES.versionIn]: 1,
      [TRACE_NAMES.versionOut]: history[history.length - 1]!.version,
      [TRACE_NAMES.runStatus]: 'completed',
    });
    await t.close();
  });

  it('sets GenAI attributes per attempt (tokens summed, first model kept) and totals them on the run', async () => {
    const telemetry = sdk();
    const wf = parallelWorkflow(telemetry.provider.getTracer('agents'));
    const t = tracedRuntime([wf], { sdk: telemetry });
    await (await t.rt.start(wf, app)).result();
    const { all, one } = spansOf(t.exporter);
    const withUsage = all.filter((s) => s.name.startsWith('attempt ') && s.name !== 'attempt risk');
    expect(withUsage).toHaveLength(4);
    for (const a of withUsage) {
      expect(a.attributes).toMatchObject({
        [TRACE_NAMES.model]: 'judge-small',
        [TRACE_NAMES.inputTokens]: 120,
        [TRACE_NAMES.outputTokens]: 15,
      });
    }
    expect(one('attempt risk').attributes[TRACE_NAMES.model]).toBeUndefined();
    expect(one('step score').attributes[TRACE_NAMES.totalInputTokens]).toBe(240);
    expect(one('run parallel').attributes).toMatchObject({
      [TRACE_NAMES.totalInputTokens]: 4 * 120,
      [TRACE_NAMES.totalOutputTokens]: 4 * 15,
    });
    await t.close();
  });

  it('keeps the same tree in the built-in store and renders it as a waterfall', async () => {
    const telemetry = sdk();
    const wf = parallelWorkflow(telemetry.provider.getTracer('agents'));
    const t = tracedRuntime([wf], { sdk: telemetry });
    const run = await t.rt.start(wf, app);
    await run.result();
    await t.tracing.flush();
    const stored = await readTrace(t.store, run.id);
    // Baton's own spans (not the agents' llm spans, which went to the SDK only).
    const exported = spansOf(t.exporter).all.filter((s) => !s.name.startsWith('llm '));
    expect(stored).toHaveLength(exported.length);
    const key = (id: string, parent: string | null | undefined, name: string) =>
      `${id}<${parent ?? '-'}:${name}`;
    expect(new Set(stored.map((s) => key(s.spanId, s.parentSpanId, s.name)))).toEqual(
      new Set(
        exported.map((s) => key(s.spanContext().spanId, s.parentSpanContext?.spanId, s.name)),
      ),
    );
    // Depth-first with depths: run, then each step followed by its attempts.
    expect(stored[0]).toMatchObject({ kind: 'run', depth: 0, status: 'ok' });
    for (let i = 1; i < stored.length; i++) {
      const s = stored[i]!;
      expect(s.depth).toBe(s.kind === 'step' ? 1 : 2);
      if (s.kind === 'attempt') {
        let j = i - 1;
        while (stored[j]!.kind !== 'step') j--;
        expect(s.parentSpanId).toBe(stored[j]!.spanId);
      }
    }
    const failed = stored.find((s) => s.kind === 'attempt' && s.status === 'error')!;
    expect(failed.attributes[TRACE_NAMES.errorCode]).toBe('AGENT_FAILED');
    expect(
      failed.events.some((e) => e.attributes['exception.message'] === 'model overloaded'),
    ).toBe(true);

    const text = renderWaterfall(stored, { width: 100 });
    const lines = text.split('\n');
    expect(lines[0]).toContain(`trace of run ${run.id}`);
    const line = (prefix: string) => lines.find((l) => l.trimStart().startsWith(prefix)) ?? '';
    expect(line('run parallel')).toMatch(/ ok .*v1→v\d/);
    expect(line('step score')).toMatch(/v1→v\d .*score@1\.2\.0/);
    expect(line('attempt score #1')).toMatch(/error .*AGENT_FAILED: model overloaded/);
    expect(line('attempt score #2')).toMatch(/ ok .*tokens 120\/15 judge-small/);
    expect(text).toContain('↳ retry: attempt 2');
    // Names are indented by depth, and every span has a bar.
    expect(line('step score').startsWith('  step score')).toBe(true);
    expect(lines.find((l) => l.includes('attempt score #1'))!.startsWith('    attempt')).toBe(true);
    const spanLines = lines.filter((l) => /^\s*(run|step|attempt) /.test(l));
    expect(spanLines).toHaveLength(stored.length);
    for (const l of spanLines) expect(l).toContain('█');
    await t.close();
  });
});
