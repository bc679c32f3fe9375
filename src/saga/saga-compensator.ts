/**
 * Durable reverse compensation of a workflow run (the saga). Choreography has its own, causal,
 * compensator (choreography/flow-compensator.ts), because a flow of events has no single run.
 *
 * Invariants:
 * - Completed agent steps are compensated in reverse order of completion (version order).
 * - Each compensation's success is committed to the journal before the next one starts, so a
 *   crash resumes exactly where it stopped and a committed compensation never runs again.
 *   A compensation that ran but whose success was not committed runs again (at-least-once):
 *   `ctx.idempotencyKey` (`runId:step:compensate`) is the same every time.
 * - A compensation is retried with the agent's backoff; when it exhausts its attempts the saga
 *   stops there (later steps are not compensated out of order) and reports the failure.
 */
import type { Agent, CompensationContext } from '../agents/agent.js';
import { describeError, type ErrorInfo, toError } from '../errors.js';
import { decodeJson, type Json, sealJson } from '../ledger/json.js';
import type { VersionRecord } from '../ledger/types.js';
import { buildVersionFromPayload } from '../ledger/versions.js';
import { journalEntry } from '../orchestrator/journal.js';
import type {
  CompensationCall,
  CompensationResult,
  Compensator,
} from '../orchestrator/runtime-core.js';
import type { StepSpec, Workflow } from '../orchestrator/workflow.js';
import { backoffDelay } from '../resilience/backoff.js';
import { resolvePolicy } from '../resilience/policy.js';
import { withTimeout } from '../resilience/timeout.js';

/** Compensations are tried at least this many times, whatever the agent's retry policy. */
export const MIN_COMPENSATION_ATTEMPTS = 3;

/** Compensates every completed step of a run that has not been compensated yet. */
export async function compensateRun(call: CompensationCall): Promise<CompensationResult> {
  const { core, runId } = call;
  const [versions, journal] = await Promise.all([
    core.store.readVersions(runId),
    core.store.readJournal(runId),
  ]);
  const done = new Set(
    journal
      .filter((j) => j.type === 'compensation.succeeded' && j.version !== null)
      .map((j) => j.version as number),
  );
  const compensated = versions
    .filter((v) => done.has(v.version))
    .reverse()
    .map((v) => v.step);
  for (const v of [...versions].reverse()) {
    const spec = call.stepFor(v);
    if (!spec || done.has(v.version)) continue;
    const outcome = await compensateOne(call, spec, v);
    if (!outcome.ok) return { ok: false, compensated, failedStep: spec.name, error: outcome.error };
    compensated.push(spec.name);
  }
  return { ok: true, compensated };
}

async function compensateOne(
  call: CompensationCall,
  spec: StepSpec & { agent: Agent },
  v: VersionRecord,
): Promise<{ ok: true } | { ok: false; error: ErrorInfo }> {
  const { core, runId } = call;
  const policy = resolvePolicy(core.defaults, call.workflowPolicy, spec.agent.policy, spec.policy);
  // Undoing must be more persistent than doing: at least MIN_COMPENSATION_ATTEMPTS tries.
  const maxAttempts = Math.max(policy.retry.maxAttempts, MIN_COMPENSATION_ATTEMPTS);
  const raw = decodeJson(v.payload);
  const output = core.pii ? await core.pii.open(raw) : raw;
  const startedAt = core.clock.now();
  let lastError: ErrorInfo | null = null;
  const scope = call.scope.step(`compensate ${spec.name}`, {
    'baton.run.id': runId,
    'baton.step': spec.name,
    'baton.agent': spec.agent.name,
    'baton.agent.version': spec.agent.version,
    'baton.compensation': true,
    'baton.state.version.in': v.version,
  });
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    call.signal.throwIfAborted();
    const attemptScope = scope.attempt(attempt);
    try {
      await withTimeout(
        (signal) => {
          const ctx: CompensationContext = {
            runId,
            step: spec.name,
            attempt,
            idempotencyKey: `${runId}:${spec.name}:compensate`,
            signal,
            logger: core.logger,
          };
          return Promise.resolve(spec.agent.compensate!(output as never, ctx));
        },
        {
          timeoutMs: policy.timeoutMs,
          clock: core.clock,
          signal: call.signal,
          label: `${spec.name} (compensate)`,
        },
      );
      attemptScope.end();
      scope.end('succeeded');
      await call.commitJournal([
        journalEntry(runId, 'compensation.succeeded', spec.name, core.clock.now(), {
          attempt,
          version: v.version,
          durationMs: core.clock.now() - startedAt,
        }),
      ]);
      return { ok: true };
    } catch (e) {
      if (call.signal.aborted) throw e;
      lastError = describeError(toError(e), spec.name);
      attemptScope.end(lastError);
      const willRetry = attempt < maxAttempts;
      if (!willRetry) scope.end('failed', {}, lastError);
      const delayMs = willRetry ? backoffDelay(attempt, policy.retry.backoff, core.random) : 0;
      await call.commitJournal([
        journalEntry(
          runId,
          willRetry ? 'compensation.attempt_failed' : 'compensation.failed',
          spec.name,
          core.clock.now(),
          {
            attempt,
            version: v.version,
            error: lastError,
            detail: { willRetry, delayMs },
          },
        ),
      ]);
      if (willRetry) await core.clock.sleep(delayMs, call.signal);
    }
  }
  return { ok: false, error: lastError! };
}

/** The saga's last version: it holds only the input again (everything after it was undone). */
export function compensatedVersion(
  runId: string,
  head: number,
  prevHash: string,
  input: Json,
  now: number,
): VersionRecord {
  return buildVersionFromPayload(
    {
      runId,
      version: head + 1,
      step: '$compensated',
      kind: 'reset',
      createdBy: 'system',
      inputVersion: head,
      contract: null,
      tag: 'compensated',
      createdAt: now,
      prevHash,
    },
    sealJson({ input }).encoded,
    Number.POSITIVE_INFINITY,
  );
}

/** The step whose output a version holds, when that step has side effects to undo. */
export function compensableStep(
  workflow: Workflow,
  v: VersionRecord,
): (StepSpec & { agent: Agent }) | undefined {
  // Skipped, cached, signalled and system versions ran no agent here: nothing to undo.
  if (v.tag !== null || v.kind !== 'slot') return undefined;
  const spec = workflow.steps.find((s) => s.name === v.step);
  if (spec?.kind !== 'agent' || !spec.agent?.compensate || spec.agent.id !== v.createdBy)
    return undefined;
  return spec as StepSpec & { agent: Agent };
}

/** The saga as the engine's compensator (plugged in by the runtime; see orchestrator/runtime-core.ts). */
export const SAGA: Compensator = Object.freeze({
  compensableStep,
  compensateRun,
  compensatedVersion,
});
