/**
 * Agents: plain async functions with an input and an output contract. They receive a
 * deep-frozen input and return new data; they never see shared mutable state. Everything
 * around the call (timeouts, retries, breakers, limits, validation) is the runtime's job.
 */
import type { Span } from '@opentelemetry/api';
import type { Contract } from '../contracts/contract.js';
import { isContract } from '../contracts/contract.js';
import { InvalidDefinitionError } from '../errors.js';
import type { JsonObject } from '../ledger/json.js';
import { assertKnownOptions } from '../ledger/known-options.js';
import { type Policy, validatePolicy } from '../resilience/policy.js';

/** Deeply readonly view of a type: what agents receive. */
export type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends readonly (infer U)[]
    ? readonly DeepReadonly<U>[]
    : T extends object
      ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
      : T;

/** Token usage reported by an agent that called a model. */
export interface ModelUsage {
  readonly model: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** The provider (`gen_ai.provider.name`), e.g. 'openai'. */
  readonly provider?: string;
  /** Input tokens read from a prompt cache (included in `inputTokens`). */
  readonly cachedInputTokens?: number;
  /** Reasoning tokens (included in `outputTokens`). */
  readonly reasoningTokens?: number;
  /** What the call cost in USD, from the application's price table. */
  readonly costUsd?: number;
  /** More attributes for the attempt's span (e.g. `gen_ai.operation.name`, re-ask counts). */
  readonly attributes?: Readonly<Record<string, string | number | boolean>>;
}

/** A minimal structured logger. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Attributes of a span an agent opens (undefined values are dropped). */
export type AgentSpanAttributes = Readonly<Record<string, string | number | boolean | undefined>>;

/**
 * A span an agent opens under its attempt (an LLM agent's `invoke_agent`, `chat` and
 * `execute_tool` spans). It is exported to the OpenTelemetry SDK and kept in the trace store
 * like the run's own spans; it carries no run totals (only `ctx.usage()` counts tokens).
 */
export interface AgentSpan {
  /** The OpenTelemetry span. */
  readonly span: Span;
  set(attributes: AgentSpanAttributes): void;
  event(name: string, attributes?: AgentSpanAttributes): void;
  /** Opens a child of this span. */
  startSpan(name: string, attributes?: AgentSpanAttributes): AgentSpan;
  /** Ends the span, failed when `error` is given; later calls are ignored. */
  end(error?: unknown): void;
}

/** The workflow a run belongs to, as an agent sees it. */
export interface AgentWorkflow {
  readonly name: string;
  readonly version: number;
}

/**
 * What an agent's `execute` receives besides its input. The members marked optional are always
 * given by the runtime; they are optional so that a context built by hand (a test, an evaluator
 * calling an agent directly) need not provide them.
 */
export interface AgentContext {
  readonly runId: string;
  readonly step: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** `runId:step`: the same on every attempt and after a crash; use it for side effects. */
  readonly idempotencyKey: string;
  /** Aborted on timeout or cancellation. */
  readonly signal: AbortSignal;
  readonly logger: Logger;
  /** Reports model usage; lands on the span with GenAI attributes and is totalled per run. */
  usage(usage: ModelUsage): void;
  /** The attempt's span. */
  readonly span: Span;
  /** The run's workflow (name and version pinned by the run). */
  readonly workflow?: AgentWorkflow;
  /**
   * Adds an `attempt.note` entry (this step and attempt, `detail` as given) to the run's
   * journal, committed with the run's next write. The notes of the attempt whose output becomes
   * a version carry that version, so what they say is kept with it.
   */
  note?(detail: JsonObject): void;
  /** Opens a span under the attempt's span (the caller ends it). */
  startSpan?(name: string, attributes?: AgentSpanAttributes): AgentSpan;
  /**
   * In a replayed run (a fork): the output the same step recorded in the parent run, when the
   * same agent version produced it from the same input (deep-equal); else undefined. An agent
   * whose calls are costly or not deterministic (an LLM call) may return it instead of calling
   * again; an overridden step has another agent version, so it never gets one.
   */
  recorded?(): Promise<unknown>;
  /**
   * Parks this step durably on the wait `<step>:<key>` and never returns (it throws
   * `StepSuspendedError`: let it propagate). `detail` (JSON) is stored with the wait; once
   * `rt.signal(runId, '<step>:<key>', payload)` arrives, even in another process after a restart,
   * the agent is executed again and `resumption()` returns the detail and the payload.
   * Undefined in contexts that cannot park (an agent called outside a run).
   */
  readonly suspend?: (key: string, options?: SuspendOptions) => never;
  /** The wait this execution resumes from (the latest one of this step), if any. */
  readonly resumption?: () => Promise<Resumption | undefined>;
  /**
   * Sends an ephemeral chunk (e.g. model tokens) to this run's live watchers in this process
   * (`rt.watch(runId, { tokens: true })`); never stored. Undefined while nobody watches.
   */
  readonly stream?: (text: string) => void;
}

