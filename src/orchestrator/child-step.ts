/**
 * The run side of child workflows: what a child step needs from the runtime (`ChildRuns`, built
 * by runtime/child-runner.ts) and the binding of a child step's agent to it. A child step is an
 * agent step to the engine (journal, versions, policies, saga) whose agent is bound when it runs.
 */
import type { Agent, AgentContext, CompensationContext } from '../agents/agent.js';
import type { ChildSpec, StepSpec } from './workflow.js';

/** What a child step needs from the runtime: start or find its children, await and undo them. */
export interface ChildRuns {
  /** The step with its agent bound to these child runs (the same object for the same spec). */
  bind<S extends StepSpec>(spec: S): S;
  /** Runs the step's child (or children) and resolves with the slot value. */
  run(spec: StepSpec & { child: ChildSpec }, input: unknown, ctx: AgentContext): Promise<unknown>;
  /** Compensates the step's completed children, last first. */
  compensate(
    spec: StepSpec & { child: ChildSpec },
    output: unknown,
    ctx: CompensationContext,
  ): Promise<void>;
}

/** The step with its agent bound to the runtime's child runs (memoized per spec by `cache`). */
export function bindChildStep<S extends StepSpec>(
  spec: S,
  children: ChildRuns | undefined,
  cache: WeakMap<StepSpec, StepSpec>,
): S {
  if (!spec.child || !children) return spec;
  let bound = cache.get(spec);
  if (!bound) {
    const s = spec as StepSpec & { child: ChildSpec; agent: Agent };
    bound = Object.freeze({
      ...s,
      agent: Object.freeze({
        ...s.agent,
        execute: (input: unknown, ctx: AgentContext) => children.run(s, input, ctx),
        compensate: (output: unknown, ctx: CompensationContext) =>
          children.compensate(s, output, ctx),
      }) as Agent,
    });
    cache.set(spec, bound);
  }
  return bound as S;
}
