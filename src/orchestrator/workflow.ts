/**
 * Workflow definitions: a typed DAG of steps, each an agent (or a durable wait) with the steps
 * it `needs` and an input selector over state.
 *
 * Invariants (checked when `.output()` finalises the definition):
 * - step names are unique identifiers, never `input` (the slot of the workflow input);
 * - every need names a defined step, and the graph has no cycle;
 * - a finished workflow is frozen: its steps, needs and order never change.
 */
import type { Agent, Evaluator, EvaluatorSpec } from '../agents/agent.js';
import { isAgent, validateEvaluators } from '../agents/agent.js';
import { type Contract, isContract } from '../contracts/contract.js';
import { InvalidDefinitionError } from '../errors.js';
import { describeValue } from '../ledger/describe-value.js';
import { MAX_TIMER_MS, MAX_TIMER_TEXT } from '../ledger/durations.js';
import { type OnFailure, type Policy, validatePolicy } from '../resilience/policy.js';
import { checkNoCycle, childAgent, MAX_FAN_OUT } from './child-agent.js';
import type { Simplify, Skipped, SlotType, StateView } from './workflow-types.js';

/** Selector from the visible state to a step's input. */
export type Selector<V, R> = (state: V) => R;

/** A step as stored in a finished workflow (types erased). */
export interface StepSpec {
  readonly name: string;
  readonly kind: 'agent' | 'wait' | 'sleep';
  readonly needs: readonly string[];
  /** For agent steps. */
  readonly agent?: Agent;
  readonly select?: Selector<never, unknown>;
  readonly when?: Selector<never, boolean>;
  /** Step-level policy, layered over the agent's. */
  readonly policy?: Policy;
  readonly evaluate?: readonly (Evaluator | EvaluatorSpec)[];
  /** For wait steps: the signal payload's contract. */
  readonly contract?: Contract;
  readonly timeoutMs?: number;
  readonly onTimeout?: 'fail' | 'skip';
  /** For child steps (`.step(name, workflow)`, `.map()`): the child workflow, run as the agent. */
  readonly child?: ChildSpec;
  /** For sleeps: how long, or until when (ms since the epoch). */
  readonly sleep?: { readonly ms: number } | { readonly until: number };
}

/** How a step runs its child workflow: once, or once per element of its input (`map`). */
export interface ChildSpec {
  readonly workflow: Workflow;
  readonly mode: 'one' | 'map';
  /** For `map`: how many children run at once. */
  readonly concurrency: number;
}

/** Options of a child-workflow step. */
export interface ChildStepOptions<V, I, O, Need extends string> {
  readonly needs?: readonly Need[];
  readonly input: Selector<V, I>;
  readonly when?: Selector<V, boolean>;
  /** Checks the child's output before it becomes this step's slot. */
  readonly output?: Contract<O>;
  readonly policy?: { readonly onFailure?: 'fail' | 'skip' };
}

/** Options of a fan-out step: one child run per element of `input`, outputs kept in order. */
export interface MapOptions<V, I, Need extends string> {
  readonly needs?: readonly Need[];
  readonly input: Selector<V, readonly I[]>;
  readonly when?: Selector<V, boolean>;
  /** How many children run at once (default 16). */
  readonly concurrency?: number;
  readonly policy?: { readonly onFailure?: 'fail' | 'skip' };
}

/** Options of a durable timer. */
export interface SleepOptions<Need extends string, V = never> {
  readonly needs?: readonly Need[];
  /** The run sleeps only when this returns true; otherwise the slot is `{ skipped: true, reason }`. */
  readonly when?: Selector<V, boolean>;
}

/** What a timer's slot holds once it fired. */
export interface TimerFired {
  /** When it was due (ms since the epoch). */
  readonly dueAt: number;
  /** When it fired (at or after `dueAt`). */
  readonly firedAt: number;
}

/** Default number of children a `.map()` step runs at once. */
export const DEFAULT_MAP_CONCURRENCY = 16;

