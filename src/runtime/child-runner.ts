/**
 * Runs the children of child-workflow steps (`.step(name, workflow)`, `.map(name, workflow)`).
 *
 * Invariants:
 * - A child's run id is derived from its parent, step and index, and starting it is idempotent
 *   (an existing run with that id is returned, not started again): a parent resumed after a
 *   crash finds its children, and each child is started exactly once.
 * - Children carry the search attributes `baton.parent` and `baton.parent.step`, so both
 *   directions of the link are read from the store (`rt.children`, `baton show`).
 * - Compensating a child step compensates its completed children, last first; each child's
 *   compensation is a durable status change (a crash resumes it), and one already compensated
 *   is left alone, so the parent's saga may repeat the call safely.
 */
import type { AgentContext, CompensationContext } from '../agents/agent.js';
import { FanOutTooLargeError, RunFailedError } from '../errors.js';
import { type RunRecord, TERMINAL_STATUSES } from '../ledger/types.js';
import { childRunId, MAX_FAN_OUT } from '../orchestrator/child-agent.js';
import { bindChildStep, type ChildRuns } from '../orchestrator/child-step.js';
import { journalEntry } from '../orchestrator/journal.js';
import type { RuntimeCore } from '../orchestrator/runtime-core.js';
import type { ChildSpec, StepSpec } from '../orchestrator/workflow.js';
import type { RunEngine } from './run-engine.js';

type ChildStep = StepSpec & { child: ChildSpec };

/** Search attribute naming a child's parent run. */
export const PARENT_ATTRIBUTE = 'baton.parent';
/** Search attribute naming the parent's step that started a child. */
export const PARENT_STEP_ATTRIBUTE = 'baton.parent.step';

/** The runtime's child runs, over its engine. */
export class ChildRunner implements ChildRuns {
  private readonly bound = new WeakMap<StepSpec, StepSpec>();

  constructor(
    private readonly core: () => RuntimeCore,
    private readonly engine: () => RunEngine,
  ) {}

  bind<S extends StepSpec>(spec: S): S {
    return bindChildStep(spec, this, this.bound);
  }

  async run(spec: ChildStep, input: unknown, ctx: AgentContext): Promise<unknown> {
    if (spec.child.mode === 'one') return this.runOne(spec, input, ctx, undefined);
    const inputs = input as readonly unknown[];
    if (inputs.length > MAX_FAN_OUT) {
      throw new FanOutTooLargeError(spec.name, inputs.length, MAX_FAN_OUT);
    }
    const outputs = new Array<unknown>(inputs.length);
    let next = 0;
    let failed: unknown;
    // A fixed pool of lanes, each taking the next index: at most `concurrency` children at once.
    const lane = async (): Promise<void> => {
      while (failed === undefined && next < inputs.length && !ctx.signal.aborted) {
        const i = next++;
        try {
          outputs[i] = await this.runOne(spec, inputs[i], ctx, i);
        } catch (e) {
          failed ??= e;
        }
      }
    };
    const lanes = Math.min(spec.child.concurrency, inputs.length);
    await Promise.all(Array.from({ length: lanes }, lane));
    if (failed !== undefined) {
      // The step gets no slot, so the parent's saga will not see these children: undo the ones
      // that completed now (they are compensated once, whoever gets there first).
      await this.compensateChildren(ctx.runId, spec.name, inputs.length, ctx.signal).catch(
        (e: unknown) =>
          this.core().logger.warn('compensating the children of a failed fan-out failed', {
            runId: ctx.runId,
            step: spec.name,
            error: String(e),
          }),
      );
      throw failed;
    }
    ctx.signal.throwIfAborted();
    return outputs;
  }

