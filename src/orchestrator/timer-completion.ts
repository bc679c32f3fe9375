/**
 * The completion a durable timer leaves when it fires (see timers.ts): slot `{ dueAt, firedAt }`,
 * written by `timer`, tagged `timer`.
 */
import { sealJson } from '../ledger/json.js';
import type { StepScope } from '../tracing/telemetry.js';
import type { Completion } from './completions.js';
import { journalEntry } from './journal.js';

/** The completion of a timer that fired. */
export function timerFired(
  runId: string,
  step: string,
  dueAt: number,
  inputVersion: number,
  now: number,
  scope: StepScope,
): Completion {
  const sealed = sealJson({ dueAt, firedAt: now }, `$.${step}`);
  return {
    step,
    value: sealed.value,
    encoded: sealed.encoded,
    createdBy: 'timer',
    contract: null,
    inputVersion,
    tag: 'timer',
    journal: journalEntry(runId, 'step.succeeded', step, now, {
      inputVersion,
      detail: { timer: true, dueAt },
    }),
    scope,
    outcome: 'succeeded',
  };
}