/** Derives a run's search attributes from its input (values become strings; null/undefined are left out). */
export type Searchable<In> = (
  input: In,
) => Readonly<Record<string, string | number | boolean | null | undefined>>;

/** A finished workflow. */
export interface Workflow<In = unknown, Out = unknown> {
  readonly kind: 'workflow';
  readonly name: string;
  readonly version: number;
  readonly input: Contract<In>;
  readonly steps: readonly StepSpec[];
  /** Step names in a topological order. */
  readonly order: readonly string[];
  readonly policy: Policy | undefined;
  /** Search attributes of each run, derived from its input (`listRuns({ where })`). */
  readonly searchable?: Searchable<never>;
  readonly selectOutput: (state: never) => Out;
  /** Type carrier only. */
  readonly __types?: { in: In; out: Out };
}

/** Options of an agent step. */
export interface StepOptions<V, I, Need extends string, F extends OnFailure | undefined> {
  readonly needs?: readonly Need[];
  readonly input: Selector<V, I>;
  /** The step runs only when this returns true; otherwise its slot is `{ skipped: true, reason }`. */
  readonly when?: Selector<V, boolean>;
  /** Overrides the agent's policy for this step. */
  readonly policy?: Policy & { readonly onFailure?: F };
  readonly evaluate?: readonly (Evaluator | EvaluatorSpec)[];
}

/** Options of a durable wait. */
export interface WaitOptions<P, Need extends string, V = never> {
  readonly contract: Contract<P>;
  readonly needs?: readonly Need[];
  /** The run waits only when this returns true; otherwise the slot is `{ skipped: true, reason }`. */
  readonly when?: Selector<V, boolean>;
  /** After this long without a signal, `onTimeout` applies (default 'fail'). */
  readonly timeoutMs?: number;
  readonly onTimeout?: 'fail' | 'skip';
}

type OnFailureOf<P> = P extends { readonly onFailure?: infer F } ? F : undefined;

/** A slot may hold `Skipped` when the step has `when`, or its step or agent policy says 'skip'. */
type MaySkip<P, Opts> = Opts extends { readonly when: unknown }
  ? true
  : 'skip' extends OnFailureOf<Opts extends { readonly policy?: infer SP } ? SP : undefined>
    ? true
    : 'skip' extends OnFailureOf<P>
      ? true
      : false;

/** Incrementally builds a workflow; `.output()` finishes it. */
export class WorkflowBuilder<In, Slots extends Record<string, unknown> = Record<never, never>> {
  readonly kind = 'workflow-builder' as const;
  private readonly specs: StepSpec[] = [];

  constructor(
    readonly name: string,
    readonly version: number,
    readonly inputContract: Contract<In>,
    private readonly workflowPolicy: Policy | undefined,
    private readonly searchable?: Searchable<In>,
  ) {}

