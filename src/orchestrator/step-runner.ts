/**
 * Runs one agent step: select the input from the visible state, check it against the agent's
 * input contract, call the agent under its policy (limits, breaker, timeout, retries), check the
 * output against the output contract, and seal it (validate JSON, deep-freeze, encode once).
 *
 * Invariants:
 * - The agent receives a deep-frozen input and never sees state it does not need.
 * - An input-contract violation fails the step without calling the agent and without counting
 *   against the breaker; an output-contract violation counts as a failure of the agent.
 */
import type {
  Agent,
  AgentContext,
  AgentSpan,
  AgentSpanAttributes,
  ModelUsage,
  Resumption,
  SuspendOptions,
} from '../agents/agent.js';
import {
  describeError,
  isCircuitOpenError,
  isContractViolationError,
  isStepSuspendedError,
  PayloadTooLargeError,
  toError,
} from '../errors.js';
import { freezeJson, type JsonObject, sealJson } from '../ledger/json.js';
import type { JournalEntry } from '../ledger/types.js';
import type { CallerSignal } from '../resilience/cancellation.js';
import type { ResolvedPolicy } from '../resilience/policy.js';
import type { LazySignal } from '../resilience/timeout.js';
import { runEvaluators } from '../tracing/evaluators.js';
import type { AttemptScope, StepScope } from '../tracing/telemetry.js';
import type { RuntimeCore } from './runtime-core.js';
import { resumptionOf, suspendStep } from './suspensions.js';
import type { StepSpec, Workflow } from './workflow.js';

/** A step's successful result, sealed and ready to become a version. */
export interface StepSuccess {
  readonly ok: true;
  readonly value: unknown;
  readonly encoded: string;
  /** The input's canonical encoding, kept only when the result cache needs it. */
  readonly encodedInput: string | null;
  readonly attempts: number;
  readonly usage: readonly ModelUsage[];
  /** `ctx.note` entries of the attempt that succeeded (they take the version it becomes). */
  readonly notes: readonly JournalEntry[];
  readonly onFailure: ResolvedPolicy['onFailure'];
}

/** A step's failure after every attempt its policy allows. */
export interface StepFailure {
  readonly ok: false;
  readonly error: Error;
  /** The policy's instruction for this failure. */
  readonly onFailure: ResolvedPolicy['onFailure'];
  readonly encodedInput: string | null;
  readonly attempts: number;
}

/** Everything a step needs from the driver. */
export interface StepCall {
  readonly core: RuntimeCore;
  readonly workflow: Workflow;
  readonly runId: string;
  readonly step: StepSpec & { readonly agent: Agent };
  readonly view: unknown;
  readonly inputVersion: number;
  readonly signal: CallerSignal;
  /** Receives attempt journal entries (flushed with the run's next commit). */
  readonly journal: (entry: JournalEntry) => void;
  /** The step's trace scope; each attempt opens a child. */
  readonly scope: StepScope;
  /** In a replayed run: the parent's recorded output of this step for `input` (recorded-output.ts). */
  readonly recorded?: (input: unknown) => Promise<unknown>;
}

const countsAsFailure = (e: unknown): boolean =>
  !isCircuitOpenError(e) &&
  !isStepSuspendedError(e) &&
  !(isContractViolationError(e) && e.boundary === 'agent-input');

/**
 * Runs the step to success or final failure; never throws (the promise never rejects).
 * Written as promise chains, not async functions: a step in flight then holds no suspended
 * frames of its own (the agent's are its business), which is most of what 10,000 runs in
 * flight cost in memory.
 */
export function runStep(call: StepCall): Promise<StepSuccess | StepFailure> {
  const { core, step } = call;
  const agent = step.agent;
  const policy = core.policyFor(call.workflow, step);
  let encodedInput: string | null = null;
  let attempts = 0;
  const failed = (e: unknown): StepFailure => ({
    ok: false,
    error: toError(e),
    onFailure: policy.onFailure,
    encodedInput,
    attempts,
  });
  let input: unknown;
  try {
    const raw = (step.select as (v: unknown) => unknown)(call.view);
    input = agent.input.parse(raw, {
      boundary: 'agent-input',
      step: step.name,
      agent: agent.id,
    });
    // The agent gets a frozen input. Only the result cache needs its canonical encoding (the key).
    if (policy.onFailure === 'cached')
      encodedInput = sealJson(input, `$.${step.name}.input`).encoded;
    else freezeJson(input, `$.${step.name}.input`);
  } catch (e) {
    return Promise.resolve(failed(e));
  }
  const usage: ModelUsage[] = [];
  const notes: JournalEntry[] = [];
  const guard = core.guards.guard(agent.id, call.workflow.policy, agent.policy, step.policy);
  return guard
    .runLazy(
      (attemptSignal, attempt) => {
        attempts = attempt;
        return attemptOnce(call, input, attempt, attemptSignal, usage, notes);
      },
      {
        signal: call.signal,
        step: step.name,
        // Timeout and retry follow this step's layered policy; breaker and limits stay per agent.
        policy,
        countsAsFailure,
        onAttemptFailed: (info) =>
          call.journal({
            runId: call.runId,
            type: 'attempt.failed',
            step: step.name,
            attempt: info.attempt,
            at: core.clock.now(),
            durationMs: null,
            inputVersion: call.inputVersion,
            version: null,
            error: describeError(info.error, step.name),
            detail: { willRetry: info.willRetry, delayMs: info.delayMs },
          }),
      },
    )
    .then((output): StepSuccess | StepFailure => {
      const sealed = sealJson(output, `$.${step.name}`);
      checkSlotSize(step.name, sealed.encoded, core.maxSlotBytes);
      return {
        ok: true,
        value: sealed.value,
        encoded: sealed.encoded,
        encodedInput,
        attempts,
        usage,
        notes,
        onFailure: policy.onFailure,
      };
    })
    .catch(failed);
}

