import { describe, expect, it } from 'vitest';
import type { ErrorInfo, JournalEntry } from '../index.js';
import { summarizeCompensations, summarizeSteps } from './run-summary.js';

const err = (message: string): ErrorInfo => ({
  name: 'Error',
  code: 'AGENT_FAILED',
  message,
  retryable: true,
});

let seq = 0;
function j(
  type: JournalEntry['type'],
  step: string | null,
  at: number,
  extra: Partial<JournalEntry> = {},
): JournalEntry {
  return {
    runId: 'r',
    seq: ++seq,
    type,
    step,
    attempt: null,
    at,
    durationMs: null,
    inputVersion: null,
    version: null,
    error: null,
    detail: null,
    ...extra,
  };
}

describe('step summaries', () => {
  it('folds retries, failures, reviews and signals into one line per step, in start order', () => {
    const journal = [
      j('run.started', null, 0, { version: 1 }),
      j('step.started', 'score', 10, { inputVersion: 1 }),
      j('step.started', 'risk', 11, { inputVersion: 1 }),
      j('attempt.failed', 'score', 20, { attempt: 1, error: err('timeout') }),
      j('step.succeeded', 'score', 40, { attempt: 2, durationMs: 30, version: 2 }),
      j('step.failed', 'risk', 50, { attempt: 1, error: err('down'), detail: { review: true } }),
      j('step.started', 'fraud', 60, { inputVersion: 2 }),
      j('attempt.failed', 'fraud', 61, { attempt: 1, error: err('boom') }),
      j('step.failed', 'fraud', 62, { attempt: 1, error: err('boom') }),
      j('wait.started', 'approval', 70, { inputVersion: 2 }),
      j('signal.received', 'approval', 90, { version: 3 }),
    ];
    const steps = summarizeSteps(journal);
    expect(steps.map((s) => [s.step, s.status, s.attempts])).toEqual([
      ['score', 'succeeded', 2],
      ['risk', 'review', 1],
      ['fraud', 'failed', 1],
      ['approval', 'signalled', 0],
    ]);
    const [score, risk, fraud, approval] = steps;
    expect(score).toMatchObject({
      startedAt: 10,
      endedAt: 40,
      durationMs: 30,
      inputVersion: 1,
      version: 2,
    });
    expect(score!.errors.map((e) => e.message)).toEqual(['timeout']);
    expect(risk).toMatchObject({ durationMs: 39, version: null });
    // The step's own failure repeats its last attempt's error: listed once.
    expect(fraud!.errors.map((e) => e.message)).toEqual(['boom']);
    expect(approval).toMatchObject({ startedAt: 70, endedAt: 90, durationMs: 20, version: 3 });
  });

  it('shows a started step with no outcome as running', () => {
    const [s] = summarizeSteps([j('step.started', 'slow', 5, { inputVersion: 3 })]);
    expect(s).toMatchObject({
      step: 'slow',
      status: 'running',
      startedAt: 5,
      endedAt: null,
      attempts: 0,
    });
  });
});

describe('compensation summaries', () => {
  it('counts attempts and keeps every error, in the order compensations ran', () => {
    const list = summarizeCompensations([
      j('step.failed', 'charge', 1, { error: err('declined') }),
      j('compensation.attempt_failed', 'reserve', 10, { attempt: 1, error: err('refused') }),
      j('compensation.succeeded', 'ship', 11, { attempt: 1, durationMs: 3 }),
      j('compensation.attempt_failed', 'reserve', 20, { attempt: 2, error: err('refused') }),
      j('compensation.failed', 'reserve', 30, { attempt: 3, error: err('refused again') }),
    ]);
    expect(list.map((c) => [c.step, c.status, c.attempts, c.errors.length])).toEqual([
      ['reserve', 'failed', 3, 3],
      ['ship', 'succeeded', 1, 0],
    ]);
    expect(list[0]!.at).toBe(30);
    expect(list[1]!.durationMs).toBe(3);
  });
});