  /**
   * Adds an agent step.
   * @throws InvalidDefinitionError for a duplicate name, the reserved name `input`, a bad agent.
   */
  step<
    const N extends string,
    I,
    O,
    P extends Policy | undefined,
    const Need extends Extract<keyof Slots, string> = never,
    const Opts extends StepOptions<
      StateView<In, Slots, Need>,
      I,
      Need,
      OnFailure | undefined
    > = StepOptions<StateView<In, Slots, Need>, I, Need, undefined>,
  >(
    name: N & (N extends keyof Slots | 'input' ? never : N),
    agentDef: Agent<I, O, P>,
    options: Opts & StepOptions<StateView<In, Slots, Need>, I, Need, OnFailure | undefined>,
  ): WorkflowBuilder<In, Simplify<Slots & { readonly [K in N]: SlotType<O, MaySkip<P, Opts>> }>>;
  /**
   * Adds a child-workflow step: the child runs as a run of its own (id `<run>.<step>`), linked to
   * this run, and its output becomes this step's slot.
   * @throws InvalidDefinitionError as for agent steps, and for workflows calling each other.
   */
  step<
    const N extends string,
    CI,
    CO,
    const Need extends Extract<keyof Slots, string> = never,
    const Opts extends ChildStepOptions<
      StateView<In, Slots, Need>,
      CI,
      CO,
      Need
    > = ChildStepOptions<StateView<In, Slots, Need>, CI, CO, Need>,
  >(
    name: N & (N extends keyof Slots | 'input' ? never : N),
    child: Workflow<CI, CO>,
    options: Opts & ChildStepOptions<StateView<In, Slots, Need>, CI, CO, Need>,
  ): WorkflowBuilder<
    In,
    Simplify<Slots & { readonly [K in N]: SlotType<CO, MaySkip<undefined, Opts>> }>
  >;
  step(
    name: string,
    agentDef: Agent | Workflow,
    options: StepOptions<never, unknown, string, OnFailure | undefined>,
  ) {
    this.checkName(name);
    const label = `workflow '${this.name}' step '${name}'`;
    if (isWorkflow(agentDef)) return this.addChild(name, agentDef, 'one', options, label);
    if (!isAgent(agentDef))
      throw new InvalidDefinitionError(
        `${label}: expected an agent (see agent()) or a finished workflow`,
        label,
      );
    checkSelectors(options, label);
    validatePolicy(options.policy, label);
    validateEvaluators(options.evaluate, label);
    this.specs.push(
      Object.freeze({
        name,
        kind: 'agent' as const,
        needs: this.checkNeeds(label, options.needs),
        agent: agentDef,
        select: options.input,
        ...(options.when ? { when: options.when } : {}),
        ...(options.policy ? { policy: options.policy } : {}),
        ...(options.evaluate ? { evaluate: options.evaluate } : {}),
      }),
    );
    return this;
  }

  /**
   * Adds a fan-out step: one child run of `child` per element of `input` (ids
   * `<run>.<step>.<i>`), at most `concurrency` at once; the slot holds their outputs in order.
   * @throws InvalidDefinitionError as for child steps, or for a bad concurrency.
   */
  map<
    const N extends string,
    CI,
    CO,
    const Need extends Extract<keyof Slots, string> = never,
    const Opts extends MapOptions<StateView<In, Slots, Need>, CI, Need> = MapOptions<
      StateView<In, Slots, Need>,
      CI,
      Need
    >,
  >(
    name: N & (N extends keyof Slots | 'input' ? never : N),
    child: Workflow<CI, CO>,
    options: Opts & MapOptions<StateView<In, Slots, Need>, CI, Need>,
  ): WorkflowBuilder<
    In,
    Simplify<Slots & { readonly [K in N]: SlotType<CO[], MaySkip<undefined, Opts>> }>
  >;
  map(name: string, child: Workflow, options: MapOptions<never, unknown, string>): unknown {
    this.checkName(name);
    const label = `workflow '${this.name}' map '${name}'`;
    if (!isWorkflow(child)) {
      throw new InvalidDefinitionError(`${label}: expected a finished workflow`, label);
    }
    const c = (options as { concurrency?: unknown } | null)?.concurrency;
    if (
      c !== undefined &&
      !(Number.isInteger(c) && (c as number) >= 1 && (c as number) <= MAX_FAN_OUT)
    ) {
      throw new InvalidDefinitionError(
        `${label}: concurrency must be an integer from 1 to ${MAX_FAN_OUT}, got ${String(c)}`,
        label,
      );
    }
    return this.addChild(name, child, 'map', options, label);
  }

