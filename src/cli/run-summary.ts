/**
 * Folds a run's journal into per-step and per-compensation summaries for `baton show`.
 *
 * Invariants:
 * - Pure: the same journal always gives the same summary; entries are read in journal order
 *   (`seq`), so a step retried, reviewed or signalled shows its latest state.
 * - Steps appear in the order they first show up in the journal (start order).
 */
import type { ErrorInfo, JournalEntry } from '../index.js';

/** What happened to one step. */
export interface StepSummary {
  readonly step: string;
  readonly status:
    | 'running'
    | 'succeeded'
    | 'failed'
    | 'review'
    | 'skipped'
    | 'cached'
    | 'waiting'
    | 'signalled'
    | 'timed_out';
  readonly startedAt: number | null;
  readonly endedAt: number | null;
  readonly durationMs: number | null;
  /** Attempts made (0 for a wait). */
  readonly attempts: number;
  readonly inputVersion: number | null;
  /** The version the step wrote, if any. */
  readonly version: number | null;
  /** Every error, in order: one per failed attempt, then the step's own failure if different. */
  readonly errors: readonly ErrorInfo[];
}

/** What happened to one step's compensation. */
export interface CompensationSummary {
  readonly step: string;
  readonly status: 'running' | 'succeeded' | 'failed';
  readonly attempts: number;
  readonly durationMs: number | null;
  readonly at: number;
  readonly errors: readonly ErrorInfo[];
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const STEP_END: Partial<Record<JournalEntry['type'], StepSummary['status']>> = {
  'step.succeeded': 'succeeded',
  'step.failed': 'failed',
  'step.skipped': 'skipped',
  'step.cached': 'cached',
  'signal.received': 'signalled',
  'wait.timed_out': 'timed_out',
};

function sameError(a: ErrorInfo | undefined, b: ErrorInfo): boolean {
  return a !== undefined && a.code === b.code && a.message === b.message;
}

/** Summarises the steps of a run from its journal. */
export function summarizeSteps(journal: readonly JournalEntry[]): StepSummary[] {
  const steps = new Map<string, Mutable<StepSummary> & { errors: ErrorInfo[] }>();
  const get = (j: JournalEntry) => {
    const name = j.step!;
    let s = steps.get(name);
    if (!s) {
      s = {
        step: name,
        status: 'running',
        startedAt: null,
        endedAt: null,
        durationMs: null,
        attempts: 0,
        inputVersion: j.inputVersion,
        version: null,
        errors: [],
      };
      steps.set(name, s);
    }
    return s;
  };
  for (const j of journal) {
    if (j.step === null || j.type.startsWith('compensation.') || j.type.startsWith('run.'))
      continue;
    const s = get(j);
    if (j.attempt !== null) s.attempts = Math.max(s.attempts, j.attempt);
    if (j.error && !(j.type === 'step.failed' && sameError(s.errors.at(-1), j.error)))
      s.errors.push(j.error);
    if (j.type === 'step.started' || j.type === 'wait.started') {
      s.startedAt ??= j.at;
      s.inputVersion = j.inputVersion ?? s.inputVersion;
      s.status = j.type === 'wait.started' ? 'waiting' : 'running';
      continue;
    }
    const end = STEP_END[j.type];
    if (!end) continue;
    const review = (j.detail as { review?: unknown } | null)?.review === true;
    s.status = review ? 'review' : end;
    s.endedAt = j.at;
    s.durationMs = j.durationMs ?? (s.startedAt === null ? null : j.at - s.startedAt);
    // A step that started and ended between two commits has one journal entry: its end.
    if (s.startedAt === null && j.durationMs !== null) s.startedAt = j.at - j.durationMs;
    s.version = j.version ?? s.version;
    if (j.type === 'step.succeeded' || j.type === 'step.cached')
      s.attempts = Math.max(s.attempts, 1);
  }
  return [...steps.values()];
}

/** Summarises the compensations of a run from its journal, in the order they ran. */
export function summarizeCompensations(journal: readonly JournalEntry[]): CompensationSummary[] {
  const out = new Map<string, Mutable<CompensationSummary> & { errors: ErrorInfo[] }>();
  for (const j of journal) {
    if (!j.type.startsWith('compensation.') || j.step === null) continue;
    let c = out.get(j.step);
    if (!c) {
      c = { step: j.step, status: 'running', attempts: 0, durationMs: null, at: j.at, errors: [] };
      out.set(j.step, c);
    }
    if (j.attempt !== null) c.attempts = Math.max(c.attempts, j.attempt);
    if (j.error) c.errors.push(j.error);
    if (j.type === 'compensation.succeeded') c.status = 'succeeded';
    if (j.type === 'compensation.failed') c.status = 'failed';
    if (j.durationMs !== null) c.durationMs = j.durationMs;
    c.at = j.at;
  }
  return [...out.values()];
}