/** What `ctx.suspend()` takes. */
export interface SuspendOptions {
  /** What the agent needs to resume (JSON), stored with the wait. */
  readonly detail?: unknown;
  /** A JSON Schema the signal's payload must satisfy (checked before anything is written). */
  readonly accepts?: Readonly<Record<string, unknown>>;
}

/** A suspended step's wait, resumed: what the agent saved and what the signal brought. */
export interface Resumption {
  /** The full wait name (`<step>:<key>`). */
  readonly wait: string;
  readonly detail: unknown;
  readonly payload: unknown;
}

/** What `compensate` receives. */
export interface CompensationContext {
  readonly runId: string;
  readonly step: string;
  readonly attempt: number;
  readonly idempotencyKey: string;
  readonly signal: AbortSignal;
  readonly logger: Logger;
}

/** An evaluator's verdict on one call. */
export interface Evaluation {
  /** 0..1. */
  readonly score: number;
  readonly label?: string;
  readonly rationale?: string;
}

/** Scores an agent call. */
export type Evaluator<I = unknown, O = unknown> = (
  input: DeepReadonly<I>,
  output: DeepReadonly<O>,
  ctx: { readonly runId: string; readonly step: string; readonly attempt: number },
) => Evaluation | Promise<Evaluation>;

/** An evaluator with options: a sample rate and an optional gate. */
export interface EvaluatorSpec<I = unknown, O = unknown> {
  readonly name: string;
  readonly fn: Evaluator<I, O>;
  /** Fraction of calls evaluated, 0..1 (default 1). */
  readonly sampleRate?: number;
  /** When set, a score below it rejects the handoff like a contract violation. */
  readonly minScore?: number;
}

/** What `agent()` takes. */
export interface AgentDefinition<I, O, P extends Policy | undefined = Policy | undefined> {
  readonly name: string;
  /** Semantic version, e.g. '1.0.0'. */
  readonly version: string;
  readonly input: Contract<I>;
  readonly output: Contract<O>;
  readonly execute: (input: DeepReadonly<I>, ctx: AgentContext) => O | Promise<O>;
  /** Undoes the side effects of a committed `execute`; receives its output. */
  readonly compensate?: (output: DeepReadonly<O>, ctx: CompensationContext) => void | Promise<void>;
  readonly policy?: P;
  readonly evaluate?: readonly (Evaluator<I, O> | EvaluatorSpec<I, O>)[];
  readonly description?: string;
}

/** A defined agent. `P` keeps the policy's literal type, so `onFailure: 'skip'` types its slot. */
export interface Agent<I = unknown, O = unknown, P extends Policy | undefined = Policy | undefined>
  extends AgentDefinition<I, O, P> {
  readonly kind: 'agent';
  /** `name@version`. */
  readonly id: string;
}

