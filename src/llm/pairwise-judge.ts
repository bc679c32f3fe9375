/**
 * `pairwiseJudge`: asks a language model which of two outputs for the same input is better
 * (two agent versions, a run and its replay), with the positions swapped: once with A shown
 * first, once with B shown first. Models favour a position; only a preference that survives
 * the swap is a winner.
 *
 * Invariants:
 * - Exactly two verdicts per comparison, A/B then B/A, each structured output bound to a
 *   contract with the same bounded re-asks (and, through a gateway model, the same limits,
 *   fallbacks and budgets) as `llmJudge`.
 * - `winner` is 'a' or 'b' only when both orders prefer it; both orders saying 'tie' is a
 *   consistent tie; any other pair is an inconsistent tie (`consistent: false`), counted apart
 *   by `tallyPairwise`.
 * - With `ctx` (inside an agent), the calls' usage lands on the attempt's span (and the run's
 *   totals), and the verdict is a `gen_ai.evaluation.result` event on `ctx.span` for the
 *   OpenTelemetry SDK (the built-in trace store keeps only the usage).
 */
import type { LanguageModel } from 'ai';
import { z } from 'zod';
import {
  type AgentContext,
  canonicalJson,
  contract,
  type DeepReadonly,
  InvalidArgumentError,
  InvalidDefinitionError,
} from '../index.js';
import { type GatewayModel, isGatewayModel } from './gateway.js';
import { type LlmCallSettings, runLlm } from './generate.js';
import { judgeId } from './judge.js';
import { detachedJudgeContext, judgePlan } from './judge-call.js';
import { directInvoker } from './llm-agent.js';
import type { PriceTable } from './pricing.js';

/** What the model answers for one order: the candidate shown as A or B, or a tie. */
export const PairwiseChoice = contract(
  'baton.judge.pairwise@1',
  z.object({ preferred: z.enum(['A', 'B', 'tie']), rationale: z.string() }),
);

/** Options of {@link pairwiseJudge}. */
export interface PairwiseJudgeOptions<I, O> {
  /** The judge's name on spans (default 'pairwise'). */
  readonly name?: string;
  /** Recorded as `name@version` (see `llmJudge`). */
  readonly version?: string;
  readonly model: LanguageModel | GatewayModel;
  /** What makes one output better than the other. */
  readonly rubric: string;
  /** The user message for an input and the candidates in the order shown (default: JSON). */
  readonly prompt?: (
    input: DeepReadonly<I>,
    first: DeepReadonly<O>,
    second: DeepReadonly<O>,
  ) => string;
  /** Re-asks when a verdict is malformed (default 1). */
  readonly maxReasks?: number;
  readonly settings?: LlmCallSettings;
  readonly prices?: PriceTable;
}

/** Which candidate one order preferred, in terms of the caller's `a` and `b`. */
export interface PairwiseOrderVerdict {
  /** The candidate shown in position A. */
  readonly shownFirst: 'a' | 'b';
  readonly preferred: 'a' | 'b' | 'tie';
  readonly rationale: string;
}

/** The outcome of one comparison. */
export interface PairwiseVerdict {
  /** 'a' or 'b' when both orders agree; 'tie' otherwise. */
  readonly winner: 'a' | 'b' | 'tie';
  /** False when the two orders disagreed (the tie is then the judge's position bias). */
  readonly consistent: boolean;
  /** The A/B verdict, then the B/A one. */
  readonly orders: readonly [PairwiseOrderVerdict, PairwiseOrderVerdict];
}

/** Where a comparison is made. */
export interface CompareOptions {
  /** An agent's context: usage and the verdict go on its span, budgets count for its run. */
  readonly ctx?: AgentContext;
  readonly signal?: AbortSignal;
}

/** A pairwise judge. */
export interface PairwiseJudge<I, O> {
  /** `name` or `name@version`. */
  readonly name: string;
  /**
   * Compares two outputs for `input`, asking twice with the positions swapped.
   * @throws ContractViolationError when a verdict stays malformed after the re-asks; whatever
   * the model call throws.
   */
  compare(
    input: DeepReadonly<I>,
    a: DeepReadonly<O>,
    b: DeepReadonly<O>,
    options?: CompareOptions,
  ): Promise<PairwiseVerdict>;
}

/** Counts of many comparisons. */
export interface PairwiseTally {
  readonly comparisons: number;
  readonly aWins: number;
  readonly bWins: number;
  /** Ties both orders agreed on. */
  readonly ties: number;
  /** Comparisons whose orders disagreed (reported as ties). */
  readonly inconsistent: number;
}

/**
 * A judge that compares two outputs with position swap.
 * @throws InvalidDefinitionError naming the bad option.
 * @example
 * const prefer = pairwiseJudge({ model, rubric: 'The clearer explanation that invents nothing.' });
 * const { winner, consistent } = await prefer.compare(decision, current, candidate);
 */
