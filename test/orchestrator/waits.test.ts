import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type Alert,
  agent,
  contract,
  createRuntime,
  isContractViolationError,
  memoryStore,
  workflow,
} from '../../src/index.js';
import { FakeClock } from '../../src/testing/index.js';
import { Application, applications, Score } from './fixtures.js';
import { untilStatus } from './helpers.js';

const Review = contract(
  'test.review@1',
  z.object({ approved: z.boolean(), by: z.string().min(1) }),
);
const Verdict = contract('test.verdict@1', z.object({ approved: z.boolean(), score: z.number() }));

function reviewFlow(
  calls: { score: number; verdict: number },
  wait: { timeoutMs?: number; onTimeout?: 'fail' | 'skip' } = {},
) {
  const score = agent({
    name: 'wscore',
    version: '1.0.0',
    input: Application,
    output: Score,
    execute: () => {
      calls.score++;
      return { score: 700 };
    },
  });
  const verdict = agent({
    name: 'verdict',
    version: '1.0.0',
    input: contract('test.verdict-in@1', z.object({ approved: z.boolean(), score: z.number() })),
    output: Verdict,
    execute: (i) => {
      calls.verdict++;
      return { approved: i.approved, score: i.score };
    },
  });
  return workflow('review-flow', { version: 1, input: Application })
    .step('score', score, { input: (s) => s.input })
    .wait('review', { contract: Review, needs: ['score'], ...wait })
    .step('verdict', verdict, {
      needs: ['review', 'score'],
      input: (s) => ({
        approved: 'skipped' in s.review ? false : s.review.approved,
        score: s.score.score,
      }),
    })
    .output((s) => s.verdict);
}

describe('durable waits and human review', () => {
  it('waits for a signal, refuses a bad payload, and resumes without re-running done steps', async () => {
    const calls = { score: 0, verdict: 0 };
    const wf = reviewFlow(calls);
    const rt = createRuntime({ store: memoryStore(), workflows: [wf] });
    const run = await rt.start(wf, applications(1)[0]!);
    await untilStatus(rt, run.id, 'waiting');
    expect((await rt.getRun(run.id)).waitingFor).toBe('review');

    const bad = await rt.signal(run.id, 'review', { approved: 'yes' }).catch((e: unknown) => e);
    expect(isContractViolationError(bad)).toBe(true);
    expect(bad).toMatchObject({ boundary: 'signal', contractId: 'test.review@1' });
    expect(await run.status()).toBe('waiting');
    await expect(rt.signal(run.id, 'nope', {})).rejects.toThrow(/not waiting for 'nope'/);

    await rt.signal(run.id, 'review', { approved: true, by: 'ana' });
    expect(await run.result()).toEqual({ approved: true, score: 700 });
    expect(calls).toEqual({ score: 1, verdict: 1 });
    const signalVersion = (await rt.history(run.id)).find((h) => h.step === 'review')!;
    expect(signalVersion).toMatchObject({
      createdBy: 'signal',
      tag: 'signal',
      contract: 'test.review@1',
    });
    await expect(rt.signal(run.id, 'review', { approved: true, by: 'ana' })).rejects.toThrow(
      /not waiting/,
    );
    await rt.close();
  });

  it('applies onTimeout when a wait passes its deadline (fake clock, no real waiting)', async () => {
    const clock = new FakeClock(1_000_000);
    const calls = { score: 0, verdict: 0 };
    const wf = reviewFlow(calls, { timeoutMs: 60_000, onTimeout: 'skip' });
    const rt = createRuntime({ store: memoryStore(), workflows: [wf], clock, pollMs: 1000 });
    const run = await rt.start(wf, applications(1)[0]!);
    await untilStatus(rt, run.id, 'waiting');
    await clock.advance(30_000);
    expect(await run.status()).toBe('waiting');
    await clock.advance(32_000);
    expect(await run.result()).toEqual({ approved: false, score: 700 });
    const review = (await rt.history(run.id)).find((h) => h.step === 'review')!;
    expect(review.tag).toBe('skipped');
    await rt.close();
  });

  it("puts a failing step with onFailure 'human' up for review and takes the reviewer's output", async () => {
    const alerts: Alert[] = [];
    const flaky = agent({
      name: 'needs-human',
      version: '1.0.0',
      input: Application,
      output: Score,
      policy: { onFailure: 'human', retry: { maxAttempts: 2, backoff: { initialMs: 0 } } },
      execute: () => {
        throw new Error('model unsure');
      },
    });
    const wf = workflow('human-flow', { version: 1, input: Application })
      .step('score', flaky, { input: (s) => s.input })
      .output((s) => s.score);
    const rt = createRuntime({
      store: memoryStore(),
      workflows: [wf],
      onAlert: (a) => void alerts.push(a),
    });
    const run = await rt.start(wf, applications(1)[0]!);
    await untilStatus(rt, run.id, 'waiting');
    expect(alerts).toMatchObject([{ kind: 'review', runId: run.id, step: 'score' }]);
    await expect(rt.signal(run.id, 'score', { score: 10 })).rejects.toThrow(
      /violates contract 'test.score@1'/,
    );
    await rt.signal(run.id, 'score', { score: 640 });
    expect(await run.result()).toEqual({ score: 640 });
    await rt.close();
  });

  it('skips a conditional wait whose condition is false, without waiting', async () => {
    const wf = workflow('maybe-review', { version: 1, input: Application })
      .wait('review', { contract: Review, when: (s) => s.input.income > 1e9 })
      .output((s) => ('skipped' in s.review ? 'no review needed' : 'reviewed'));
    const rt = createRuntime({ store: memoryStore(), workflows: [wf] });
    const run = await rt.start(wf, applications(1)[0]!);
    expect(await run.result()).toBe('no review needed');
    expect((await rt.journal(run.id)).some((j) => j.type === 'wait.started')).toBe(false);
    await rt.close();
  });
});