  private addChild(
    name: string,
    child: Workflow,
    mode: 'one' | 'map',
    options: {
      readonly needs?: readonly string[];
      readonly input: unknown;
      readonly when?: unknown;
      readonly output?: unknown;
      readonly concurrency?: number;
      readonly policy?: Policy;
    },
    label: string,
  ): this {
    checkSelectors(options, label);
    if (options.output !== undefined && !isContract(options.output)) {
      throw new InvalidDefinitionError(`${label}: options.output must be a contract`, label);
    }
    validatePolicy(options.policy, label);
    checkNoCycle(this.name, child, label);
    const childSpec: ChildSpec = Object.freeze({
      workflow: child,
      mode,
      concurrency: options.concurrency ?? DEFAULT_MAP_CONCURRENCY,
    });
    this.specs.push(
      Object.freeze({
        name,
        kind: 'agent' as const,
        needs: this.checkNeeds(label, options.needs),
        agent: childAgent(child, mode, options.output as Contract | undefined),
        select: options.input as Selector<never, unknown>,
        ...(options.when ? { when: options.when as Selector<never, boolean> } : {}),
        ...(options.policy ? { policy: options.policy } : {}),
        child: childSpec,
      }),
    );
    return this;
  }

  /**
   * Adds a durable timer: the run waits (status `waiting`, reason `timer`) for `ms` after the
   * step becomes ready, or until the time `until` (ms since the epoch), holding nothing in memory;
   * the timer survives restarts and fires once. The slot then holds `{ dueAt, firedAt }`.
   * @throws InvalidDefinitionError for a bad duration or time.
   */
  sleep<const N extends string, const Need extends Extract<keyof Slots, string> = never>(
    name: N & (N extends keyof Slots | 'input' ? never : N),
    duration: { readonly ms: number } | { readonly until: number | Date },
    options: SleepOptions<Need, StateView<In, Slots, Need>> = {},
  ): WorkflowBuilder<In, Simplify<Slots & { readonly [K in N]: TimerFired }>> {
    this.checkName(name);
    const label = `workflow '${this.name}' sleep '${name}'`;
    const d = duration as { ms?: unknown; until?: unknown } | null;
    let sleep: { readonly ms: number } | { readonly until: number };
    if (
      typeof d === 'object' &&
      d !== null &&
      typeof d.ms === 'number' &&
      d.ms >= 0 &&
      Number.isFinite(d.ms)
    ) {
      sleep = Object.freeze({ ms: d.ms });
    } else if (
      typeof d === 'object' &&
      d !== null &&
      (d.until instanceof Date || typeof d.until === 'number') &&
      Number.isFinite(Number(d.until))
    ) {
      sleep = Object.freeze({ until: Number(d.until) });
    } else {
      throw new InvalidDefinitionError(
        `${label}: expected { ms } (a non-negative number) or { until } (a Date or ms since the epoch), got ${JSON.stringify(duration)}`,
        label,
      );
    }
    if (options.when !== undefined && typeof options.when !== 'function') {
      throw new InvalidDefinitionError(
        `${label}: options.when must be a function (state) => boolean`,
        label,
      );
    }
    this.specs.push(
      Object.freeze({
        name,
        kind: 'sleep' as const,
        needs: this.checkNeeds(label, options.needs),
        ...(options.when ? { when: options.when as Selector<never, boolean> } : {}),
        sleep,
      }),
    );
    return this as never;
  }