const AGENT_NAME = /^[a-z][a-z0-9]*(?:[-_.][a-z0-9]+)*$/;
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

/**
 * Every field `agent()` knows; any other is refused (a typo such as `compensat` would otherwise
 * drop the compensation silently). A new AgentDefinition field is added here too.
 */
export const AGENT_DEFINITION_KEYS: readonly string[] = [
  'name',
  'version',
  'input',
  'output',
  'execute',
  'compensate',
  'policy',
  'evaluate',
  'description',
  // An agent spread into a new definition (`agent({ ...v1, version: '2.0.0', execute })`)
  // brings these along; both are recomputed from the definition.
  'kind',
  'id',
];

/**
 * Defines an agent, checking its definition.
 * @throws InvalidDefinitionError naming the agent and the field at fault.
 * @example
 * const score = agent({ name: 'credit-score', version: '1.0.0', input: Application, output: Score,
 *   execute: async (app) => ({ score: 742 }) });
 */
export function agent<I, O, const P extends Policy | undefined = undefined>(
  def: AgentDefinition<I, O, P>,
): Agent<I, O, P> {
  const d = def as Partial<AgentDefinition<I, O, P>> | undefined;
  const label = `agent '${String(d?.name)}@${String(d?.version)}'`;
  const bad = (msg: string): never => {
    throw new InvalidDefinitionError(`${label}: ${msg}`, label);
  };
  if (typeof d !== 'object' || d === null)
    throw new InvalidDefinitionError('agent() expects a definition object', 'agent');
  assertKnownOptions(d, AGENT_DEFINITION_KEYS, label, 'definition');
  if (typeof d.name !== 'string' || !AGENT_NAME.test(d.name)) {
    bad(
      `name must be lowercase letters and digits separated by '-', '_' or '.', got ${JSON.stringify(d.name)}`,
    );
  }
  if (typeof d.version !== 'string' || !SEMVER.test(d.version)) {
    bad(`version must be a semantic version like '1.0.0', got ${JSON.stringify(d.version)}`);
  }
  if (!isContract(d.input)) bad('input must be a contract (see contract())');
  if (!isContract(d.output)) bad('output must be a contract (see contract())');
  if (typeof d.execute !== 'function') bad('execute must be a function');
  if (d.compensate !== undefined && typeof d.compensate !== 'function')
    bad('compensate must be a function');
  validatePolicy(d.policy, label);
  validateEvaluators(d.evaluate, label);
  const defined = { ...def, kind: 'agent' as const, id: `${def.name}@${def.version}` };
  return Object.freeze(defined) as Agent<I, O, P>;
}

/** Checks evaluator specs. @throws InvalidDefinitionError */
export function validateEvaluators(list: unknown, label: string): void {
  if (list === undefined) return;
  if (!Array.isArray(list))
    throw new InvalidDefinitionError(`${label}: evaluate must be an array`, label);
  list.forEach((e: unknown, i) => {
    if (typeof e === 'function') return;
    const s = e as Partial<EvaluatorSpec> | null;
    if (
      typeof s !== 'object' ||
      s === null ||
      typeof s.fn !== 'function' ||
      typeof s.name !== 'string'
    ) {
      throw new InvalidDefinitionError(
        `${label}: evaluate[${i}] must be a function or { name, fn, sampleRate?, minScore? }`,
        label,
      );
    }
    for (const k of ['sampleRate', 'minScore'] as const) {
      const v = s[k];
      if (v !== undefined && !(typeof v === 'number' && v >= 0 && v <= 1)) {
        throw new InvalidDefinitionError(
          `${label}: evaluate[${i}].${k} must be a number in [0, 1], got ${JSON.stringify(v)}`,
          label,
        );
      }
    }
  });
}

/** True when `value` is an agent. */
export function isAgent(value: unknown): value is Agent {
  return (
    typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'agent'
  );
}