  private async runOne(
    spec: ChildStep,
    input: unknown,
    ctx: AgentContext,
    index: number | undefined,
  ): Promise<unknown> {
    ctx.signal.throwIfAborted();
    const engine = this.engine();
    const runId = childRunId(ctx.runId, spec.name, index);
    const handle = await engine.startRun(spec.child.workflow, input, {
      runId,
      tags: { [PARENT_ATTRIBUTE]: ctx.runId, [PARENT_STEP_ATTRIBUTE]: spec.name },
    });
    // The parent stops waiting when it is stopped (cancel, lease lost, close); the child runs on
    // unless the parent was cancelled (rt.cancel cascades to children).
    return new Promise<unknown>((resolve, reject) => {
      const onAbort = (): void => reject(ctx.signal.reason);
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      handle.result().then(
        (out) => {
          ctx.signal.removeEventListener('abort', onAbort);
          resolve(out);
        },
        (e: unknown) => {
          ctx.signal.removeEventListener('abort', onAbort);
          reject(e);
        },
      );
    });
  }

  async compensate(spec: ChildStep, output: unknown, ctx: CompensationContext): Promise<void> {
    const count = spec.child.mode === 'one' ? 0 : Array.isArray(output) ? output.length : 0;
    await this.compensateChildren(
      ctx.runId,
      spec.name,
      spec.child.mode === 'one' ? -1 : count,
      ctx.signal,
    );
  }

  /** Compensates the step's children, last first; `count` -1 means the single child. */
  private async compensateChildren(
    parentRunId: string,
    step: string,
    count: number,
    signal: AbortSignal,
  ): Promise<void> {
    const ids =
      count < 0
        ? [childRunId(parentRunId, step)]
        : Array.from({ length: count }, (_, i) => childRunId(parentRunId, step, i));
    for (const id of ids.reverse()) {
      signal.throwIfAborted();
      await this.compensateRun(id);
    }
  }

  /** Compensates one completed child run (and waits for it); others are left as they are. */
  private async compensateRun(runId: string): Promise<void> {
    const engine = this.engine();
    for (;;) {
      const run = await this.core().store.getRun(runId);
      if (!run || run.status === 'compensated' || run.status === 'cancelled') return;
      if (run.status === 'failed') return; // Its own saga had nothing to undo.
      if (run.status === 'compensation_failed') throw this.failure(run);
      if (run.status === 'completed') {
        const taken = await this.takeForCompensation(run);
        if (!taken) continue; // Another runtime moved it first: look again.
        await engine.resumeClaimed(taken);
      }
      const ended = await engine.waiters.waitTerminal(runId);
      if (ended.status === 'compensation_failed') throw this.failure(ended);
      return;
    }
  }

  /** Moves a completed child to `compensating`, leased here; undefined if another writer won. */
  private async takeForCompensation(run: RunRecord): Promise<RunRecord | undefined> {
    const now = this.core().clock.now();
    const lease = { owner: this.core().owner, expiresAt: now + this.core().leaseMs };
    const error = {
      name: 'ParentCompensated',
      code: 'RUN_FAILED',
      message: 'compensated because its parent run is being compensated',
      retryable: false,
    };
    const [outcome] = await this.core().store.commit([
      {
        runId: run.runId,
        expectedVersion: run.headVersion,
        journal: [
          journalEntry(run.runId, 'run.failed', null, now, {
            error,
            detail: { compensating: true, cause: 'parent' },
          }),
        ],
        run: { status: 'compensating', error, lease, updatedAt: now },
      },
    ]);
    if (!outcome?.ok) return undefined;
    return {
      ...run,
      status: 'compensating',
      error,
      leaseOwner: lease.owner,
      leaseExpiresAt: lease.expiresAt,
    };
  }

  private failure(run: RunRecord): RunFailedError {
    return new RunFailedError(run.runId, run.status, {
      code: run.error?.code ?? 'RUN_FAILED',
      message: run.error?.message ?? `child run ${run.runId} ended ${run.status}`,
    });
  }

  /** The child runs of a run, oldest id first. */
  async children(runId: string): Promise<RunRecord[]> {
    const runs = await this.core().store.listRuns({ where: { [PARENT_ATTRIBUTE]: runId } });
    return runs.sort((a, b) => a.runId.localeCompare(b.runId, 'en', { numeric: true }));
  }

  /** Cancels every live descendant of a run (after the run itself was cancelled). */
  async cancelDescendants(runId: string): Promise<void> {
    for (const child of await this.children(runId)) {
      if (!TERMINAL_STATUSES.has(child.status)) await this.engine().cancel(child.runId);
      await this.cancelDescendants(child.runId);
    }
  }
}