export function pairwiseJudge<I = unknown, O = unknown>(
  options: PairwiseJudgeOptions<I, O>,
): PairwiseJudge<I, O> {
  const name = judgeId(options?.name ?? 'pairwise', options?.version);
  const bad = (msg: string): never => {
    throw new InvalidDefinitionError(`pairwiseJudge '${name}': ${msg}`, name);
  };
  if (typeof options !== 'object' || options === null) bad('expects an options object');
  if (options.model === undefined || options.model === null) bad('model is required');
  if (typeof options.rubric !== 'string' || options.rubric.trim() === '')
    bad('rubric must be a non-empty string');
  if (options.prompt !== undefined && typeof options.prompt !== 'function')
    bad('prompt must be a function');
  const maxReasks = options.maxReasks ?? 1;
  if (!(Number.isInteger(maxReasks) && maxReasks >= 0)) bad('maxReasks must be an integer >= 0');
  const invoker = isGatewayModel(options.model) ? options.model : directInvoker(options.model);
  const render =
    options.prompt ??
    ((input: DeepReadonly<I>, first: DeepReadonly<O>, second: DeepReadonly<O>) =>
      `Input:\n${canonicalJson(input)}\n\nOutput A:\n${canonicalJson(first)}\n\nOutput B:\n${canonicalJson(second)}`);
  const instructions = [
    'You are a strict evaluator comparing two outputs, A and B, for the same input.',
    `Rubric: ${options.rubric}`,
    'Judge only by the rubric, not by the order or the length. Answer with JSON: preferred ("A", "B" or "tie") and a one-sentence rationale.',
  ].join('\n');
  const plan = judgePlan({
    name,
    invoker,
    verdict: PairwiseChoice,
    instructions,
    maxReasks,
    prices: options.prices,
    settings: options.settings,
  });

  const ask = async (
    input: DeepReadonly<I>,
    first: DeepReadonly<O>,
    second: DeepReadonly<O>,
    ctx: AgentContext,
  ) => runLlm(plan(render(input, first, second)), null, ctx);

  return Object.freeze({
    name,
    async compare(
      input: DeepReadonly<I>,
      a: DeepReadonly<O>,
      b: DeepReadonly<O>,
      opts: CompareOptions = {},
    ) {
      if (typeof opts !== 'object' || opts === null)
        throw new InvalidArgumentError('compare: options must be an object', 'options');
      const ctx =
        opts.ctx ??
        detachedJudgeContext(
          { runId: `pairwise:${name}`, step: 'compare', attempt: 1 },
          `pairwise:${name}`,
          opts.signal,
        );
      const ab = await ask(input, a, b, ctx);
      const ba = await ask(input, b, a, ctx);
      const first: PairwiseOrderVerdict = {
        shownFirst: 'a',
        preferred: ab.preferred === 'A' ? 'a' : ab.preferred === 'B' ? 'b' : 'tie',
        rationale: ab.rationale,
      };
      const second: PairwiseOrderVerdict = {
        shownFirst: 'b',
        preferred: ba.preferred === 'A' ? 'b' : ba.preferred === 'B' ? 'a' : 'tie',
        rationale: ba.rationale,
      };
      const consistent = first.preferred === second.preferred;
      const verdict: PairwiseVerdict = {
        winner: consistent ? first.preferred : 'tie',
        consistent,
        orders: [first, second],
      };
      if (opts.ctx) traceVerdict(opts.ctx, name, verdict);
      return verdict;
    },
  });
}

/** Counts wins, consistent ties and inconsistent verdicts over many comparisons. */
export function tallyPairwise(verdicts: readonly PairwiseVerdict[]): PairwiseTally {
  let aWins = 0;
  let bWins = 0;
  let ties = 0;
  let inconsistent = 0;
  for (const v of verdicts) {
    if (!v.consistent) inconsistent++;
    else if (v.winner === 'a') aWins++;
    else if (v.winner === 'b') bWins++;
    else ties++;
  }
  return { comparisons: verdicts.length, aWins, bWins, ties, inconsistent };
}

/** The verdict as an evaluation event on the agent's span (score from a's side: 1, 0.5, 0). */
function traceVerdict(ctx: AgentContext, name: string, v: PairwiseVerdict): void {
  ctx.span.addEvent('gen_ai.evaluation.result', {
    'gen_ai.evaluation.name': name,
    'gen_ai.evaluation.score.value': v.winner === 'a' ? 1 : v.winner === 'b' ? 0 : 0.5,
    'gen_ai.evaluation.score.label': v.winner,
    'gen_ai.evaluation.explanation': `A/B: ${v.orders[0].rationale} B/A: ${v.orders[1].rationale}`,
    'baton.evaluation.pairwise.consistent': v.consistent,
  });
}
