/**
 * The definition side of child workflows (`.step(name, childWorkflow)`, `.map(…)`): the agent
 * standing for a child step, child run ids and the cycle check. Kept apart from workflow.ts's
 * types (it sees workflows structurally) so the two never import each other.
 *
 * Invariants:
 * - A child run's id is derived from its parent: `<parent>.<step>` or `<parent>.<step>.<i>`, so a
 *   parent resumed after a crash finds the children it had started instead of starting them again.
 * - A workflow never contains itself, at any depth (checked at definition).
 */
import type { Agent } from '../agents/agent.js';
import { type Contract, contract, type Schema } from '../contracts/contract.js';
import { InvalidDefinitionError } from '../errors.js';

/** The most children one `.map()` step may start. */
export const MAX_FAN_OUT = 10_000;

/** What the definition side needs of a workflow. */
export interface ChildWorkflowLike {
  readonly name: string;
  readonly version: number;
  readonly input: Contract;
  readonly steps: readonly { readonly child?: { readonly workflow: ChildWorkflowLike } }[];
}

/** The id of a child run. */
export function childRunId(parentRunId: string, step: string, index?: number): string {
  return index === undefined ? `${parentRunId}.${step}` : `${parentRunId}.${step}.${index}`;
}

/** A tiny Standard Schema with a fixed JSON Schema (the catalog checks compatibility on it). */
function schemaOf<T>(
  jsonSchema: Record<string, unknown>,
  check: (v: unknown) => string | null,
): Schema<T> {
  return {
    '~standard': {
      version: 1,
      vendor: 'baton',
      validate: (value: unknown) => {
        const problem = check(value);
        return problem === null ? { value: value as T } : { issues: [{ message: problem }] };
      },
      jsonSchema: { output: () => jsonSchema },
    } as Schema<T>['~standard'],
  };
}
const anyJson = schemaOf<unknown>({}, () => null);
const anArray = schemaOf<unknown[]>({ type: 'array' }, (v) =>
  Array.isArray(v) ? null : `expected an array of child inputs, got ${typeof v}`,
);
const CHILD_OUTPUT = contract('baton.child-output@1', anyJson);
const CHILD_INPUTS = contract('baton.child-inputs@1', anArray);

/**
 * The agent standing for a child step. Its `execute` and `compensate` refuse to run unbound: the
 * run driver replaces it with the runtime's bound agent (see `bindChildStep`).
 */
export function childAgent(
  wf: ChildWorkflowLike,
  mode: 'one' | 'map',
  output: Contract | undefined,
): Agent {
  const unbound = (): never => {
    throw new Error(`child workflow '${wf.name}' can only run inside a runtime`);
  };
  return Object.freeze({
    kind: 'agent' as const,
    name: `workflow.${wf.name}`,
    version: `${wf.version}.0.0`,
    id: `workflow.${wf.name}@${wf.version}.0.0`,
    input: mode === 'one' ? wf.input : CHILD_INPUTS,
    output: output ?? CHILD_OUTPUT,
    execute: unbound,
    compensate: unbound,
    // A child run has its own retries, timeouts and saga; the step only waits for it.
    policy: { timeoutMs: Number.POSITIVE_INFINITY, retry: { maxAttempts: 1 }, breaker: false },
  }) as Agent;
}

/**
 * Refuses a child that contains the parent's workflow (by name) at any depth: such a workflow
 * would start runs of itself forever.
 * @throws InvalidDefinitionError naming the cycle.
 */
export function checkNoCycle(parent: string, child: ChildWorkflowLike, label: string): void {
  const visit = (wf: ChildWorkflowLike, path: string[]): void => {
    if (wf.name === parent) {
      throw new InvalidDefinitionError(
        `${label}: workflows call each other in a cycle: ${[parent, ...path].join(' -> ')}`,
        label,
      );
    }
    for (const s of wf.steps)
      if (s.child) visit(s.child.workflow, [...path, s.child.workflow.name]);
  };
  visit(child, [child.name]);
}
