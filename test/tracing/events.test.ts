import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  agent,
  contract,
  createTracing,
  isRunFailedError,
  readTrace,
  renderWaterfall,
  TRACE_NAMES,
  workflow,
} from '../../src/index.js';
import { Application, applications, Risk, RiskIn, Score } from '../orchestrator/fixtures.js';
import { untilStatus } from '../orchestrator/helpers.js';
import { sdk, spansOf, tracedRuntime } from './helpers.js';

const once = { retry: { maxAttempts: 1 } } as const;
const app = applications(1)[0]!;

describe('events on spans', () => {
  it('shows an output contract violation on the attempt and the step, and fails the run span', async () => {
    const score = agent({
      name: 'bad-score',
      version: '1.0.0',
      input: Application,
      output: Score,
      policy: once,
      execute: () => ({ score: 9999 }),
    });
    const wf = workflow('cv', { version: 1, input: Application })
      .step('score', score, { input: (s) => s.input })
      .output((s) => s.score);
    const t = tracedRuntime([wf]);
    const run = await t.rt.start(wf, app);
    expect(isRunFailedError(await run.result().catch((e: unknown) => e))).toBe(true);
    const { one } = spansOf(t.exporter);
    for (const name of ['attempt score', 'step score']) {
      const span = one(name);
      expect(span.status.code).toBe(2);
      expect(span.attributes[TRACE_NAMES.errorCode]).toBe('CONTRACT_VIOLATION');
      const events = span.events.filter((e) => e.name === TRACE_NAMES.contractViolation);
      expect(events).toHaveLength(1);
      expect(events[0]!.attributes).toMatchObject({
        'baton.contract.id': 'test.score@1',
        'baton.contract.boundary': 'agent-output',
      });
      expect(String(events[0]!.attributes!['baton.contract.issues'])).toMatch(/^score: /);
    }
    const root = one('run cv');
    expect(root.status.code).toBe(2);
    expect(root.attributes).toMatchObject({
      [TRACE_NAMES.errorCode]: 'CONTRACT_VIOLATION',
      [TRACE_NAMES.runStatus]: 'failed',
    });
    await t.tracing.flush();
    const text = renderWaterfall(await readTrace(t.store, run.id));
    expect(text).toContain('contract violation test.score@1 (agent-output): score:');
    await t.close();
  });

  it('shows an input contract violation on the step, which made no attempt', async () => {
    const risk = agent({
      name: 'risk',
      version: '1.0.0',
      input: RiskIn,
      output: Risk,
      execute: () => ({ rating: 'A' as const }),
    });
    const wf = workflow('cv-in', { version: 1, input: Application })
      .step('risk', risk, { input: (s) => ({ score: s.input.id }) as never })
      .output((s) => s.risk);
    const t = tracedRuntime([wf]);
    await t.rt
      .start(wf, app)
      .then((r) => r.result())
      .catch(() => {});
    const { one, byName } = spansOf(t.exporter);
    expect(byName('attempt risk')).toHaveLength(0);
    const step = one('step risk');
    const event = step.events.find((e) => e.name === TRACE_NAMES.contractViolation);
    expect(event?.attributes).toMatchObject({
      'baton.contract.id': 'test.risk-in@1',
      'baton.contract.boundary': 'agent-input',
    });
    await t.close();
  });

  it('puts a breaker transition on the affected step, its open attempt and its run only', async () => {
    const { exporter, provider } = sdk();
    const tracing = createTracing({ tracer: provider.getTracer('baton') });
    const base = { 'baton.workflow': 'w', 'baton.workflow.version': 1 };
    const runA = tracing.run('run-a', base);
    const runB = tracing.run('run-b', base);
    const agentAttrs = (step: string, agentName: string) => ({
      'baton.step': step,
      'baton.agent': agentName,
      'baton.agent.version': '1.0.0',
    });
    const hit = runA.step('score', agentAttrs('score', 'score'));
    const hitAttempt = hit.attempt(1);
    const other = runB.step('fraud', agentAttrs('fraud', 'fraud'));
    tracing.breakerTransition({
      breaker: 'score@1.0.0',
      from: 'closed',
      to: 'open',
      at: 0,
      reason: '5 consecutive failures',
    });
    hitAttempt.end();
    hit.end('failed');
    other.end('succeeded');
    runA.end('failed');
    runB.end('completed');
    // A transition after the step ended reaches nobody.
    tracing.breakerTransition({
      breaker: 'score@1.0.0',
      from: 'open',
      to: 'half_open',
      at: 1,
      reason: 'reset',
    });
    const { one } = spansOf(exporter);
    const transitions = (name: string) =>
      one(name).events.filter((e) => e.name === TRACE_NAMES.breakerTransition);
    for (const name of ['step score', 'attempt score']) {
      expect(transitions(name).map((e) => e.attributes)).toEqual([
        {
          'baton.breaker': 'score@1.0.0',
          'baton.breaker.from': 'closed',
          'baton.breaker.to': 'open',
          'baton.breaker.reason': '5 consecutive failures',
        },
      ]);
    }
    const runs = spansOf(exporter).byName('run w');
    const byRun = (id: string) => runs.find((r) => r.attributes['baton.run.id'] === id)!;
    expect(
      byRun('run-a').events.filter((e) => e.name === TRACE_NAMES.breakerTransition),
    ).toHaveLength(1);
    expect(byRun('run-b').events).toHaveLength(0);
    expect(transitions('step fraud')).toHaveLength(0);
    await provider.shutdown();
  });

  it('shows a step rejected by an open breaker as failed with CIRCUIT_OPEN and no attempt', async () => {
    const flaky = agent({
      name: 'flaky',
      version: '1.0.0',
      input: Application,
      output: Score,
      policy: {
        retry: { maxAttempts: 1 },
        breaker: { failureThreshold: 1, resetAfterMs: 3_600_000 },
      },
      execute: () => {
        throw new Error('down');
      },
    });
    const wf = workflow('breaker', { version: 1, input: Application })
      .step('score', flaky, { input: (s) => s.input })
      .output((s) => s.score);
    const t = tracedRuntime([wf]);
    const first = await t.rt.start(wf, app);
    await first.result().catch(() => {});
    const second = await t.rt.start(wf, applications(2)[1]!);
    await second.result().catch(() => {});
    const steps = spansOf(t.exporter).byName('step score');
    const stepOf = (runId: string) => steps.find((s) => s.attributes['baton.run.id'] === runId)!;
    expect(stepOf(first.id).attributes[TRACE_NAMES.errorCode]).toBe('AGENT_FAILED');
    expect(stepOf(second.id).attributes[TRACE_NAMES.errorCode]).toBe('CIRCUIT_OPEN');
    const attempts = spansOf(t.exporter).byName('attempt score');
    expect(attempts.map((a) => a.attributes['baton.run.id'])).toEqual([first.id]);
    await t.close();
  });

  it('traces compensations as steps of the run that compensates', async () => {
    const undone: string[] = [];
    const score = agent({
      name: 'score',
      version: '1.0.0',
      input: Application,
      output: Score,
      policy: once,
      execute: () => ({ score: 700 }),
      compensate: (out) => {
        undone.push(`score ${out.score}`);
      },
    });
    const risk = agent({
      name: 'risk',
      version: '1.0.0',
      input: RiskIn,
      output: Risk,
      policy: once,
      execute: () => {
        throw new Error('risk engine down');
      },
    });
    const wf = workflow('saga', { version: 1, input: Application })
      .step('score', score, { input: (s) => s.input })
      .step('risk', risk, {
        needs: ['score'],
        input: (s) => ({ score: s.score.score, verified: 1, debt: 0 }),
      })
      .output((s) => s.risk);
    const t = tracedRuntime([wf]);
    const run = await t.rt.start(wf, app);
    await run.result().catch(() => {});
    expect(undone).toEqual(['score 700']);
    const { one, parentOf, idOf } = spansOf(t.exporter);
    const comp = one('compensate score');
    expect(parentOf(comp)).toBe(idOf(one('run saga')));
    expect(comp.attributes).toMatchObject({ 'baton.compensation': true, 'baton.step': 'score' });
    expect(comp.status.code).toBe(1);
    expect(parentOf(one('attempt compensate score'))).toBe(idOf(comp));
    expect(one('run saga').attributes[TRACE_NAMES.runStatus]).toBe('compensated');
    await t.close();
  });

  it('records a wait on the run span and links the resumed drive to the one that waited', async () => {
    const Review = contract('test.trace-review@1', z.object({ ok: z.boolean() }));
    const score = agent({
      name: 'score',
      version: '1.0.0',
      input: Application,
      output: Score,
      execute: () => ({ score: 700 }),
    });
    const wf = workflow('review', { version: 1, input: Application })
      .step('score', score, { input: (s) => s.input })
      .wait('review', { contract: Review, needs: ['score'] })
      .output((s) => s.review);
    const t = tracedRuntime([wf]);
    const run = await t.rt.start(wf, app);
    await untilStatus(t.rt, run.id, 'waiting');
    // The waiting drive's span ends right after its commit; wait for it (bounded, no timer).
    for (let i = 0; i < 10_000 && spansOf(t.exporter).byName('run review').length === 0; i++)
      await new Promise((r) => setImmediate(r));
    await t.rt.signal(run.id, 'review', { ok: true });
    expect(await run.result()).toEqual({ ok: true });
    const drives = spansOf(t.exporter)
      .byName('run review')
      .sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
    expect(drives).toHaveLength(2);
    const [waited, resumed] = drives as [(typeof drives)[0], (typeof drives)[0]];
    expect(waited.attributes[TRACE_NAMES.runStatus]).toBe('waiting');
    expect(waited.events.find((e) => e.name === 'wait.started')?.attributes).toMatchObject({
      'baton.step': 'review',
    });
    expect(resumed.links.map((l) => l.context.spanId)).toEqual([waited.spanContext().spanId]);
    expect(resumed.attributes[TRACE_NAMES.previousSpan]).toBe(waited.spanContext().spanId);
    expect(resumed.attributes[TRACE_NAMES.runStatus]).toBe('completed');
    await t.tracing.flush();
    const stored = await readTrace(t.store, run.id);
    expect(stored.filter((s) => s.depth === 0).map((s) => s.spanId)).toEqual(
      drives.map((d) => d.spanContext().spanId),
    );
    expect(renderWaterfall(stored)).toContain('↳ wait.started baton.step=review');
    await t.close();
  });
});
