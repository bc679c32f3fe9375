/**
 * How journal entries move a step's status, shared by the server (first render) and the browser
 * islands (live updates), so both draw the same status from the same events.
 *
 * Statuses only move forward within a run's history: a later event of a step replaces an earlier
 * one, and events arrive in commit order.
 */

/** A step's status as drawn. */
export type StepStatus =
  | 'pending'
  | 'running'
  | 'retrying'
  | 'waiting'
  | 'succeeded'
  | 'skipped'
  | 'cached'
  | 'failed'
  | 'compensating'
  | 'compensated'
  | 'compensation_failed';

const BY_TYPE: Readonly<Record<string, StepStatus>> = {
  'step.started': 'running',
  'attempt.started': 'running',
  'attempt.failed': 'retrying',
  'step.succeeded': 'succeeded',
  'step.skipped': 'skipped',
  'step.cached': 'cached',
  'step.failed': 'failed',
  'wait.started': 'waiting',
  'signal.received': 'succeeded',
  'wait.timed_out': 'failed',
  'compensation.started': 'compensating',
  'compensation.succeeded': 'compensated',
  'compensation.failed': 'compensation_failed',
  'compensation.attempt_failed': 'compensating',
};

/** The status a journal entry of type `type` gives its step, or undefined when it gives none. */
export function stepStatusOf(type: string): StepStatus | undefined {
  return BY_TYPE[type];
}

/** Statuses drawn green (done well). */
export const DONE_STATUSES: ReadonlySet<string> = new Set(['succeeded', 'cached', 'completed']);
