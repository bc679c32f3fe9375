/**
 * Degradation: what happens to a run when a step cannot succeed (retries exhausted, breaker
 * open, contract violated), by the step's `onFailure` policy:
 * - `skip`: the slot records `{ skipped: true, reason }` and the run continues;
 * - `cached`: the last good output of the same agent version for an equal input (the durable
 *   result cache) is used, marked `cached`; with none it behaves as `fail`;
 * - `human`: the step is parked for review (the run will wait) and an alert is raised;
 * - `fail`: the run stops starting steps and, once the running ones are committed, compensates.
 * An agent that suspended itself (`ctx.suspend`) did not fail: its step is parked on the agent's
 * wait whatever the policy says (see suspensions.ts).
 */
import type { Agent } from '../agents/agent.js';
import { describeError, type ErrorInfo, isStepSuspendedError } from '../errors.js';
import type { JournalEntry } from '../ledger/types.js';
import type { StepScope } from '../tracing/telemetry.js';
import { type Completion, cached, cacheKey, type StepTiming } from './completions.js';
import { journalEntry } from './journal.js';
import type { RuntimeCore } from './runtime-core.js';
import type { StepFailure } from './step-runner.js';
import { suspensionDetail } from './suspensions.js';
import type { StepSpec, Workflow } from './workflow.js';

/** What a failed step may do to its run. */
export interface DegradeTarget {
  readonly runId: string;
  readonly workflow: Workflow;
  readonly core: RuntimeCore;
  /** True once the run was halted: a failure then is only the abort, nothing to record. */
  stopped(): boolean;
  push(completion: Completion): void;
  park(step: string): void;
  journal(entry: JournalEntry): void;
  fail(step: string, error: ErrorInfo): void;
  skip(
    spec: StepSpec,
    reason: string,
    error: ErrorInfo,
    timing: StepTiming,
    scope: StepScope,
  ): void;
}

/** Applies the step's onFailure policy to its final failure. */
export async function degrade(
  t: DegradeTarget,
  spec: StepSpec & { agent: Agent },
  result: StepFailure,
  timing: StepTiming,
  now: number,
  scope: StepScope,
): Promise<void> {
  const { error, onFailure, encodedInput } = result;
  const info = describeError(error, spec.name);
  if (t.stopped()) {
    scope.end('aborted', {}, info);
    return;
  }
  if (isStepSuspendedError(error)) {
    scope.end('waiting', {});
    t.park(error.wait);
    t.journal(
      journalEntry(t.runId, 'wait.started', spec.name, now, {
        ...timing,
        detail: suspensionDetail(error),
      }),
    );
    return;
  }
  if (onFailure === 'skip') {
    t.skip(spec, error.message, info, timing, scope);
    return;
  }
  if (onFailure === 'cached' && encodedInput !== null) {
    const key = cacheKey(spec.agent.id, encodedInput);
    const [hit] = await t.core.store.queryRecords({
      kind: 'cache',
      key,
      newestFirst: true,
      limit: 1,
    });
    if (hit) {
      t.push(cached(t.runId, spec.agent, spec.name, hit.body, timing, now, info, scope));
      return;
    }
  }
  if (onFailure === 'human') {
    scope.end('review', {}, info);
    t.park(spec.name);
    t.journal(
      journalEntry(t.runId, 'step.failed', spec.name, now, {
        ...timing,
        error: info,
        detail: { review: true },
      }),
    );
    t.core.alert({
      kind: 'review',
      runId: t.runId,
      workflow: t.workflow.name,
      step: spec.name,
      message: `step '${spec.name}' needs human review: ${error.message}`,
      error: info,
    });
    return;
  }
  t.journal(journalEntry(t.runId, 'step.failed', spec.name, now, { ...timing, error: info }));
  scope.end('failed', {}, info);
  t.fail(spec.name, info);
}