  /**
   * Adds a durable wait: the run waits (status `waiting`) until `rt.signal(runId, name, payload)`
   * delivers a payload satisfying `contract`; the payload becomes the slot.
   */
  wait<
    const N extends string,
    P,
    const Need extends Extract<keyof Slots, string> = never,
    const Opts extends WaitOptions<P, Need, StateView<In, Slots, Need>> = WaitOptions<
      P,
      Need,
      StateView<In, Slots, Need>
    >,
  >(
    name: N & (N extends keyof Slots | 'input' ? never : N),
    options: Opts & WaitOptions<P, Need, StateView<In, Slots, Need>>,
  ): WorkflowBuilder<
    In,
    Simplify<
      Slots & { readonly [K in N]: Opts extends { readonly when: unknown } ? P | Skipped : P }
    >
  >;
  wait(name: string, options: WaitOptions<unknown, string>) {
    this.checkName(name);
    const label = `workflow '${this.name}' wait '${name}'`;
    if (typeof options !== 'object' || options === null || !isContract(options.contract)) {
      throw new InvalidDefinitionError(`${label}: options.contract must be a contract`, label);
    }
    if (options.when !== undefined && typeof options.when !== 'function') {
      throw new InvalidDefinitionError(
        `${label}: options.when must be a function (state) => boolean`,
        label,
      );
    }
    if (
      options.timeoutMs !== undefined &&
      !(
        typeof options.timeoutMs === 'number' &&
        options.timeoutMs > 0 &&
        options.timeoutMs <= MAX_TIMER_MS
      )
    ) {
      throw new InvalidDefinitionError(
        `${label}: timeoutMs must be a positive number ${MAX_TIMER_TEXT}, got ${describeValue(options.timeoutMs)}`,
        label,
      );
    }
    if (
      options.onTimeout !== undefined &&
      options.onTimeout !== 'fail' &&
      options.onTimeout !== 'skip'
    ) {
      throw new InvalidDefinitionError(
        `${label}: onTimeout must be 'fail' or 'skip', got ${JSON.stringify(options.onTimeout)}`,
        label,
      );
    }
    this.specs.push(
      Object.freeze({
        name,
        kind: 'wait' as const,
        needs: this.checkNeeds(label, options.needs),
        contract: options.contract,
        ...(options.when ? { when: options.when } : {}),
        ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
        onTimeout: options.onTimeout ?? 'fail',
      }),
    );
    return this;
  }

  /**
   * Finishes the workflow with its output selector, which sees every slot.
   * @throws InvalidDefinitionError for an unknown need or a cycle.
   */
  output<Out>(selector: (state: StateView<In, Slots, keyof Slots>) => Out): Workflow<In, Out> {
    if (typeof selector !== 'function') {
      throw new InvalidDefinitionError(
        `workflow '${this.name}': output needs a selector function`,
        this.name,
      );
    }
    if (this.specs.length === 0) {
      throw new InvalidDefinitionError(`workflow '${this.name}' has no steps`, this.name);
    }
    const order = topologicalOrder(this.name, this.specs);
    return Object.freeze({
      kind: 'workflow' as const,
      name: this.name,
      version: this.version,
      input: this.inputContract,
      steps: Object.freeze([...this.specs]),
      order,
      policy: this.workflowPolicy,
      ...(this.searchable ? { searchable: this.searchable as Searchable<never> } : {}),
      selectOutput: selector as (state: never) => Out,
    });
  }

  private checkName(name: string): void {
    const label = `workflow '${this.name}'`;
    if (typeof name !== 'string' || !STEP_NAME.test(name)) {
      throw new InvalidDefinitionError(
        `${label}: step name ${JSON.stringify(name)} must be an identifier (letters, digits, '_' or '-', starting with a letter)`,
        label,
      );
    }
    if (name === 'input') {
      throw new InvalidDefinitionError(
        `${label}: a step cannot be named 'input' (that slot holds the workflow input)`,
        label,
      );
    }
    // State slots are plain objects: a name `Object.prototype` already has (`constructor`,
    // `toString`, ...) would read as present before the step ran, so the step would be skipped.
    if (name in Object.prototype) {
      throw new InvalidDefinitionError(
        `${label}: step name '${name}' is reserved (a property every JavaScript object has)`,
        label,
      );
    }
    if (this.specs.some((s) => s.name === name)) {
      throw new InvalidDefinitionError(`${label}: duplicate step '${name}'`, label);
    }
  }

  private checkNeeds(label: string, needs: unknown): readonly string[] {
    if (needs === undefined) return Object.freeze([]);
    if (!Array.isArray(needs) || needs.some((n) => typeof n !== 'string')) {
      throw new InvalidDefinitionError(`${label}: needs must be an array of step names`, label);
    }
    return Object.freeze([...new Set(needs as string[])]);
  }
}

