/**
 * What every judge call shares (`llmJudge`, `pairwiseJudge`): the plan of one structured verdict
 * (no tools, no guards, no budget of its own, one model step, bounded re-asks) and the context a
 * call runs under when no agent's context is at hand (it reports nothing).
 */
import { INVALID_SPAN_CONTEXT, trace } from '@opentelemetry/api';
import { type AgentContext, type Contract, InvalidArgumentError } from '../index.js';
import type { LlmCallSettings, LlmPlan } from './generate.js';
import type { ModelInvoker } from './model-call.js';
import type { PriceTable } from './pricing.js';
import { outputSchema } from './schema.js';

/** What one kind of judge call is made of. */
export interface JudgeCallSpec<V> {
  /** The judge's id (`name` or `name@version`). */
  readonly name: string;
  readonly invoker: ModelInvoker;
  readonly verdict: Contract<V>;
  readonly instructions: string;
  readonly maxReasks: number;
  readonly prices: PriceTable | undefined;
  readonly settings: LlmCallSettings | undefined;
}

/** Builds the plan of a judge's calls; `prompt` renders each call's question. */
export function judgePlan<V>(spec: JudgeCallSpec<V>): (prompt: string) => LlmPlan<null, V> {
  const schema = outputSchema(spec.verdict);
  const settings = spec.settings ?? {};
  return (prompt) => {
    // A user's prompt function may return anything at run time: refuse before any call.
    if (typeof prompt !== 'string' || prompt.trim() === '')
      throw new InvalidArgumentError(
        `judge '${spec.name}': prompt must return a non-empty string, got ${prompt === '' ? "''" : typeof prompt}`,
        'prompt',
      );
    return {
      agentId: `judge:${spec.name}`,
      invoker: spec.invoker,
      output: spec.verdict,
      schema,
      instructions: () => spec.instructions,
      prompt: () => prompt,
      tools: undefined,
      maxSteps: 1,
      maxToolErrors: 0,
      maxReasks: spec.maxReasks,
      guards: [],
      budget: undefined,
      prices: spec.prices,
      settings,
    };
  };
}

const NOOP_LOGGER: AgentContext['logger'] = { debug() {}, info() {}, warn() {}, error() {} };

/** A context that reports nothing: a judge's call outside any agent's attempt. */
export function detachedJudgeContext(
  where: { readonly runId: string; readonly step: string; readonly attempt: number },
  idempotencyKey: string,
  signal?: AbortSignal,
): AgentContext {
  return {
    ...where,
    idempotencyKey,
    signal: signal ?? new AbortController().signal,
    logger: NOOP_LOGGER,
    usage: () => {},
    span: trace.wrapSpanContext(INVALID_SPAN_CONTEXT),
  };
}