/** One attempt: call the agent, check its output contract, run the evaluators; ends the span. */
function attemptOnce(
  call: StepCall,
  input: unknown,
  attempt: number,
  attemptSignal: LazySignal,
  usage: ModelUsage[],
  notes: JournalEntry[],
): Promise<unknown> {
  const { step } = call;
  const agent = step.agent;
  const scope = call.scope.attempt(attempt);
  const ctx = new StepContext(call, input, attempt, attemptSignal, usage, scope);
  const fail = (e: unknown): never => {
    ctx.settle(call.journal);
    scope.end(describeError(e, step.name));
    throw e;
  };
  const done = (parsed: unknown): unknown => {
    ctx.settle((n) => notes.push(n));
    scope.end();
    return parsed;
  };
  let out: unknown;
  try {
    out = agent.execute(input as never, ctx);
  } catch (e) {
    return Promise.reject(e).catch(fail);
  }
  return Promise.resolve(out).then((value) => {
    let parsed: unknown;
    try {
      parsed = agent.output.parse(value, {
        boundary: 'agent-output',
        step: step.name,
        agent: agent.id,
      });
    } catch (e) {
      return fail(e);
    }
    if (!agent.evaluate && !step.evaluate) return done(parsed);
    return runEvaluators([...(agent.evaluate ?? []), ...(step.evaluate ?? [])], input, parsed, {
      runId: call.runId,
      step: step.name,
      agent: agent.id,
      attempt,
      random: call.core.random,
      onRecord: (r) => scope.evaluation(r),
    }).then(() => done(parsed), fail);
  }, fail);
}

/**
 * The context an agent attempt receives. A class, so `signal` is a getter on the prototype
 * (an object literal with a getter costs an accessor pair per attempt): the attempt's
 * AbortSignal is created only if the agent reads it. `usage` stays an own function, so an
 * agent may destructure it.
 *
 * Notes are held until the attempt settles: a failed attempt's go to the journal then, a
 * successful attempt's ride with the version it becomes; a note made later goes straight on.
 */
class StepContext implements AgentContext {
  readonly runId: string;
  readonly step: string;
  readonly idempotencyKey: string;
  readonly logger: AgentContext['logger'];
  readonly usage: (u: ModelUsage) => void;
  readonly span: AgentContext['span'];
  private held: JournalEntry[] | undefined;
  private settledTo: ((e: JournalEntry) => void) | undefined;

  constructor(
    private readonly call: StepCall,
    private readonly input: unknown,
    readonly attempt: number,
    private readonly attemptSignal: LazySignal,
    usage: ModelUsage[],
    private readonly scope: AttemptScope,
  ) {
    this.runId = call.runId;
    this.step = call.step.name;
    this.idempotencyKey = `${call.runId}:${call.step.name}`;
    this.logger = call.core.logger;
    this.usage = (u) => {
      usage.push(u);
      scope.usage(u);
    };
    this.span = scope.span;
  }

  get signal(): AbortSignal {
    return this.attemptSignal.signal;
  }

  get workflow(): { readonly name: string; readonly version: number } {
    return { name: this.call.workflow.name, version: this.call.workflow.version };
  }

  note(detail: JsonObject): void {
    const c = this.call;
    const e: JournalEntry = {
      runId: c.runId,
      type: 'attempt.note',
      step: this.step,
      attempt: this.attempt,
      at: c.core.clock.now(),
      durationMs: null,
      inputVersion: c.inputVersion,
      version: null,
      error: null,
      // Frozen and checked as JSON now, so a bad detail fails the agent, not the commit.
      detail: freezeJson(detail, `$.${this.step}.note`) as JsonObject,
    };
    if (this.settledTo) this.settledTo(e);
    else (this.held ??= []).push(e);
  }

  startSpan(name: string, attributes?: AgentSpanAttributes): AgentSpan {
    return this.scope.startSpan(name, attributes);
  }

  recorded(): Promise<unknown> {
    return this.call.recorded ? this.call.recorded(this.input) : Promise.resolve(undefined);
  }

  /** Hands the held notes to `to`, and every later one. */
  settle(to: (e: JournalEntry) => void): void {
    if (this.held) for (const e of this.held) to(e);
    this.held = undefined;
    this.settledTo = this.call.journal;
  }

  // Methods on the prototype (no closures per attempt): call them as `ctx.suspend(...)`.
  suspend(key: string, options?: SuspendOptions): never {
    return suspendStep(this.step, key, options);
  }

  async resumption(): Promise<Resumption | undefined> {
    return resumptionOf(await this.call.core.store.readJournal(this.runId), this.step);
  }

  /** Defined only while someone in this process watches the run's tokens. */
  get stream(): ((text: string) => void) | undefined {
    const live = this.call.core.live;
    if (!live?.watched(this.runId)) return undefined;
    const { runId, step } = this;
    return (text) => live.publish(runId, { type: 'token', step, text: String(text) });
  }
}

/** Rejects an oversized output before it can reach the store (never retried). */
function checkSlotSize(step: string, encoded: string, maxBytes: number): void {
  if (encoded.length * 3 <= maxBytes) return;
  const bytes = Buffer.byteLength(encoded, 'utf8');
  if (bytes > maxBytes) throw new PayloadTooLargeError(step, bytes, maxBytes);
}