const STEP_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

function topologicalOrder(workflow: string, specs: readonly StepSpec[]): readonly string[] {
  const byName = new Map(specs.map((s) => [s.name, s]));
  for (const s of specs) {
    for (const need of s.needs) {
      if (!byName.has(need)) {
        throw new InvalidDefinitionError(
          `workflow '${workflow}' step '${s.name}' needs unknown step '${need}'`,
          s.name,
        );
      }
    }
  }
  const order: string[] = [];
  const mark = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]): void => {
    const m = mark.get(name);
    if (m === 'done') return;
    if (m === 'visiting') {
      const cycle = [...path.slice(path.indexOf(name)), name].join(' -> ');
      throw new InvalidDefinitionError(`workflow '${workflow}' has a cycle: ${cycle}`, name);
    }
    mark.set(name, 'visiting');
    for (const need of byName.get(name)!.needs) visit(need, [...path, name]);
    mark.set(name, 'done');
    order.push(name);
  };
  for (const s of specs) visit(s.name, []);
  return Object.freeze(order);
}

/**
 * Starts a workflow definition.
 * @throws InvalidDefinitionError for a bad name, version or input contract.
 * @example
 * const credit = workflow('credit-decision', { version: 1, input: Application })
 *   .step('score', score, { input: (s) => s.input })
 *   .step('risk', risk, { needs: ['score'], input: (s) => ({ score: s.score.score }) })
 *   .output((s) => s.risk);
 */
export function workflow<In>(
  name: string,
  options: {
    readonly version: number;
    readonly input: Contract<In>;
    readonly policy?: Policy;
    /** Search attributes of each run from its input, e.g. `(app) => ({ applicant: app.id })`. */
    readonly searchable?: Searchable<In>;
  },
): WorkflowBuilder<In> {
  const label = `workflow '${String(name)}'`;
  if (typeof name !== 'string' || !/^[a-z][a-z0-9]*(?:[-_.][a-z0-9]+)*$/.test(name)) {
    throw new InvalidDefinitionError(
      `${label}: name must be lowercase letters and digits separated by '-', '_' or '.'`,
      label,
    );
  }
  if (typeof options !== 'object' || options === null) {
    throw new InvalidDefinitionError(`${label}: options { version, input } are required`, label);
  }
  if (!Number.isInteger(options.version) || options.version < 1) {
    throw new InvalidDefinitionError(
      `${label}: version must be a positive integer, got ${String(options.version)}`,
      label,
    );
  }
  if (!isContract(options.input))
    throw new InvalidDefinitionError(`${label}: input must be a contract`, label);
  validatePolicy(options.policy, label);
  if (options.searchable !== undefined && typeof options.searchable !== 'function') {
    throw new InvalidDefinitionError(
      `${label}: searchable must be a function (input) => attributes`,
      label,
    );
  }
  return new WorkflowBuilder<In>(
    name,
    options.version,
    options.input,
    options.policy,
    options.searchable,
  );
}

/** True when `value` is a finished workflow. */
export function isWorkflow(value: unknown): value is Workflow {
  return (
    typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'workflow'
  );
}

/**
 * The selectors every step with an agent or a child workflow takes: `input` required, `when`
 * optional (the options are typed already; this refuses what a JavaScript caller passes wrong).
 * @throws InvalidDefinitionError naming the step.
 */
function checkSelectors(options: unknown, label: string): void {
  const o = options as { readonly input?: unknown; readonly when?: unknown } | null;
  if (typeof o !== 'object' || o === null || typeof o.input !== 'function') {
    throw new InvalidDefinitionError(
      `${label}: options.input must be a selector function (state) => input`,
      label,
    );
  }
  if (o.when !== undefined && typeof o.when !== 'function') {
    throw new InvalidDefinitionError(
      `${label}: options.when must be a function (state) => boolean`,
      label,
    );
  }
}
