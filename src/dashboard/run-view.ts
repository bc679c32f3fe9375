/**
 * What the run page shows about each step, computed from the run's journal and its recorded
 * shape: status, attempts, timing, versions read and written, the agent@version that ran it.
 */
import type { JournalEntry, StepShape, WorkflowShape } from '../index.js';
import { type StepStatus, stepStatusOf } from './step-status.js';

/** One step as drawn on the run page. */
export interface StepView {
  readonly name: string;
  readonly kind: 'agent' | 'wait' | 'sleep';
  readonly needs: readonly string[];
  readonly agent: string | null;
  readonly status: StepStatus;
  readonly attempts: number;
  readonly startedAt: number | null;
  readonly durationMs: number | null;
  readonly inputVersion: number | null;
  readonly version: number | null;
  readonly error: string | null;
}

/** The steps of a run: every declared step (pending until the journal says otherwise). */
export function stepViews(
  shape: WorkflowShape | undefined,
  journal: readonly JournalEntry[],
): StepView[] {
  const declared: readonly StepShape[] = shape?.steps ?? [];
  const views = new Map<string, { -readonly [K in keyof StepView]: StepView[K] }>();
  for (const s of declared) {
    views.set(s.name, {
      name: s.name,
      kind: s.kind,
      needs: s.needs,
      agent: s.agent ?? null,
      status: 'pending',
      attempts: 0,
      startedAt: null,
      durationMs: null,
      inputVersion: null,
      version: null,
      error: null,
    });
  }
  for (const j of journal) {
    if (!j.step) continue;
    let v = views.get(j.step);
    if (!v) {
      // A step the shape does not know (no shape recorded): drawn from the journal alone.
      v = {
        name: j.step,
        kind: 'agent',
        needs: [],
        agent: null,
        status: 'pending',
        attempts: 0,
        startedAt: null,
        durationMs: null,
        inputVersion: null,
        version: null,
        error: null,
      };
      views.set(j.step, v);
    }
    const st = stepStatusOf(j.type);
    if (st) v.status = st;
    if (j.type === 'step.started' || j.type === 'wait.started') v.startedAt ??= j.at;
    if (j.attempt !== null) v.attempts = Math.max(v.attempts, j.attempt);
    if (j.durationMs !== null && (j.type === 'step.succeeded' || j.type === 'step.failed')) {
      v.durationMs = j.durationMs;
      // A step that started and finished in one commit journals only its end.
      v.startedAt ??= j.at - j.durationMs;
    }
    if (j.inputVersion !== null) v.inputVersion = j.inputVersion;
    if (j.version !== null && j.type !== 'step.started') v.version = j.version;
    if (j.error) v.error = `${j.error.code}: ${j.error.message}`;
  }
  return [...views.values()];
}
